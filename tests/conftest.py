"""Shared fixtures."""

import os

import pytest
from django.core.management import call_command

from tests.factories import EditorFactory, UserFactory


@pytest.fixture
def editor(db):
    return EditorFactory()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def demo(db):
    """The demo cases, loaded through the same command `make run` uses."""
    call_command("load_demo", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))


def pytest_sessionfinish(session, exitstatus):
    """On CI's PostgreSQL run nothing may be skipped: a skipped suite there is a failure."""
    if os.environ.get("REQUIRE_POSTGRES") and exitstatus == 0:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
        if skipped:
            reporter.write_line(f"REQUIRE_POSTGRES is set and {skipped} test(s) were skipped: failing the run.")
            session.exitstatus = 1


@pytest.fixture(autouse=True, scope="session")
def _database_is_the_one_asked_for(django_db_setup, django_db_blocker):
    """REQUIRE_POSTGRES=1 makes sure the suite really ran on PostgreSQL, not a silent SQLite fallback."""
    if os.environ.get("REQUIRE_POSTGRES"):
        from django.db import connection

        assert connection.vendor == "postgresql", f"REQUIRE_POSTGRES is set but the database is {connection.vendor}"


@pytest.fixture(autouse=True)
def _own_dump_dir(settings, tmp_path):
    """The bulk download's files are named by data version, which repeats from one test database to the next."""
    settings.DUMP_DIR = tmp_path / "dump"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and cached figures live in the cache; each test starts with an empty one."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
