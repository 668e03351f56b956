"""Load and fault checks against the production setup on this machine (gunicorn + PostgreSQL on loopback).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker .venv/bin/python bench/load_faults.py

1. Mixed reads from 50 concurrent clients for 60 s (pages, API lists, details, CSV): no error allowed.
2. 10 concurrent API writers create 1,000 records: afterwards each exists exactly once.
3. PostgreSQL is restarted in the middle of a read load: the app must answer again without being restarted.

Every loop is bounded in count and time and targets 127.0.0.1 only. Prints a table and writes JSON to
bench/results/. `--seconds` shortens the read phase; `--no-restart` skips the PostgreSQL restart.
"""

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
HOST, PORT = "127.0.0.1", int(os.environ.get("LOAD_PORT", "8791"))
READ_PATHS = ["/", "/detainees/", "/detainees/?q=griner", "/detainees/?status=exchanged&citizenship=US",
              "/detainees/brittney-griner/", "/exchanges/", "/exchanges/2024-ankara-prisoner-exchange/",
              "/api/v1/detainees/", "/api/v1/detainees/?q=bout", "/api/v1/exchanges/?country=TR",
              "/api/v1/statements/", "/api/v1/exchanges/?format=csv&year=2024", "/healthz"]  # fmt: skip


def request(method: str, path: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 10.0):
    conn = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, data
    finally:
        conn.close()


def start_server(env: dict) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"{HOST}:{PORT}", "--workers", "4",
           "--threads", "4", "--timeout", "30", "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if request("GET", "/healthz", timeout=2)[0] == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def read_load(clients: int, seconds: float) -> dict:
    """`clients` threads, each requesting random paths until `seconds` have passed."""
    stop = time.monotonic() + seconds
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker():
        rng = random.Random()
        while time.monotonic() < stop:
            path = rng.choice(READ_PATHS)
            started = time.monotonic()
            try:
                status, _ = request("GET", path)
            except OSError as exc:
                status = f"{type(exc).__name__}"
            elapsed = time.monotonic() - started
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(f"{path}: {status}")

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 30)
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "requests_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 1) if ordered else None,
    }


def concurrent_writes(token: str, writers: int, total: int) -> dict:
    """`writers` threads share `total` creations of outlets with unique names; each is then counted in the database."""
    from sources.models import Outlet

    prefix = f"load-{uuid.uuid4().hex[:8]}-"
    statuses: list = []
    lock = threading.Lock()

    def writer(start: int):
        for i in range(start, total, writers):
            body = json.dumps({"name": f"{prefix}{i:05d}", "kind": "other", "country": "RU"}).encode()
            headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
            try:
                status, _ = request("POST", "/api/v1/outlets/", body, headers)
            except OSError as exc:
                status = type(exc).__name__
            with lock:
                statuses.append(status)

    started = time.monotonic()
    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    names = list(Outlet.objects.filter(name__startswith=prefix).values_list("name", flat=True))
    Outlet.objects.filter(name__startswith=prefix).delete()
    return {
        "attempted": total,
        "created_201": statuses.count(201),
        "other_statuses": sorted({str(s) for s in statuses if s != 201}),
        "in_database": len(names),
        "distinct": len(set(names)),
        "exactly_once": len(names) == total == len(set(names)),
        "seconds": round(time.monotonic() - started, 1),
    }


def restart_postgres_during_load(seconds: float) -> dict:
    """Read load; PostgreSQL restarts a third of the way in; then the app must answer again by itself."""
    version = subprocess.run(["ls", "/etc/postgresql"], capture_output=True, text=True).stdout.split()[0]
    result: dict = {}

    def restart():
        time.sleep(seconds / 3)
        began = time.monotonic()
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True,
                       capture_output=True)  # fmt: skip
        result["restart_seconds"] = round(time.monotonic() - began, 1)

    restarter = threading.Thread(target=restart)
    restarter.start()
    load = read_load(8, seconds)
    restarter.join(60)
    recovered_after = None
    began = time.monotonic()
    while time.monotonic() - began < 20:
        try:
            if request("GET", "/api/v1/detainees/?page_size=1")[0] == 200:
                recovered_after = round(time.monotonic() - began, 2)
                break
        except OSError:
            pass
        time.sleep(0.2)
    after = read_load(4, 3)
    return {**result, "requests_during": load["requests"], "errors_during": load["errors"],
            "statuses_during": sorted(set(load["error_samples"])),
            "answers_again": recovered_after is not None, "errors_after": after["errors"]}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--no-restart", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from tests.factories import EditorFactory

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database: this script tests the production setup.")
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))
    editor = EditorFactory(username=f"load-writer-{uuid.uuid4().hex[:6]}")
    token = Token.objects.create(user=editor).key

    env = {**os.environ, "DJANGO_ENV": "production", "SECRET_KEY": "load-test-" + uuid.uuid4().hex * 2,
           "ALLOWED_HOSTS": HOST, "SECURE_SSL_REDIRECT": "false", "API_ANON_RATE": "100000000/minute",
           "CONN_MAX_AGE": "60"}  # fmt: skip
    server = start_server(env)
    results = {}
    try:
        print(f"1. {args.clients} clients, mixed reads for {args.seconds:.0f} s …", flush=True)
        results["mixed_reads"] = read_load(args.clients, args.seconds)
        print("2. 10 writers, 1,000 records …", flush=True)
        results["concurrent_writes"] = concurrent_writes(token, 10, 1000)
        if not args.no_restart:
            print("3. PostgreSQL restart under load …", flush=True)
            results["postgres_restart"] = restart_postgres_during_load(15)
    finally:
        server.terminate()
        server.wait(30)
        from django.db import connections

        connections.close_all()  # ours did not survive the restart either
        editor.delete()

    reads, writes = results["mixed_reads"], results["concurrent_writes"]
    rows = [
        ("mixed reads: requests", reads["requests"]), ("mixed reads: errors", reads["errors"]),
        ("mixed reads: requests/s", reads["requests_per_s"]), ("mixed reads: p50 ms", reads["p50_ms"]),
        ("mixed reads: p95 ms", reads["p95_ms"]), ("writes: created (201)", writes["created_201"]),
        ("writes: in database, each once", f"{writes['in_database']} ({writes['exactly_once']})"),
    ]  # fmt: skip
    if "postgres_restart" in results:
        r = results["postgres_restart"]
        rows += [("restart: errors while PostgreSQL was down", r["errors_during"]),
                 ("restart: app answers again, unrestarted", r["answers_again"]),
                 ("restart: errors after recovery", r["errors_after"])]  # fmt: skip
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    out = ROOT / "bench" / "results" / f"load_faults-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"Wrote {out.relative_to(ROOT)}")
    ok = reads["errors"] == 0 and writes["exactly_once"] and results.get("postgres_restart", {}).get(
        "answers_again", True) and results.get("postgres_restart", {}).get("errors_after", 0) == 0  # fmt: skip
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
