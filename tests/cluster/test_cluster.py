"""`make cluster` driven from outside: HAProxy, two gunicorn servers, a streaming PostgreSQL replica, shared Redis.

Runs in the PostgreSQL pass (it starts its own database on the primary of DATABASE_URL's machine, 127.0.0.1:5432)
and needs root, Debian's PostgreSQL cluster tools, HAProxy and Redis. Without them it skips with the reason; with
CLUSTER_REQUIRED=1 (CI) it fails instead. Everything it starts is stopped and dropped at the end. Stop a
`make cluster` of your own first: both use the ports 8160-8162 and 5433 unless CLUSTER_PORT and
CLUSTER_REPLICA_PORT say otherwise.
"""

import concurrent.futures
import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.servers import ROOT, get, redis_url_or_skip

# One process runs these tests (they share one cluster on fixed ports): `make test` distributes by xdist group.
pytestmark = [pytest.mark.cluster, pytest.mark.xdist_group("cluster")]

CLUSTER = str(ROOT / "ops" / "cluster.py")
TOOLS = ("pg_createcluster", "pg_basebackup", "pg_conftool", "haproxy", "psql", "runuser")


def skip_or_fail(reason: str):
    if os.environ.get("CLUSTER_REQUIRED"):
        pytest.fail(f"CLUSTER_REQUIRED is set but {reason}")
    pytest.skip(reason)


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def request(url: str, method: str = "GET", token: str | None = None, data: dict | None = None):
    import urllib.error
    import urllib.request

    headers = {"Content-Type": "application/json"} if data is not None else {}
    if token:
        headers["Authorization"] = f"Token {token}"
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("the cluster test runs in the PostgreSQL pass (DATABASE_URL=postgres://…)")
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        skip_or_fail(f"{', '.join(missing)} missing (apt-get install postgresql-common haproxy)")
    if os.geteuid() != 0:
        skip_or_fail("pg_createcluster and pg_basebackup need root here")
    redis_url = redis_url_or_skip()
    # One cluster at a time on this machine (fixed ports, one database): pytest-xdist keeps this module's tests in one
    # process (xdist_group, tests/xdist_groups.py); should one reach another process, it waits here for the first.
    lock = open(Path(tempfile.gettempdir()) / "tracker-cluster-test.lock", "w")  # noqa: SIM115 (held until teardown)
    fcntl.flock(lock, fcntl.LOCK_EX)
    lb_port = int(os.environ.get("CLUSTER_PORT", "8160"))
    replica_port = int(os.environ.get("CLUSTER_REPLICA_PORT", "5433"))
    busy = [p for p in (lb_port, lb_port + 1, lb_port + 2, replica_port) if port_in_use(p)]
    if busy:
        pytest.fail(f"ports {busy} are in use: stop `make cluster` (make cluster-stop) first")
    env = {
        **os.environ,
        "CLUSTER_DB": os.environ.get("CLUSTER_TEST_DB", "tracker_cluster_test"),
        "CLUSTER_REPLICA_NAME": os.environ.get("CLUSTER_TEST_REPLICA_NAME", "tracker_replica_test"),
        "CLUSTER_PORT": str(lb_port),
        "CLUSTER_REPLICA_PORT": str(replica_port),
        "REDIS_URL": redis_url,
        # its own collected files: a collectstatic into the checkout's staticfiles/ deleted a file under another
        # worker's whitenoise while it scanned them (FileNotFoundError, CI on 5b23d2b)
        "STATIC_ROOT": str(tmp_path_factory.mktemp("cluster-static")),
    }
    env.pop("DATABASE_URL", None)
    started = time.monotonic()
    # pg_basebackup copies every database of the shared primary: minutes on a busy machine.
    result = subprocess.run([sys.executable, CLUSTER, "start"], env=env, capture_output=True, text=True, timeout=900)
    try:
        assert result.returncode == 0, result.stderr
        print(f"cluster up in {time.monotonic() - started:.0f} s")
        yield {"url": f"http://127.0.0.1:{lb_port}", "env": env, "replica_port": replica_port, "db": env["CLUSTER_DB"],
               "token": make_editor(env)}  # fmt: skip
    finally:
        try:
            stopped = subprocess.run([sys.executable, CLUSTER, "stop", "--drop-database"], env=env,
                                     capture_output=True, text=True, timeout=120)  # fmt: skip
            assert stopped.returncode == 0, stopped.stderr
            hba = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atqc", "SHOW hba_file"],
                                 capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
            assert "added by the tracker's ops/cluster.py" not in open(hba).read()  # stop took its rule back
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()


def make_editor(env: dict) -> str:
    """A superuser with an API token, made on the primary."""
    name = f"editor-{uuid.uuid4().hex[:6]}"
    script = (
        "from django.contrib.auth.models import User; from rest_framework.authtoken.models import Token; "
        f"print(Token.objects.create(user=User.objects.create_superuser('{name}', None, 'x')).key)"
    )
    primary = {"DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{env['CLUSTER_DB']}", "DJANGO_ENV": "development"}
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, capture_output=True,
                            text=True, env={**env, **primary}, check=True)  # fmt: skip
    return result.stdout.strip().splitlines()[-1]


def replica_sql(cluster, sql: str) -> str:
    result = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(cluster["replica_port"]), "-U", "postgres", "-d",
                             cluster["db"], "-Atqc", sql], capture_output=True, text=True, check=True)  # fmt: skip
    return result.stdout.strip()


def test_anonymous_reads_come_from_the_replica_and_editors_read_their_writes_at_once(cluster):
    url, token = cluster["url"], cluster["token"]
    status, headers, _ = request(url + "/api/v1/detainees/?page_size=5")
    assert status == 200 and headers["X-Read-Database"] == "replica"
    assert headers["Cache-Control"].startswith("public") and headers["X-Data-Version"]
    status, headers, _ = request(url + "/api/v1/detainees/?page_size=5", token=token)
    assert status == 200 and headers["X-Read-Database"] == "default" and headers["Cache-Control"] == "private, no-store"
    # The app servers hold connections to the replica's copy of the database.
    assert int(replica_sql(cluster, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                                    "AND pid <> pg_backend_pid()")) >= 1  # fmt: skip

    # With the replica's replay paused, a new record exists for the editor at once and not yet for the public:
    # proof that anonymous reads are served by the replica and editors' by the primary.
    replica_sql(cluster, "SELECT pg_wal_replay_pause()")
    try:
        status, _, body = request(url + "/api/v1/outlets/", "POST", token, {"name": f"Cluster {uuid.uuid4().hex[:6]}"})
        assert status == 201, body
        outlet = json.loads(body)["id"]
        status, headers, _ = request(f"{url}/api/v1/outlets/{outlet}/", token=token)
        assert (status, headers["X-Read-Database"]) == (200, "default")
        status, headers, _ = request(f"{url}/api/v1/outlets/{outlet}/")
        assert (status, headers["X-Read-Database"]) == (404, "replica")
    finally:
        replica_sql(cluster, "SELECT pg_wal_replay_resume()")
    deadline = time.monotonic() + 15
    while request(f"{url}/api/v1/outlets/{outlet}/")[0] != 200:
        assert time.monotonic() < deadline, "the replica did not catch up within 15 s"
        time.sleep(0.2)


def primary_sql(sql: str, db: str = "postgres") -> str:
    result = subprocess.run(["psql", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-d", db, "-Atqc", sql],
                            capture_output=True, text=True, check=True)  # fmt: skip
    return result.stdout.strip()


READ_PATHS = ["/", "/detainees/", "/exchanges/", "/api/v1/detainees/", "/api/v1/exchanges/?page_size=5",
              "/api/v1/sources/", "/healthz"]  # fmt: skip


def read_database(headers: dict) -> str:
    """X-Read-Database from a header dict (HAProxy sends header names in lower case)."""
    return headers.get("X-Read-Database") or headers.get("x-read-database") or ""


def reads_under_load(url: str, run_for: float, event_at: float, event, clients: int = 6) -> list[tuple]:
    """Anonymous reads from `clients` threads for `run_for` seconds; `event()` runs after `event_at` seconds.
    Returns (elapsed, status, read database, path) per request."""
    results: list[tuple] = []
    lock = threading.Lock()
    began = time.monotonic()

    def client(n: int) -> None:
        i = n
        while (elapsed := time.monotonic() - began) < run_for:
            path = READ_PATHS[i % len(READ_PATHS)]
            try:
                status, headers, _ = get(url + path, timeout=15)
                alias = read_database(headers)
            except OSError as error:
                status, alias = 0, repr(error)
            with lock:
                results.append((elapsed, status, alias, path))
            i += 1

    with concurrent.futures.ThreadPoolExecutor(max_workers=clients) as pool:
        futures = [pool.submit(client, n) for n in range(clients)]
        time.sleep(event_at)
        event()
        for future in futures:
            future.result()
    return results


def test_the_replica_stops_mid_load_and_no_read_fails(cluster):
    """Anonymous reads fall back to the primary; /healthz says degraded and stays 200, so HAProxy keeps the
    servers; when the replica is back, reads return to it."""
    url, env = cluster["url"], cluster["env"]
    version, name = primary_sql("SHOW server_version_num")[:-4], env["CLUSTER_REPLICA_NAME"]
    stop_at, run_for = 2.0, 8.0
    try:
        results = reads_under_load(url, run_for, stop_at,
                                   lambda: subprocess.run(["pg_ctlcluster", version, name, "stop", "-m", "fast"],
                                                          check=True, capture_output=True))  # fmt: skip
        failed = [r for r in results if r[1] != 200]
        after = {alias for t, _, alias, path in results if t > stop_at + 1.5 and path.startswith("/api/")}
        print(f"replica stopped at {stop_at:.0f} s: {len(results)} reads in {run_for:.0f} s, {len(failed)} failed")
        assert not failed, failed[:5]
        # Before: from the replica (a read the standby cancels — a recovery conflict with another database's
        # cleanup on the shared primary — is answered again from the primary, so "default" may appear too).
        assert "replica" in {alias for t, _, alias, path in results if t < stop_at and path.startswith("/api/")}
        assert after == {"default"}
        status, _, body = get(url + "/healthz")
        assert status == 200 and json.loads(body) == {"status": "degraded", "primary": "ok", "replica": "unreachable"}
    finally:
        subprocess.run(["pg_ctlcluster", version, name, "start"], check=True, capture_output=True)
    deadline = time.monotonic() + 30
    while read_database(get(url + "/api/v1/detainees/")[1]) != "replica":
        assert time.monotonic() < deadline, "reads did not return to the replica within 30 s"
        time.sleep(0.5)
    # Each app server's processes look at the replica at most once a second and prefer the primary for a few seconds
    # after a failover: the process answering /healthz comes back on its own next check.
    while json.loads(get(url + "/healthz")[2])["status"] != "ok":
        assert time.monotonic() < deadline, "/healthz did not say ok within 30 s of the replica's return"
        time.sleep(0.5)


def test_the_primary_becomes_unreachable_mid_load_reads_keep_working_and_writes_answer_503(cluster):
    """The shared PostgreSQL on :5432 cannot be stopped here: a pg_hba.conf rule refusing the cluster's database
    (its connections terminated) makes the primary unreachable for the app alone; streaming goes on."""
    url, db, token = cluster["url"], cluster["db"], cluster["token"]
    hba = primary_sql("SHOW hba_file")
    original = open(hba).read()
    reject = f"host {db} all 127.0.0.1/32 reject  # tests/cluster: the primary unreachable for the app\n"

    def cut_off_primary():
        with open(hba, "w") as f:
            f.write(reject + original)
        primary_sql("SELECT pg_reload_conf()")
        primary_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'")

    stop_at, run_for = 2.0, 8.0
    try:
        results = reads_under_load(url, run_for, stop_at, cut_off_primary)
        status, headers, body = request(url + "/api/v1/outlets/", "POST", token, {"name": "Written while down"})
        health_status, _, health = get(url + "/healthz")
    finally:
        with open(hba, "w") as f:
            f.write(original)
        primary_sql("SELECT pg_reload_conf()")
    failed = [r for r in results if r[1] != 200]
    print(f"primary cut off at {stop_at:.0f} s: {len(results)} reads in {run_for:.0f} s, {len(failed)} failed")
    assert not failed, failed[:5]
    assert {alias for t, _, alias, path in results if t > stop_at + 1.5 and path.startswith("/api/")} == {"replica"}
    assert status == 503 and headers["Retry-After"], body
    assert health_status == 200
    assert json.loads(health) == {"status": "degraded", "primary": "unreachable", "replica": "ok"}
    deadline = time.monotonic() + 30
    while request(url + "/api/v1/outlets/", "POST", token, {"name": f"Back {uuid.uuid4().hex[:6]}"})[0] != 201:
        assert time.monotonic() < deadline, "writes did not come back within 30 s"
        time.sleep(0.5)


def test_one_app_server_stops_mid_load_and_no_request_fails(cluster):
    url = cluster["url"]
    paths = ["/", "/detainees/", "/exchanges/", "/api/v1/detainees/", "/api/v1/exchanges/?page_size=5", "/healthz"]
    stop_at, run_for = 2.0, 7.0
    results: list[tuple[float, int, str]] = []
    lock = threading.Lock()
    began = time.monotonic()

    def client(n: int) -> None:
        i = n
        while (elapsed := time.monotonic() - began) < run_for:
            try:
                status, headers, _ = get(url + paths[i % len(paths)], timeout=15)
                server = headers.get("X-App-Server", "") or headers.get("x-app-server", "")
            except OSError as error:
                status, server = 0, repr(error)
            with lock:
                results.append((elapsed, status, server))
            i += 1

    pidfile = ROOT / "var" / "cluster" / f"app-{int(url.rsplit(':', 1)[1]) + 1}.pid"
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(client, n) for n in range(6)]
        time.sleep(stop_at)
        os.kill(int(pidfile.read_text().split()[0]), 15)  # gunicorn's graceful stop, as a deploy or a crash would
        for future in futures:
            future.result()
    failed = [r for r in results if r[1] != 200]
    served_before = {server for t, status, server in results if t < stop_at}
    served_after = {server for t, status, server in results if t > stop_at + 3}
    print(f"{len(results)} requests in {run_for:.0f} s through HAProxy, one app server stopped at {stop_at:.0f} s, "
          f"{len(failed)} failed")  # fmt: skip
    assert not failed, failed[:5]
    assert served_before == {"app1", "app2"} and served_after == {"app2"}
    assert len(results) > 30


def test_a_replica_that_replayed_a_wal_switch_is_not_lagging_while_the_primary_is_idle(cluster):
    """After a segment switch (the end of a pg_basebackup, an archive_timeout) the replica has received up to the
    next segment's start and replayed up to the switch record: everything there is. The lag read as the age of the
    primary's last commit instead, growing while nothing was written (CI: "lagging 18 s" on an idle primary)."""
    from common.routing import LAG_SQL

    switched = primary_sql("SELECT pg_switch_wal()")  # the end of the switch record
    deadline = time.monotonic() + 15
    while replica_sql(cluster, f"SELECT pg_last_wal_replay_lsn() >= '{switched}'::pg_lsn") != "t":
        assert time.monotonic() < deadline, "the replica did not replay the switch within 15 s"
        time.sleep(0.1)
    # What the old reading would say (more than 0 whenever no commit followed the switch: then the two positions
    # differ) against the new one, which must be 0 however long the primary stays idle.
    assert float(replica_sql(cluster, LAG_SQL)) == 0
