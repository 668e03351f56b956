"""A migrated SQLite test database kept between runs, keyed by what the migrations would make.

Migrating a test database costs ~15 s of CPU, and every test process (each xdist worker) made its own. Here the first
process to need a database that no kept copy matches runs the real migrations (holding a lock, so the others wait
rather than migrate beside it) and saves the result to `var/test-databases/<key>.sqlite3`; every process then copies
that file into its own in-memory database (SQLite's backup API, milliseconds). Only the `migrate` step of Django's
`create_test_db` is replaced; everything around it (the cache table, the serialized rows) runs as before.

The key is a hash of everything the migrated database depends on, so a kept copy is never used against another
schema:
- every migration file of every installed app (Django's, the third-party apps' and ours), by content;
- the project's modules those migrations import (trigger SQL, the editors' group), followed import by import;
- the module of every `post_migrate` receiver (the triggers installed after migrating, the test suite's groups), and
  what the models imply for the receivers that read them (tables, columns, relations, permissions);
- the versions of Python, SQLite and Django.
Any change makes a new key, so the next run migrates once and keeps the new copy (and drops copies beyond `KEEP`).
After every copy, the applied migrations are checked against the migration files on disk: a copy that lacks one or
has one too many is an error, never a silent difference. `TEST_DB_TEMPLATE=off` migrates every process as before.

PostgreSQL is untouched (pytest-django's per-worker databases, migrated as before).
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import functools
import hashlib
import importlib.util
import inspect
import os
import sqlite3
import sys
import weakref
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
STORE = BASE / "var" / "test-databases"
KEEP = 4  # kept copies (a few branches' schemas); the oldest beyond these are removed


def enabled() -> bool:
    return os.environ.get("TEST_DB_TEMPLATE", "on").lower() not in ("off", "0", "no", "false")


def migration_files() -> list[Path]:
    """Every migration module's file of every installed app, as `migrate` would find them."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    files: list[Path] = []
    for config in apps.get_app_configs():
        module_name, _explicit = MigrationLoader.migrations_module(config.label)
        if module_name is None:
            continue
        try:
            spec = importlib.util.find_spec(module_name)
        except ModuleNotFoundError:
            continue
        if spec is None or not spec.submodule_search_locations:
            continue
        for location in spec.submodule_search_locations:
            files += sorted(Path(location).glob("*.py"))
    return files


def _project_file(module: str) -> Path | None:
    parts = module.split(".")
    for candidate in (BASE.joinpath(*parts).with_suffix(".py"), BASE.joinpath(*parts, "__init__.py")):
        if candidate.is_file():
            return candidate
    return None


def project_imports(files: list[Path]) -> set[Path]:
    """The project's own modules that `files` import (at the top or inside a function), followed transitively, and
    the packages they sit in."""
    found: set[Path] = set()
    todo = list(files)
    while todo:
        for name in _imported_names(todo.pop().read_bytes()):
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):  # a package's __init__ runs before its module
                path = _project_file(".".join(parts[:depth]))
                if path is not None and path not in found:
                    found.add(path)
                    todo.append(path)
    return found


@functools.lru_cache(maxsize=4096)
def _imported_names(source: bytes) -> tuple[str, ...]:
    """The modules a file's source imports (absolute imports, at the top or inside a function). Kept by content:
    parsing is most of a key's cost, and a file read again with the same bytes imports the same modules."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return tuple(names)


def receiver_files() -> list[Path]:
    """The source file of every project function connected to `post_migrate` (the triggers, the tests' groups)."""
    from django.db.models.signals import post_migrate

    files = set()
    for _key, reference, _is_async in post_migrate.receivers:
        receiver = reference() if isinstance(reference, weakref.ReferenceType) else reference
        with contextlib.suppress(TypeError):  # a builtin or a dead reference
            path = Path(inspect.getsourcefile(receiver)).resolve()
            if BASE in path.parents and ".venv" not in path.parts:
                files.add(path)
    return sorted(files)


def models_signature() -> list:
    """What the models imply for `post_migrate`'s receivers: content types and permissions, and the tables, columns
    and relations the triggers are generated from."""
    from django.apps import apps

    signature = []
    for model in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.label):
        meta = model._meta
        fields = [
            (field.name, field.column, type(field).__name__, field.related_model and field.related_model._meta.label)
            for field in meta.concrete_fields
        ]
        permissions = [(codename, str(name)) for codename, name in meta.permissions]
        signature.append((meta.label, meta.db_table, meta.managed, meta.proxy, fields, permissions,
                          list(meta.default_permissions), str(meta.verbose_name_raw)))  # fmt: skip
    return signature


def key(files: list[Path] | None = None) -> str:
    """The hash naming a migrated database: see the module's docstring for what goes in."""
    import django

    migrations = migration_files() if files is None else files
    receivers = receiver_files()
    own = [path for path in receivers if BASE / "tests" not in path.parents]  # the tests' modules: the file only
    sources = sorted({*migrations, *project_imports([*migrations, *own]), *receivers}, key=str)
    digest = hashlib.sha256()
    digest.update(repr((sys.version_info[:3], sqlite3.sqlite_version, django.__version__)).encode())
    for path in sources:
        digest.update(b"\0" + str(path).encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    digest.update(repr(models_signature()).encode())
    return digest.hexdigest()[:20]


def check_current(connection) -> None:
    """The copied database has applied exactly the migrations on disk."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    applied = set(executor.loader.applied_migrations)
    missing = set(graph.nodes) - applied
    extra = applied - set(graph.nodes)
    if missing or extra or executor.migration_plan(graph.leaf_nodes()):
        raise RuntimeError(
            f"The kept test database does not match the migrations on disk (missing {sorted(missing)}, extra "
            f"{sorted(extra)}); remove {STORE} and report this: its key should have changed."
        )


def _prune(keep: Path) -> None:
    kept = sorted(STORE.glob("*.sqlite3"), key=lambda path: path.stat().st_mtime, reverse=True)
    for path in kept[KEEP:]:
        if path != keep:
            path.unlink(missing_ok=True)


def _in_memory_sqlite(connection) -> bool:
    return connection.vendor == "sqlite" and connection.creation.is_in_memory_db(connection.settings_dict["NAME"])


class _MigrateFromTemplate:
    """Stands in for `call_command` while pytest-django makes the test databases: `migrate` of an in-memory SQLite
    database copies the kept database (made first if missing); any other command runs as usual."""

    def __init__(self, call_command):
        self.call_command = call_command
        self.used: list[str] = []  # the keys copied, for the report line and the tests

    def __call__(self, name, *args, **options):
        from django.db import DEFAULT_DB_ALIAS, connections

        connection = connections[options.get("database", DEFAULT_DB_ALIAS)]
        if name != "migrate" or args or not _in_memory_sqlite(connection):
            return self.call_command(name, *args, **options)
        path = STORE / f"{key()}.sqlite3"
        STORE.mkdir(parents=True, exist_ok=True)
        with open(STORE / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one process migrates; the others wait for its copy
            if not path.exists():
                result = self.call_command(name, *args, **options)
                partial = path.with_suffix(f".{os.getpid()}.partial")
                connection.ensure_connection()
                target = sqlite3.connect(partial)
                try:
                    connection.connection.backup(target)
                finally:
                    target.close()
                os.replace(partial, path)
                _prune(keep=path)
                self.used.append(f"{path.name} (made)")
                return result
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        path.touch()  # the most recently used copies are the ones kept
        check_current(connection)
        self.used.append(path.name)
        return None


def install() -> _MigrateFromTemplate | None:
    """From now until `uninstall()`, the test databases' `migrate` step copies the kept database (see the module).
    Django's `create_test_db` imports `call_command` when it runs, so it finds the stand-in."""
    from django.core import management

    if not enabled() or isinstance(management.call_command, _MigrateFromTemplate):
        return None
    management.call_command = _MigrateFromTemplate(management.call_command)
    return management.call_command


def uninstall() -> None:
    from django.core import management

    if isinstance(management.call_command, _MigrateFromTemplate):
        management.call_command = management.call_command.call_command
