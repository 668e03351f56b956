"""Load the demo once per test process, then put its rows back in milliseconds for every test that asks for it.

`load_demo` runs the real loader (natural keys, validation, history, statuses, the integrity check: ~2.5 s of CPU);
a hundred and more tests ask for the demo, each in an emptied database. So the first request in a process runs the
loader inside a transaction that is rolled back, records every row it added to every table (and the state each
table was in before), and later requests insert those rows again with one statement per table.

The copy is exact and checked, never trusted: after putting the rows back, every table is read again and compared
with what the real loader left; a table that differs (a database trigger fired by the insert wrote something the
loader's run did not) is emptied and refilled from the record, and anything still different is an error, not a
silent difference. Where no snapshot fits the database (a test wrote to a table the loader adds to before asking for
the demo, or a transactional test's flush recreated content types), the loader itself runs, and is recorded too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import io
import os
import pickle
import sqlite3
from collections import Counter
from pathlib import Path

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

SKIPPED_TABLES = {"django_migrations", "django_session"}
DERIVED_FIRST = {"detainees_personfacet", "detainees_facetcount"}  # see Snapshot.restore


def _tables() -> list[str]:
    return sorted(t for t in connection.introspection.table_names() if t not in SKIPPED_TABLES)


@contextlib.contextmanager
def _triggers_off(postgres: bool):
    """On PostgreSQL, the rows are put back with triggers off (`session_replication_role = replica`, foreign keys'
    triggers included): every table, the trigger-kept ones too, is then compared with the loader's result and set to
    it, so what triggers would write is written from the snapshot instead. Firing them row by row cost more than the
    10 s statement timeout on the grown starter dataset (a COPY of its outlets, each marking what cites it). SQLite
    keeps firing them: its restore is quick, and it has no such switch."""
    if not postgres:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:  # SET LOCAL lasts to the end of the test's transaction: set it back
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


class _Rows:
    """Reading and writing whole tables, exactly, on each backend: PostgreSQL through COPY's text format (every type
    round-trips as text), SQLite through plain rows (its values are Python's own)."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self._columns: dict[str, list[str]] = {}

    def layout(self) -> str:
        """Every table's columns in their order, in one query: rows are copied by position, and a migration test that
        goes back and forth can leave a table's columns in another order."""
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute("SELECT table_name, string_agg(column_name, ',' ORDER BY ordinal_position) FROM "
                               "information_schema.columns WHERE table_schema = current_schema() GROUP BY table_name "
                               "ORDER BY table_name")  # fmt: skip
            else:
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
            return repr(cursor.fetchall())

    def read(self, table: str) -> Counter:
        quoted = connection.ops.quote_name(table)
        with connection.cursor() as cursor:
            if self.postgres:
                buffer = io.StringIO()
                cursor.cursor.copy_expert(f"COPY {quoted} TO STDOUT", buffer)
                return Counter(buffer.getvalue().splitlines(keepends=True))
            cursor.execute(f"SELECT * FROM {quoted}")
            return Counter(tuple(row) for row in cursor.fetchall())

    def insert(self, table: str, rows: Counter) -> None:
        if not rows:
            return
        quoted = connection.ops.quote_name(table)
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.cursor.copy_expert(f"COPY {quoted} FROM STDIN", io.StringIO("".join(rows.elements())))
                return
            values = list(rows.elements())
            marks = ", ".join(["%s"] * len(values[0]))
            cursor.executemany(f"INSERT INTO {quoted} VALUES ({marks})", values)

    def value(self, row, table: str, column: str):
        """One column of a row as `read` gives it (PostgreSQL's as COPY's text)."""
        if table not in self._columns:
            # The columns in the order `read` gives them. Not the introspection's table description: on SQLite it
            # parses the table's SQL (~40 ms a table), and `fits` asks for several tables in every test.
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} WHERE 1 = 0")
                self._columns[table] = [column[0] for column in cursor.description]
        index = self._columns[table].index(column)
        return row.rstrip("\n").split("\t")[index] if self.postgres else row[index]

    def empty(self, table: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


def _state() -> dict[str, Counter]:
    rows = _Rows()
    return {table: rows.read(table) for table in _tables()} | {LAYOUT: Counter([rows.layout()])}


LAYOUT = "(the tables' columns)"  # a pseudo-table in a state: a snapshot fits only the layout it was taken in


@dataclasses.dataclass
class Snapshot:
    before: dict[str, Counter]  # every table as the loader found it
    after: dict[str, Counter]  # every table as the loader left it
    _pointed_at: dict | None = None

    @classmethod
    def take(cls, load) -> Snapshot:
        """Run `load()` in a transaction that is rolled back, recording the tables before and after."""
        with transaction.atomic():
            before = _state()
            load()
            after = _state()
            transaction.set_rollback(True)
        # Counters the triggers keep (DERIVED_FIRST) may move; every other table only grows.
        lost = sorted(t for t in before if t not in DERIVED_FIRST and before[t] - after.get(t, Counter()))
        if lost:
            raise RuntimeError(
                f"The loader changed or removed rows it found ({', '.join(lost)}); a snapshot can only "
                "replay additions."
            )
        return cls(before, after)

    def added(self, table: str) -> Counter:
        return self.after[table] - self.before.get(table, Counter())

    def changed(self) -> list[str]:
        return [table for table in self.after if table != LAYOUT and self.added(table)]

    def fits(self, state: dict[str, Counter]) -> bool:
        """Whether the loader, run on `state`, would add what it added here: the tables it adds to are as it found
        them, and so is every row outside them that its rows point at (a content type, an account). Anything else a
        test wrote first (an account, a log-in, the content types a transactional test's flush made anew under new
        ids) does not matter unless the loader's rows point at it."""
        changed = self.changed()
        if any(state.get(table, Counter()) != self.before.get(table, Counter()) for table in [LAYOUT, *changed]):
            return False
        rows = _Rows()
        for (target, column), values in self.pointed_at(changed).items():
            now, then = (
                Counter({row: n for row, n in rows_of.get(target, Counter()).items()
                         if rows.value(row, target, column) in values})
                for rows_of in (state, self.before)
            )  # fmt: skip
            if now != then:
                return False
        return True

    def pointed_at(self, changed: list[str]) -> dict[tuple[str, str], set]:
        """(table, column) → the values the loader's rows hold in foreign keys to tables it does not add to."""
        if self._pointed_at is None:
            rows = _Rows()
            null = "\\N" if rows.postgres else None
            self._pointed_at = {}
            for model in apps.get_models(include_auto_created=True):
                table = model._meta.db_table
                if table not in changed:
                    continue
                for field in model._meta.concrete_fields:
                    target = field.related_model._meta.db_table if field.is_relation else None
                    if target is None or target in changed:
                        continue
                    values = {rows.value(row, table, field.column) for row in self.added(table)} - {null}
                    if values:
                        key = (target, field.target_field.column)
                        self._pointed_at[key] = self._pointed_at.get(key, set()) | values
        return self._pointed_at

    def restore(self, state: dict[str, Counter]) -> None:
        """Put the loader's rows back into a database in `state` (one this snapshot `fits`)."""
        rows = _Rows()
        changed = self.changed()
        expected = {table: state.get(table, Counter()) + self.added(table) for table in _tables()}
        # Tables that triggers keep as a function of others (the list's facets and their counts, keyed by value) are
        # not replayed row by row: a count the loader moved is a changed row. The state fits, so they were as the
        # loader found them: they end as it left them (set below, after the triggers fired by the other inserts).
        for table in DERIVED_FIRST & set(changed):
            expected[table] = self.after.get(table, Counter())
        with transaction.atomic(), _triggers_off(rows.postgres):
            for table in changed:
                if table not in DERIVED_FIRST:
                    rows.insert(table, self.added(table))
            refilled = []
            for table in _tables():  # what triggers fired by the inserts wrote, set back to the loader's result
                if rows.read(table) != expected[table]:
                    rows.empty(table)
                    rows.insert(table, expected[table])
                    refilled.append(table)
            # Every table was just read as expected after the last insert; only a refill (whose deletes and inserts
            # fire triggers too) can have changed one read before it, so only then is everything read again.
            different = [t for t, now in _state().items() if t != LAYOUT and now != expected[t]] if refilled else []
            if different:
                raise AssertionError(f"The demo's rows could not be put back exactly in {different}")
            self._reset_sequences(changed)

    @staticmethod
    def _reset_sequences(tables: list[str]) -> None:
        """Rows came with their ids; the next id the database hands out must follow them (PostgreSQL's sequences;
        SQLite's AUTOINCREMENT follows inserted ids by itself)."""
        models = [model for model in apps.get_models(include_auto_created=True) if model._meta.db_table in tables]
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def _kept_key() -> str:
    """What a loader's rows can depend on: every file of the project's code and data (the tests' own modules and
    generated files aside), the versions of Python, SQLite and Django, and the hour (the rows carry the time they
    were recorded at: a kept snapshot is never more than an hour older than a load run now would be, and never of
    another day). The schema and the rows the loader finds are not in it: a kept snapshot is
    used only where it `fits` the database, as any other."""
    import sys

    import django

    base = Path(__file__).resolve().parent.parent
    skipped = {".venv", "var", "staticfiles", "node_modules", "bench", "docs", "tests", ".git", "__pycache__"}
    digest = hashlib.sha256(repr((sys.version_info[:3], sqlite3.sqlite_version, django.__version__,
                                  datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H"))).encode())  # fmt: skip
    files = [base / "tests" / "snapshots.py", base / "tests" / "conftest.py", base / "tests" / "factories.py"]
    for folder, dirs, names in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in skipped and not d.startswith("."))
        files += [Path(folder) / n for n in sorted(names) if n.endswith((".py", ".json", ".sql", ".po", ".html"))]
    for path in files:
        digest.update(b"\0" + str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


class _Kept:
    """Snapshots kept between runs in var/test-databases/ beside the migrated databases (tests/template_db.py), on
    SQLite only: each process's first request then copies rows recorded by an earlier process instead of running the
    loader (~2.5 s of CPU in every xdist worker). Written whole and renamed into place, so a reader never sees half
    a file; `TEST_DB_TEMPLATE=off` keeps none."""

    def __init__(self, name: str):
        self.name = name
        self._path: Path | None = None

    def path(self) -> Path | None:
        from tests import template_db

        if connection.vendor != "sqlite" or not template_db.enabled():
            return None
        if self._path is None:
            self._path = template_db.STORE / f"{self.name}-{_kept_key()}.pickle"
        return self._path

    def read(self) -> list[Snapshot]:
        path = self.path()
        if path is None or not path.exists():
            return []
        try:
            return pickle.loads(path.read_bytes())
        except Exception:  # a file from another version of this module: taken again
            return []

    def add(self, snapshot: Snapshot, keep: int) -> None:
        path = self.path()
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        kept = [snapshot, *self.read()][:keep]
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_bytes(pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, path)
        for old in path.parent.glob(f"{self.name}-*.pickle"):  # other keys' (an earlier hour's, another branch's)
            if old != path and old.stat().st_mtime < path.stat().st_mtime - 3600:
                old.unlink(missing_ok=True)


class Replayer:
    """The loader's rows, put back wherever a snapshot fits; the loader runs (and is recorded) where none does: the
    first time in a process, after a transactional test's flush, or when a test wrote to a table the loader adds to
    before asking for it. With `kept_as`, the snapshots are also kept on disk between runs and processes (`_Kept`),
    and one recorded by another process is used where it fits."""

    def __init__(self, load, keep: int = 8, kept_as: str | None = None):
        self.load = load
        self.keep = keep
        self.snapshots: list[Snapshot] = []
        self.kept = _Kept(kept_as) if kept_as else None
        self._kept: list[Snapshot] | None = None  # read from disk at the first miss
        self.calls = 0  # put-backs (and loads) in this process: tests/test_shared_demo.py counts them

    def __call__(self) -> None:
        from changes import publisher

        self.calls += 1
        # Marks a test left (a flush keeps none, but fixtures write): the loader drains the feed at its end, which
        # consumes them too; drained here first, the loader's run and its replay find the same empty queue.
        publisher.publish()
        state = _state()
        snapshot = next((snapshot for snapshot in self.snapshots if snapshot.fits(state)), None)
        if snapshot is None and self.kept is not None:
            if self._kept is None:
                self._kept = self.kept.read()
            snapshot = next((snapshot for snapshot in self._kept if snapshot.fits(state)), None)
            if snapshot is not None:
                self.snapshots = [snapshot, *self.snapshots][: self.keep]
        if snapshot is None:
            snapshot = Snapshot.take(self.load)
            self.snapshots = [snapshot, *self.snapshots][: self.keep]
            if self.kept is not None:
                self.kept.add(snapshot, self.keep)
        snapshot.restore(state)
