"""The production layout on one machine: `make cluster` / `make cluster-stop` (`python ops/cluster.py start|stop`).

    HAProxy :8160 ──► gunicorn :8161 ─┐   reads of anonymous visitors ──► PostgreSQL replica :5433 (streaming)
                  └─► gunicorn :8162 ─┴─► writes, editors' reads ───────► PostgreSQL primary :5432
                                      └─► Redis (cache, page cache, API limit), shared

- The primary is the PostgreSQL cluster already serving 127.0.0.1:5432 (trust on loopback). `start` lets it accept
  replication connections from 127.0.0.1 (one pg_hba.conf line, then a reload) and gives the replica a
  replication slot, so the primary keeps the WAL the replica still needs; `stop` drops the replica and the slot and
  takes the pg_hba.conf line back out.
- The replica is a new Debian cluster (`pg_createcluster`), its data directory replaced by `pg_basebackup -R` of
  the primary: a hot standby that streams every change.
- The database (CLUSTER_DB) is created and migrated on the primary and gets the demo cases.
- Two gunicorn servers in production mode (DJANGO_ENV=production) with DATABASE_URL (primary),
  DATABASE_REPLICA_URL (replica), REDIS_URL, PROXY_COUNT=1 and DB_ALIAS_HEADER=true.
- HAProxy from Debian's package, round robin, health checks on /healthz every second, and retries of a request
  on the other server when a server refuses the connection (`retry-on conn-failure …`, `option redispatch`), so
  one server can stop without a failed request.

Settings (environment, with defaults): CLUSTER_DB=tracker_cluster, CLUSTER_PORT=8160 (HAProxy; the app servers use
the next two ports), CLUSTER_REPLICA_NAME=tracker_replica, CLUSTER_REPLICA_PORT=5433, CLUSTER_PRIMARY_PORT=5432,
REDIS_URL=redis://127.0.0.1:6379/5, CLUSTER_WORKERS=2 (per app server). State, logs and pid files: var/cluster/.
Needs root (or the postgres user's rights) for pg_createcluster and pg_basebackup. Nothing here leaves loopback.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE = ROOT / "var" / "cluster"
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

DB = os.environ.get("CLUSTER_DB", "tracker_cluster")
LB_PORT = int(os.environ.get("CLUSTER_PORT", "8160"))
APP_PORTS = [LB_PORT + 1, LB_PORT + 2]
REPLICA_NAME = os.environ.get("CLUSTER_REPLICA_NAME", "tracker_replica")
REPLICA_PORT = int(os.environ.get("CLUSTER_REPLICA_PORT", "5433"))
PRIMARY_PORT = int(os.environ.get("CLUSTER_PRIMARY_PORT", "5432"))
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5")
WORKERS = os.environ.get("CLUSTER_WORKERS", "2")
SLOT = "".join(c if c.isalnum() else "_" for c in REPLICA_NAME.lower())
PRIMARY_URL = f"postgres://postgres@127.0.0.1:{PRIMARY_PORT}/{DB}"
REPLICA_URL = f"postgres://postgres@127.0.0.1:{REPLICA_PORT}/{DB}"
TOOLS = (
    "pg_createcluster",
    "pg_dropcluster",
    "pg_ctlcluster",
    "pg_lsclusters",
    "pg_conftool",
    "runuser",
    "pg_basebackup",
    "psql",
    "haproxy",
)


def log(message: str) -> None:
    print(f"[cluster] {message}", file=sys.stderr, flush=True)


class Failed(Exception):
    pass


def run(*args, check=True, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, text=True, capture_output=True, **kwargs)
    if check and result.returncode:
        raise Failed(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


def psql(sql: str, port: int = PRIMARY_PORT, db: str = "postgres") -> str:
    result = run("psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", db, "-Atqc", sql)
    return result.stdout.strip()


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def pg_version() -> str:
    """The major version of the primary, which the replica must share."""
    return psql("SHOW server_version_num")[:-4]


def replica_exists(version: str) -> bool:
    listing = run("pg_lsclusters", "--no-header").stdout.split("\n")
    return any(line.split()[:2] == [version, REPLICA_NAME] for line in listing if line.strip())


def app_env() -> dict:
    state = json.loads((STATE / "state.json").read_text()) if (STATE / "state.json").exists() else {}
    return {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "cluster-local-only-not-for-real-use-0123456789abcdef0123456789",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": PRIMARY_URL,
        "DATABASE_REPLICA_URL": REPLICA_URL,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": state.get("prefix", "cluster"),
        "PROXY_COUNT": "1",
        "DB_ALIAS_HEADER": "true",
        "API_ANON_RATE": os.environ.get("API_ANON_RATE", "100000/minute"),
        "DUMP_DIR": str(STATE / "dump"),
    }


def manage(*args) -> None:
    env = {**app_env(), "DATABASE_REPLICA_URL": ""}  # commands write: the primary only
    run(PY, "manage.py", *args, cwd=ROOT, env=env)


def wait_for(what: str, ready, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ready():
                return
        except (OSError, Failed):
            pass
        time.sleep(0.3)
    raise SystemExit(f"[cluster] {what} not ready after {timeout:.0f} s")


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except urllib.error.URLError:
        return False


def start_primary() -> None:
    rules = psql("SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database) "
                 "AND (address IS NULL OR address = '127.0.0.1') AND auth_method = 'trust'")  # fmt: skip
    if rules == "0":
        hba = psql("SHOW hba_file")
        log(f"allowing replication connections from 127.0.0.1 in {hba}")
        with open(hba, "a") as f:
            f.write(f"\n{HBA_MARK}\n{HBA_RULE}\n")
        psql("SELECT pg_reload_conf()")
    if psql(f"SELECT count(*) FROM pg_database WHERE datname = '{DB}'") == "0":
        psql(f'CREATE DATABASE "{DB}"')
    log(f"migrating {DB} and loading the demo cases")
    manage("migrate", "--noinput", "-v0")
    manage("load_demo")
    manage("collectstatic", "--noinput", "-v0")


HBA_MARK = "# added by the tracker's ops/cluster.py: a local streaming replica"
HBA_RULE = "host replication all 127.0.0.1/32 trust"


def without_replication_rule(text: str) -> str:
    """pg_hba.conf as it was before `start_primary` added its rule: the rule under our mark, the mark and the blank
    line before it removed; every other line (a replication rule the administrator wrote included) kept."""
    lines, kept = text.split("\n"), []
    skip_rule = False
    for line in lines:
        if line == HBA_MARK:
            if kept and kept[-1] == "":
                kept.pop()
            skip_rule = True
            continue
        if skip_rule and line == HBA_RULE:
            skip_rule = False
            continue
        skip_rule = False
        kept.append(line)
    return "\n".join(kept)


def stop_primary() -> None:
    """Take back the replication rule `start_primary` added: a trust rule for replication is left open to anyone on
    the machine to stream the whole cluster (every database, drafts included) otherwise."""
    hba = Path(psql("SHOW hba_file"))
    text = hba.read_text()
    if HBA_MARK in text:
        log(f"removing the replication rule from {hba}")
        hba.write_text(without_replication_rule(text))
        psql("SELECT pg_reload_conf()")


def start_replica(version: str) -> None:
    if replica_exists(version):
        run("pg_ctlcluster", version, REPLICA_NAME, "start", check=False)
        return
    log(f"creating replica {version}/{REPLICA_NAME} on port {REPLICA_PORT} with pg_basebackup")
    run("pg_createcluster", version, REPLICA_NAME, "-p", str(REPLICA_PORT))
    data = Path(run("pg_conftool", "-s", version, REPLICA_NAME, "show", "data_directory").stdout.strip())
    for entry in data.iterdir():  # pg_basebackup fills the (empty) directory pg_createcluster made for postgres
        shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    if psql(f"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{SLOT}'") != "0":
        psql(f"SELECT pg_drop_replication_slot('{SLOT}')")
    run("runuser", "-u", "postgres", "--", "pg_basebackup", "-h", "127.0.0.1", "-p", str(PRIMARY_PORT),
        "-U", "postgres", "-D", str(data), "-R", "-X", "stream", "-C", "-S", SLOT, "--checkpoint=fast")  # fmt: skip
    # The replica answers on loopback as the primary does (trust): the same pg_hba.conf.
    hba = run("pg_conftool", "-s", version, REPLICA_NAME, "show", "hba_file").stdout.strip()
    shutil.copyfile(psql("SHOW hba_file"), hba)
    run("pg_ctlcluster", version, REPLICA_NAME, "start")


def start_app(port: int) -> None:
    pidfile = STATE / f"app-{port}.pid"
    if pidfile.exists() and http_ok(f"http://127.0.0.1:{port}/healthz"):
        return
    run(GUNICORN, "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", WORKERS, "--daemon",
        "--pid", str(pidfile), "--log-file", str(STATE / f"app-{port}.log"), cwd=ROOT, env=app_env())  # fmt: skip
    wait_for(f"gunicorn on {port}", lambda: http_ok(f"http://127.0.0.1:{port}/healthz"))


HAPROXY = """global
    maxconn 1024

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    # A request the chosen server refuses (stopped, restarting) goes to the other one.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response 503

frontend web
    bind 127.0.0.1:{lb}
    option forwardfor
    default_backend app

backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host localhost
    default-server check inter 1s fall 2 rise 2
    http-response set-header X-App-Server %s
{servers}
"""


def start_balancer() -> None:
    pidfile = STATE / "haproxy.pid"
    if pidfile.exists() and http_ok(f"http://127.0.0.1:{LB_PORT}/healthz"):
        return
    servers = "\n".join(f"    server app{i} 127.0.0.1:{port}" for i, port in enumerate(APP_PORTS, 1))
    config = STATE / "haproxy.cfg"
    config.write_text(HAPROXY.format(lb=LB_PORT, servers=servers))
    run("haproxy", "-c", "-q", "-f", str(config))
    run("haproxy", "-D", "-f", str(config), "-p", str(pidfile))
    wait_for("HAProxy", lambda: http_ok(f"http://127.0.0.1:{LB_PORT}/healthz"))


def start() -> None:
    missing = missing_tools()
    if missing:
        raise SystemExit(f"[cluster] missing: {', '.join(missing)} (apt-get install postgresql haproxy)")
    STATE.mkdir(parents=True, exist_ok=True)
    if not (STATE / "state.json").exists():  # cache keys of this cluster's life only (its ids may repeat later)
        (STATE / "state.json").write_text(json.dumps({"prefix": f"cluster-{uuid.uuid4().hex[:8]}"}))
    started = time.monotonic()
    version = pg_version()
    start_primary()
    start_replica(version)
    wait_for("the replica", lambda: psql("SELECT pg_is_in_recovery()", REPLICA_PORT, DB) == "t")
    for port in APP_PORTS:
        start_app(port)
    start_balancer()
    log(f"up in {time.monotonic() - started:.0f} s: http://127.0.0.1:{LB_PORT}/ (app servers {APP_PORTS}, "
        f"primary :{PRIMARY_PORT}, replica :{REPLICA_PORT}, {REDIS_URL})")  # fmt: skip


def stop_pidfile(pidfile: Path, timeout: float = 30) -> None:
    if not pidfile.exists():
        return
    try:
        pid = int(pidfile.read_text().split()[0])
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            os.kill(pid, 0)
            time.sleep(0.2)
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, ValueError, IndexError):
        pass
    pidfile.unlink(missing_ok=True)


def stop(drop_database: bool = False) -> None:
    stop_pidfile(STATE / "haproxy.pid")
    for port in APP_PORTS:
        stop_pidfile(STATE / f"app-{port}.pid")
    version = pg_version()
    if replica_exists(version):
        log(f"dropping replica {version}/{REPLICA_NAME}")
        run("pg_dropcluster", "--stop", version, REPLICA_NAME)
    if psql(f"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{SLOT}'") != "0":
        psql(f"SELECT pg_drop_replication_slot('{SLOT}')")
    stop_primary()
    if (STATE / "state.json").exists():
        prefix = json.loads((STATE / "state.json").read_text())["prefix"]
        try:
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            keys = list(client.scan_iter(f"{prefix}*", count=1000))
            if keys:
                client.delete(*keys)
        except Exception as error:  # noqa: BLE001 - a cache left behind expires on its own
            log(f"could not clear the cache keys {prefix}*: {error}")
        (STATE / "state.json").unlink()
    if drop_database:
        psql(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    log("stopped")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    try:
        if command == "start":
            start()
        elif command == "stop":
            stop(drop_database="--drop-database" in sys.argv)
        else:
            raise SystemExit("usage: ops/cluster.py start | stop [--drop-database]")
    except Failed as error:
        raise SystemExit(f"[cluster] {error}") from None
