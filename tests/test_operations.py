"""Operations hygiene: what `make cluster-stop` leaves behind, who may read a backup, prepared statements after the
server drops a session, and the statement limit of management commands."""

import importlib.util
import os
import stat
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection, connections

from common.sql import execute_prepared
from tests.factories import DetaineeFactory
from tests.servers import ROOT

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL session is what is tested")


def load_cluster_script():
    spec = importlib.util.spec_from_file_location("ops_cluster", ROOT / "ops" / "cluster.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


HBA = """# TYPE  DATABASE        USER            ADDRESS                 METHOD
local   all             postgres                                peer
host    all             all             127.0.0.1/32            trust
host    replication     all             ::1/128                 scram-sha-256
"""


def test_cluster_stop_takes_back_the_replication_rule_that_start_added():
    cluster = load_cluster_script()
    started = HBA + f"\n{cluster.HBA_MARK}\n{cluster.HBA_RULE}\n"
    assert cluster.without_replication_rule(started) == HBA
    assert cluster.without_replication_rule(HBA) == HBA  # nothing of ours: nothing removed


def test_cluster_stop_keeps_a_replication_rule_the_administrator_wrote():
    cluster = load_cluster_script()
    own = HBA + f"{cluster.HBA_RULE}\n"  # the same line, without our mark
    assert cluster.without_replication_rule(own + f"\n{cluster.HBA_MARK}\n{cluster.HBA_RULE}\n") == own


def test_cluster_stop_edits_the_primarys_pg_hba_conf(tmp_path, monkeypatch):
    cluster = load_cluster_script()
    hba = tmp_path / "pg_hba.conf"
    hba.write_text(HBA)
    calls = []

    def psql(sql, *args, **kwargs):
        calls.append(sql)
        return str(hba) if sql == "SHOW hba_file" else ""

    monkeypatch.setattr(cluster, "psql", psql)
    monkeypatch.setattr(cluster, "log", lambda *a: None)
    hba.write_text(HBA + f"\n{cluster.HBA_MARK}\n{cluster.HBA_RULE}\n")  # as start_primary leaves it
    cluster.stop_primary()
    assert hba.read_text() == HBA
    assert "SELECT pg_reload_conf()" in calls


@pytest.mark.django_db
def test_a_backup_is_readable_by_its_owner_only(tmp_path):
    DetaineeFactory(is_published=False, name="A draft nobody may read")
    target = tmp_path / "dataset.json"
    target.write_text("an older file of that name")
    target.chmod(0o644)
    call_command("export_dataset", str(target), stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "A draft nobody may read" in target.read_text()


def test_the_makefile_backup_directory_is_owner_only():
    recipe = (ROOT / "Makefile").read_text().split("\nbackup:")[1].split("\n\n")[0]
    assert "-m 0700" in recipe and "chmod 0700 backups" in recipe


@postgres_only
@pytest.mark.django_db
def test_prepared_statements_are_prepared_again_on_a_new_session():
    """After `pg_terminate_backend` (or a restart), Django's health check at the next request opens a new session;
    the statements prepared on the old one must be prepared again there, not EXECUTEd ("does not exist")."""
    import psycopg2

    own = connections.create_connection("default")  # its own session, outside the test's transaction
    own.settings_dict = {**own.settings_dict, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}  # as in production
    try:
        assert execute_prepared(own, ("ops-test",), "SELECT %s::int + 1", [1]) == [(2,)]
        pid = own.connection.get_backend_pid()
        params = own.get_connection_params()
        other = psycopg2.connect(**{k: v for k, v in params.items() if k in ("host", "port", "user", "dbname")})
        other.autocommit = True
        other.cursor().execute("SELECT pg_terminate_backend(%s)", [pid])
        other.close()
        own.close_if_unusable_or_obsolete()  # what Django does when a request starts
        assert execute_prepared(own, ("ops-test",), "SELECT %s::int + 1", [41]) == [(42,)]
        assert own.connection.get_backend_pid() != pid
    finally:
        own.close()


def statement_timeout(*command: str, environment: dict) -> str:
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_ENV": "development"}
    for name in ("PROCESS_KIND", "DB_STATEMENT_TIMEOUT_MS", "DB_COMMAND_STATEMENT_TIMEOUT_MS"):
        env.pop(name, None)
    env.update(environment)
    result = subprocess.run([sys.executable, *command], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=True)  # fmt: skip
    return result.stdout.strip().splitlines()[-1]


SHOW = ("from django.db import connection; cursor = connection.cursor(); cursor.execute('SHOW statement_timeout'); "
        "print(cursor.fetchone()[0])")  # fmt: skip


@postgres_only
@pytest.mark.django_db
def test_management_commands_run_without_the_webs_statement_limit():
    environment = {"DB_STATEMENT_TIMEOUT_MS": "10000"}  # set for the web, as in production
    assert statement_timeout("manage.py", "shell", "-c", SHOW, environment=environment) == "0"
    command_limit = {**environment, "DB_COMMAND_STATEMENT_TIMEOUT_MS": "3600000"}
    assert statement_timeout("manage.py", "shell", "-c", SHOW, environment=command_limit) == "1h"
    web = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup(); "
    assert statement_timeout("-c", web + SHOW, environment=environment) == "10s"  # gunicorn: config.wsgi, no manage.py
    assert statement_timeout("-c", web + SHOW, environment={}) == "10s"  # the web's limit when none is configured


def test_collectstatic_writes_where_static_root_says(tmp_path):
    """A process that collects the static files while another serves them races it (CI on 5b23d2b: the cluster test's
    `collectstatic` deleted a hashed file under another worker's whitenoise scan, FileNotFoundError): STATIC_ROOT in
    the environment gives a process a directory of its own, and the cluster test uses one."""
    env = {**os.environ, "STATIC_ROOT": str(tmp_path / "collected")}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env,
                   capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    assert (tmp_path / "collected" / "admin" / "css" / "base.css").exists()
