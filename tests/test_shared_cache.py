"""With REDIS_URL every worker and every app server share one cache and one anonymous API limit.

Needs Redis: REDIS_TEST_URL (CI sets it, and then these tests fail rather than skip without Redis), else
redis://127.0.0.1:6379/5 when it answers. Keys carry a prefix of their own and are deleted afterwards.
"""

import concurrent.futures
import os
import subprocess
import sys

import pytest
from django.test import Client, override_settings
from rest_framework.throttling import AnonRateThrottle

from tests.servers import ROOT, Gunicorn, delete_prefix, free_port, get, redis_url_or_skip, unique_prefix


@pytest.fixture
def redis_url():
    url = redis_url_or_skip()
    prefix = unique_prefix()
    yield url, prefix
    delete_prefix(url, prefix)


def _settings_env(url: str, prefix: str, **extra) -> dict:
    return {"REDIS_URL": url, "CACHE_KEY_PREFIX": prefix, **extra}


@pytest.mark.slow  # a subprocess starting Django against Redis
def test_redis_url_gives_the_site_a_redis_cache(redis_url):
    """The settings module with REDIS_URL set: Django's Redis backend, importable (the package is installed)."""
    url, prefix = redis_url
    script = (
        "import django; django.setup(); from django.core.cache import caches; cache = caches['default']; "
        "cache.set('probe', 41); print(type(cache).__name__, cache.incr('probe'))"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings",
                                 **_settings_env(url, prefix)})  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["RedisCache", "42"]


@pytest.mark.django_db
def test_throttle_and_page_cache_work_on_redis(redis_url, monkeypatch):
    url, prefix = redis_url
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
                          "KEY_PREFIX": prefix}}  # fmt: skip
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/day")
    with override_settings(CACHES=caches):
        client = Client()
        assert [client.get("/api/v1/outlets/").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert int(client.get("/api/v1/outlets/")["Retry-After"]) > 0
        assert client.get("/").get("X-Page-Cache") == "miss"
        assert client.get("/").get("X-Page-Cache") == "hit"


@pytest.fixture
def two_servers(redis_url, tmp_path):
    """Two gunicorn servers (two workers each) on one SQLite file and one Redis, anonymous limit 20 a day."""
    url, prefix = redis_url
    env = _settings_env(url, prefix, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", API_ANON_RATE="20/day",
                        DJANGO_ENV="development", PAGE_CACHE_SECONDS="600")  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env={**os.environ, **env}, check=True,
                   timeout=600)  # fmt: skip
    servers = [Gunicorn(free_port(), env, log=tmp_path / "gunicorn.log") for _ in range(2)]
    try:
        yield [server.wait() for server in servers]
    finally:
        for server in servers:
            server.stop()


@pytest.mark.slow
def test_two_app_servers_share_one_cache_and_one_throttle(two_servers):
    a, b = two_servers
    # A page rendered by one server is served from the cache by the other (behind a load balancer both see the
    # site's own host name, which is part of the page's key).
    assert get(a.url + "/", {"Host": "localhost"})[1]["X-Page-Cache"] == "miss"
    assert get(b.url + "/", {"Host": "localhost"})[1]["X-Page-Cache"] == "hit"
    # 40 anonymous requests at once, spread over both servers' four workers: exactly the 20 allowed get through.
    urls = [(a, b)[i % 2].url + "/api/v1/outlets/" for i in range(40)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda u: get(u)[0], urls))
    assert sorted(statuses) == [200] * 20 + [429] * 20
    status, headers, _ = get(b.url + "/api/v1/outlets/")
    assert status == 429 and int(headers["Retry-After"]) > 0
