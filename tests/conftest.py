"""Shared fixtures."""

import itertools
import os

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db.models.signals import post_migrate

import tests.hypothesis_profiles  # noqa: F401  (registers and loads the profile)
from common.catalogues import ensure_compiled
from tests import template_db
from tests.factories import EditorFactory, UserFactory
from tests.snapshots import Replayer

# The Russian pages need the compiled catalogue (built, never committed: common/catalogues.py); pytest run directly
# builds it here as `make test` does.
ensure_compiled()


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


# Tests make many accounts; Django's default hasher spends ~0.4 s of CPU on each password by design. Tests check who
# may do what, not the strength of the hash, so they hash with a fast one (production keeps Django's default).
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _editors_group_after_flush(sender, using="default", **kwargs):
    """A transactional test ends with `flush`, which empties every table; Django then makes content types and
    permissions again, but not what data migrations wrote. The Editors group (common 0001) is made again here as the
    migration made it, so a test that runs after a transactional one in the same process finds it."""
    from tests.factories import editors_group, reviewers_group

    editors_group()
    reviewers_group()  # common 0003, likewise


# After every app's content types and permissions exist: the signal is sent app by app, in INSTALLED_APPS order.
post_migrate.connect(_editors_group_after_flush, sender=list(apps.get_app_configs())[-1], dispatch_uid="editors-again")


def _load_demo():
    with open(os.devnull, "w") as devnull:
        # no CSV files: the rows are replayed into other tests, whose DUMP_DIR holds none (tests of the files build
        # their own, tests/api/test_h26_csv_files.py)
        call_command("load_demo", csv_files=False, stdout=devnull, stderr=devnull)


_demo_rows = Replayer(_load_demo, kept_as="demo")  # kept between runs: tests/snapshots.py, `_Kept`


@pytest.fixture
def demo(request, db):
    """The demo cases, as the command `make run` uses loads them: the command runs once per starting state (its
    recorded rows kept on disk between runs on SQLite), and its rows are put back, checked table by table, for every
    later test (tests/snapshots.py). A run of such tests in one module shares one put-back (`_SharedDemo`, below):
    the rows are already there, under the test's own transaction."""
    if not _shared_demo.holds(request.node):
        _demo_rows()


class _SharedDemo:
    """One put-back of the demo's rows for a run of consecutive tests of one module that ask for it, as Django's
    `TestCase.setUpTestData`: before the first, a transaction is opened on every database and the rows put back in
    it; each test's own transaction (pytest-django's) is then a savepoint inside it, rolled back at the test's end,
    so a test that writes leaves the next one the demo as it was. The outer transaction is rolled back before any
    test that does not share it (another module, no demo, a transactional test) and at the end of the run.

    The put-back runs before any of the test's fixtures (`pytest_runtest_setup`, below), so a fixture that writes
    (an editor's account) writes after the demo's rows rather than before; the rows themselves are the same, and a
    test that needs the loader to meet its own rows first uses `demo_loaded_by_the_command`. Each put-back is ~0.14 s
    of CPU (SQLite firing the triggers of ~1,800 inserted rows and reading back every table), asked for by ~300 tests
    of `make check`'s tier (README, "Suite times", round 9)."""

    # Anything that makes pytest-django use a TransactionTestCase: those tests commit and flush, never in a
    # transaction of ours.
    TRANSACTIONAL = {"transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}

    def __init__(self):
        self.databases_ready = False  # set once the test databases exist (django_db_setup, below)
        self.key: str | None = None  # the module whose tests share the rows now
        self._atomics: list = []
        self._blocker = None  # pytest-django's, which lets the transaction be opened and closed outside a test
        self.first: str | None = None  # a test that could not share: it came before the databases were made

    @classmethod
    def key_of(cls, item) -> str | None:
        """The module of a test that may share the demo's rows, None for one that may not."""
        names = set(getattr(item, "fixturenames", ()))
        if os.environ.get("TEST_SHARED_DEMO") == "off":  # each test its own put-back, as before round 9
            return None
        if "demo" not in names or names & cls.TRANSACTIONAL or "demo_loaded_by_the_command" in names:
            return None
        marker = item.get_closest_marker("django_db")
        if marker is not None and (
            (marker.args and marker.args[0])
            or any(marker.kwargs.get(name) for name in ("transaction", "reset_sequences", "serialized_rollback"))
        ):
            return None
        return item.nodeid.split("::")[0]

    def holds(self, item) -> bool:
        return self.key is not None and self.key == self.key_of(item)

    def open(self, item) -> None:
        """Before `item`'s fixtures: keep the rows for its module, if it may share them and they are not there yet."""
        key = self.key_of(item)
        if key == self.key:
            return
        self.close()
        if key is None:
            return
        if not self.databases_ready:  # the process's first database test makes the databases: it puts back its own
            self.first = item.nodeid
            return
        from django.db import connections, transaction
        from django.test import override_settings
        from pytest_django.plugin import blocking_manager_key

        self._blocker = item.config.stash[blocking_manager_key]
        with self._blocker.unblock():
            for alias in connections:
                if not connections[alias].settings_dict.get("TEST", {}).get("MIRROR"):
                    atomic = transaction.atomic(using=alias)
                    atomic.__enter__()
                    self._atomics.append((alias, atomic))
            try:
                # the settings every test runs with (`_own_dump_dir`), should the loader itself have to run
                with override_settings(PUBLIC_ORIGIN="http://testserver", RELEASES_DAILY_AT="", DUMP_DIR=os.devnull):
                    _demo_rows()
            except BaseException:
                self.close()
                raise
        self.key = key

    def close(self) -> None:
        self.key = None
        if not self._atomics:
            return
        from django.db import transaction

        with self._blocker.unblock():
            while self._atomics:
                alias, atomic = self._atomics.pop()
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)


_shared_demo = _SharedDemo()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _shared_demo.open(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:  # after the test's own transaction is rolled back
        if nextitem is None or _SharedDemo.key_of(nextitem) != _shared_demo.key:
            _shared_demo.close()


@pytest.fixture
def demo_loaded_by_the_command(db):
    """The demo cases loaded by the command itself, for tests of the loader."""
    _load_demo()


def pytest_configure(config):
    """`xdist_group` kept under pytest 9.2, where pytest-xdist 3.8's own marking no longer takes (xdist_groups.py)."""
    from tests import xdist_groups

    if not config.pluginmanager.is_registered(xdist_groups):
        config.pluginmanager.register(xdist_groups, "tests.xdist_groups")


def pytest_sessionfinish(session, exitstatus):
    """On CI's PostgreSQL run nothing may be skipped: a skipped suite there is a failure."""
    if os.environ.get("REQUIRE_POSTGRES") and exitstatus == 0:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
        if skipped:
            reporter.write_line(f"REQUIRE_POSTGRES is set and {skipped} test(s) were skipped: failing the run.")
            session.exitstatus = 1


# The suite's own process on PostgreSQL runs with this statement limit, not the web's 10 s (config/settings.py): its
# fixtures load whole datasets in bulk statements, as management commands do (which run with none), and CI on
# 5b23d2b cancelled two such loads at 10 s while the cluster test's pg_basebackup (a fast checkpoint, every
# database copied) held the disk. The web's limit is still asserted, on a process started as the web starts
# (tests/test_operations.py), and every server the tests start keeps it.
SUITE_STATEMENT_TIMEOUT_MS = 120_000


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """pytest-django's (each xdist worker's own database), and then: until the test databases exist, migrating an
    in-memory SQLite one copies a kept migrated database, keyed by the migrations (tests/template_db.py). On
    PostgreSQL the suite's statement limit replaces the web's (SUITE_STATEMENT_TIMEOUT_MS)."""
    import re

    options = settings.DATABASES["default"].get("OPTIONS", {})
    if "options" in options:
        options["options"] = re.sub(r"statement_timeout=\d+", f"statement_timeout={SUITE_STATEMENT_TIMEOUT_MS}",
                                    options["options"])  # fmt: skip
    template_db.install()
    yield
    template_db.uninstall()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """pytest-django's; the migration tests' own `migrate` calls, later, run for real."""
    template_db.uninstall()
    _shared_demo.databases_ready = True
    yield
    _shared_demo.close()  # before the databases go (the last test's teardown)
    _shared_demo.databases_ready = False


@pytest.fixture(autouse=True, scope="session")
def _database_is_the_one_asked_for(django_db_setup, django_db_blocker):
    """REQUIRE_POSTGRES=1 makes sure the suite really ran on PostgreSQL, not a silent SQLite fallback."""
    if os.environ.get("REQUIRE_POSTGRES"):
        from django.db import connection

        assert connection.vendor == "postgresql", f"REQUIRE_POSTGRES is set but the database is {connection.vendor}"


_dump_dirs = itertools.count()


@pytest.fixture(autouse=True)
def _own_dump_dir(settings, tmp_path_factory):
    """The bulk download's files are named by data version, which repeats from one test database to the next. Each
    test gets its own directory, under the run's temporary one, made only by a test that writes files there (the
    code makes it, as it makes var/dump): not `tmp_path`, which makes a directory for every test (~2 ms of CPU each,
    for ~1,300 tests of which a few dozen write files)."""
    settings.DUMP_DIR = tmp_path_factory.getbasetemp() / "dump" / str(next(_dump_dirs))
    settings.PUBLIC_ORIGIN = "http://testserver"  # dump files carry the site's address; the test client's
    settings.RELEASES_DAILY_AT = ""  # the worker's daily release (alerts.schedule): off unless a test turns it on


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters and cached figures live in the cache; each test starts with an empty one."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# Fixtures that load a whole dataset by its command (hundreds of records, each through the merge and its history, ~10 s
# of CPU a load): the tests that use them are integration tests of the data, `slow` (README, "Suite times").
SLOW_FIXTURES = {"starter", "starter_loaded_by_the_command"}


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    # Within each module or class, the tests that may share one put-back of the demo run one after the other, first
    # (`_SharedDemo`); the order is otherwise the file's. Every process collects the same order (xdist checks it).
    items[:] = [
        item
        for _, group in itertools.groupby(items, key=lambda item: item.parent)
        for item in sorted(group, key=lambda item: _SharedDemo.key_of(item) is None)
    ]


def pytest_ignore_collect(collection_path, config):
    """A run that deselects `schemathesis` does not collect its module at all: collecting it loads the schema twice
    and makes a test for every operation (~6 s of CPU in each test process; the coverage phase's cases, ~22 s more
    before h62, are now built when a test runs), only for them to be deselected."""
    if collection_path.name != "test_schemathesis.py":
        return None
    expression = config.getoption("markexpr")
    if not expression:
        return None
    from _pytest.mark.expression import Expression

    selected = Expression.compile(expression).evaluate(lambda name, **kwargs: name == "schemathesis")
    return True if not selected else None
