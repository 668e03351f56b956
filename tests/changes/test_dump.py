"""The dump at a seq of the feed (built by its command, never in a request) and releases with deltas."""

import gzip
import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from changes.models import Change, Release
from changes.publisher import publish
from dataset.dump import NAME, build_dump, dumps
from tests.factories import DetaineeFactory, DetentionFactory, ExchangeFactory, SourceFactory
from tests.feed import built_dump

pytestmark = pytest.mark.django_db
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate"}


def files(settings) -> list[str]:
    return sorted(p.name for p in settings.DUMP_DIR.rglob("*") if p.is_file())


def test_no_request_builds_the_dump(settings):
    DetaineeFactory()
    response = Client().get("/api/v1/dump/")
    assert response.status_code == 503 and "build_dump" in response.json()["detail"]
    assert files(settings) == []


def test_the_command_writes_a_named_file_at_the_feeds_seq_and_the_view_serves_it(settings):
    person = DetaineeFactory(name="Paul Whelan")
    DetaineeFactory(name="Secret Lead", is_published=False)
    out = io.StringIO()
    call_command("build_dump", stdout=out, stderr=io.StringIO())
    head = Change.objects.order_by("-seq").first().seq
    [(seq, path)] = dumps()
    assert seq == head and NAME.match(path.name) and f"-seq{head}-" in path.name
    assert f"at seq {head}" in out.getvalue() and "Wrote" in out.getvalue()
    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    assert path.name.endswith(f"-{checksum[:12]}.json.gz")
    assert (path.parent / f"{path.name}.sha256").read_text().split()[0] == checksum
    response = Client().get("/api/v1/dump/", **GZIP)
    assert response["Content-Encoding"] == "gzip" and response["X-Feed-Seq"] == str(head)
    assert response["X-Checksum-SHA256"] == checksum
    document = json.loads(gzip.decompress(b"".join(response.streaming_content)))
    assert document["seq"] == head and document["version"] == 2
    assert [d["name"] for d in document["detainees"]] == ["Paul Whelan"]
    assert document["detainees"][0] == Client().get(f"/api/v1/detainees/{person.pk}/").json()
    plain = Client().get("/api/v1/dump/")
    body = b"".join(plain.streaming_content)
    assert json.loads(body) == document
    # a client without gzip (plain curl) checks what it received against the header (a new user's found it differ)
    assert plain["X-Checksum-SHA256"] == hashlib.sha256(body).hexdigest() != checksum
    sidecar = (path.parent / f"{path.name}.sha256").read_text().splitlines()
    assert sidecar[1] == f"{plain['X-Checksum-SHA256']}  {path.name.removesuffix('.gz')}"  # as sha256sum -c reads
    (path.parent / f"{path.name}.sha256").write_text(sidecar[0] + "\n")  # a file from before: no wrong checksum
    assert "X-Checksum-SHA256" not in Client().get("/api/v1/dump/")
    assert Client().get("/api/v1/dump/", **GZIP)["X-Checksum-SHA256"] == checksum
    again = Client().get("/api/v1/dump/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_failed_build_leaves_no_file_and_the_old_one_is_served(settings):
    DetaineeFactory()
    build_dump()
    [(_, old)] = dumps()
    DetaineeFactory()

    def boom(name):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        build_dump(on_record=boom)
    assert [p for _, p in dumps()] == [old]
    assert not [p for p in settings.DUMP_DIR.rglob(".building-*")]
    assert Client().get("/api/v1/dump/")["Content-Disposition"].endswith(f'{old.name.removesuffix(".gz")}"')


def test_dump_plus_feed_after_its_seq_is_a_fresh_pull():
    detention = DetentionFactory()
    client = Client()
    dump = built_dump(client)
    mirror = {name: {d["id"]: d for d in dump[name]} for name in dump["counts"]}
    source = SourceFactory()
    detention.sources.add(source)
    DetaineeFactory(name="Later")
    detention.detainee.delete()
    publish()
    after = dump["seq"]
    while True:
        page = client.get("/api/v1/changes/", {"after": after, "documents": "true"}).json()
        for e in page["results"]:
            if e["op"] == "delete":
                mirror[e["resource"]].pop(e["id"], None)
            else:
                mirror[e["resource"]][e["id"]] = e["document"]
        after = page["cursor"]
        if not page["next"]:
            break
    for name in mirror:
        pulled = client.get(f"/api/v1/{name}/", {"page_size": 500}).json()["results"]
        assert mirror[name] == {d["id"]: d for d in pulled}, name


def test_releases_keep_dated_dumps_with_deltas_between_them(settings):
    kept, changed, gone = DetaineeFactory(), DetaineeFactory(name="Before"), DetaineeFactory()
    gone_id = gone.pk
    out = io.StringIO()
    call_command("make_release", stdout=out, stderr=io.StringIO())
    assert "the first release" in out.getvalue()
    changed.name = "After"
    changed.save()
    gone.delete()
    added = ExchangeFactory()
    call_command("make_release", stdout=io.StringIO(), stderr=io.StringIO())
    first, second = Release.objects.order_by("seq")
    assert second.name == f"{first.name}.2" and second.previous == first and second.seq > first.seq
    listed = Client().get("/api/v1/releases/").json()["results"]
    assert [r["name"] for r in listed] == [second.name, first.name]
    assert listed[0]["delta_url"].endswith(f"/api/v1/releases/{second.name}/delta/") and listed[1]["delta_url"] is None
    delta = json.loads(gzip.decompress(b"".join(Client().get(f"/api/v1/releases/{second.name}/delta/", **GZIP)
                                                 .streaming_content)))  # fmt: skip
    assert (delta["from"], delta["to"], delta["from_seq"], delta["to_seq"]) == (first.name, second.name, first.seq,
                                                                                 second.seq)  # fmt: skip
    assert [d["id"] for d in delta["added"]["exchanges"]] == [added.pk]
    assert [d["name"] for d in delta["changed"]["detainees"]] == ["After"]
    assert delta["deleted"]["detainees"] == [gone_id]
    assert kept.pk not in [d["id"] for d in delta["changed"].get("detainees", [])]
    assert (second.added, second.changed, second.deleted) == (
        sum(map(len, delta["added"].values())), sum(map(len, delta["changed"].values())),
        sum(map(len, delta["deleted"].values())))  # fmt: skip
    dump = Client().get(f"/api/v1/releases/{first.name}/dump/")
    assert json.loads(b"".join(dump.streaming_content))["seq"] == first.seq
    assert Client().get("/api/v1/releases/nope/dump/").status_code == 404
    assert Client().get(f"/api/v1/releases/{first.name}/previous/").status_code == 404
    assert Client().get(f"/api/v1/releases/{first.name}/delta/").status_code == 404


def settings_in_a_fresh_process(**environment) -> tuple[str, str] | str:
    """(SITE_URL, PUBLIC_ORIGIN) as a command on the server reads them from its environment, or the start-up error."""
    import os
    import subprocess
    import sys

    from django.conf import settings as django_settings

    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PUBLIC_ORIGIN", "DJANGO_ENV")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", **environment)
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SITE_URL, s.PUBLIC_ORIGIN)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                          cwd=django_settings.BASE_DIR)  # fmt: skip
    if done.returncode:
        return done.stderr.strip().splitlines()[-1]
    return tuple(done.stdout.split())


def settings_module_read_here(**environment) -> tuple[str, str] | str:
    """The same, the settings module run in this process on that environment (no subprocess, no `django.setup()`):
    the check tier's reading; the environment is put back as it was afterwards."""
    import os
    import runpy

    from django.conf import settings as django_settings
    from django.core.exceptions import ImproperlyConfigured

    saved = dict(os.environ)
    try:
        for name in ("SITE_URL", "PUBLIC_ORIGIN", "DJANGO_ENV"):
            os.environ.pop(name, None)
        os.environ.update(environment)
        try:
            module = runpy.run_path(str(django_settings.BASE_DIR / "config" / "settings.py"))
        except ImproperlyConfigured as exc:
            return f"django.core.exceptions.ImproperlyConfigured: {exc}"
        return module["SITE_URL"], module["PUBLIC_ORIGIN"]
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.mark.parametrize("read", [
    pytest.param(settings_in_a_fresh_process, id="fresh-process", marks=pytest.mark.slow),  # four subprocesses
    pytest.param(settings_module_read_here, id="module-read-here"),
])  # fmt: skip
def test_command_built_files_take_the_public_address_from_site_url(read):
    """h29: the dump and releases read PUBLIC_ORIGIN (default http://localhost:8000) while the documented public
    address, the one mail uses, is SITE_URL: a server configured with SITE_URL wrote dumps full of localhost URLs.
    One value now, from SITE_URL; PUBLIC_ORIGIN is read when SITE_URL is not set; both different refuse to start."""
    assert read(SITE_URL="https://tracker.example.org/") == (
        "https://tracker.example.org", "https://tracker.example.org")  # fmt: skip
    assert read(PUBLIC_ORIGIN="https://old.example.org") == (
        "https://old.example.org", "https://old.example.org")  # fmt: skip
    production = {"DJANGO_ENV": "production", "SECRET_KEY": "k" * 50, "ALLOWED_HOSTS": "tracker.example.org,localhost"}
    assert read(**production) == ("https://tracker.example.org", "https://tracker.example.org")
    refused = read(SITE_URL="https://a.example.org", PUBLIC_ORIGIN="https://b.example.org")
    assert "ImproperlyConfigured" in refused and "set SITE_URL only" in refused


def test_the_dump_command_writes_urls_of_the_configured_address(settings):
    settings.SITE_URL = settings.PUBLIC_ORIGIN = "https://tracker.example.org"
    person = DetaineeFactory(name="Paul Whelan")
    call_command("build_dump", stdout=io.StringIO(), stderr=io.StringIO())
    [(_, path)] = dumps()
    text = gzip.decompress(path.read_bytes()).decode()
    document = json.loads(text)
    assert document["detainees"][0]["url"] == f"https://tracker.example.org/api/v1/detainees/{person.pk}/"
    assert document["detainees"][0]["html_url"].startswith("https://tracker.example.org/detainees/")
    assert "testserver" not in text and "localhost" not in text and "127.0.0.1" not in text
