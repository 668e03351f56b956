"""Write costs at scale: what an editor's save costs with all its derived state, alone and ten at a time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_<copy> .venv/bin/python bench/writes.py \
        [--samples 60] [--writers 10] [--each 100] [--workers 4] [--port 8870] [--skip-csv] [--out NAME]

Run it against a COPY of a large database (it writes: descriptions, charges, review items), migrated first. It
starts gunicorn with DEBUG off (as `bench/run.py` does) and, when the settings defer derived state to the worker
(`AFTER_WRITE_IN_REQUEST` off), the worker too (`manage.py alerts_worker`), as production runs both; then measures:

- PATCH of a person's description and POST of a charge (with its source): p50/p95 over distinct people, one at a
  time, and how long after the last of them every derived state was current (no case mark, no feed mark left);
- `--writers` concurrent writers × `--each` PATCHes on distinct cases that all cite one source: PATCHes/s, non-2xx
  answers, and deadlocks (PostgreSQL's own counter, `pg_stat_database.deadlocks`, before and after);
- the CSV of every person (`/api/v1/detainees/?format=csv`): time to the last byte;
- a breakdown, in-process, of where one PATCH's time goes (the view, the published-means-sourced check and how
  many times it ran, the review queue, the history row, the write statement with its triggers and without, the
  document rebuild, the feed publish, the enqueue), summed over `--samples` PATCHes.

Prints a table and writes bench/results/writes-<name>.json and .txt.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The in-process profile runs the production settings (DEBUG off), as gunicorn does.
PRODUCTION = {"DJANGO_ENV": "production", "SECRET_KEY": "bench-" + "k" * 60, "ALLOWED_HOSTS": "127.0.0.1,testserver",
              "SECURE_SSL_REDIRECT": "false", "CONN_MAX_AGE": "600", "API_ANON_RATE": "1000000000/minute",
              "API_USER_RATE": "1000000000/minute", "PAGE_CACHE_SECONDS": "0"}  # fmt: skip
for key, value in PRODUCTION.items():
    os.environ.setdefault(key, value)

from bench import run as bench_run  # noqa: E402

HOST = bench_run.HOST


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(q * len(values)))], 1) if values else 0.0


def summary(times_ms: list[float]) -> dict:
    return {"n": len(times_ms), "p50_ms": round(statistics.median(times_ms), 1) if times_ms else 0.0,
            "p95_ms": pct(times_ms, 0.95), "max_ms": round(max(times_ms), 1) if times_ms else 0.0}  # fmt: skip


def prepare(args) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from rest_framework.authtoken.models import Token

    from detainees.models import Detainee, Detention
    from sources.models import Source

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production's manifest storage, as gunicorn's
    user, _ = get_user_model().objects.get_or_create(
        username="bench-writes", defaults={"is_staff": True, "is_superuser": True}
    )
    token, _ = Token.objects.get_or_create(user=user)
    published = Detainee.objects.published()
    people = list(published.order_by("pk").values_list("pk", flat=True)[1000 : 1000 + 2 * args.samples])
    detentions = list(Detention.objects.filter(detainee__is_published=True, detainee_id__gt=people[-1])
                      .order_by("detainee_id", "pk").distinct("detainee_id")
                      .values_list("pk", "detainee_id")[: args.samples])  # fmt: skip
    source = Source.objects.order_by("pk").values_list("pk", flat=True).first()
    through = Detainee.sources.through
    shared = (through.objects.filter(detainee__is_published=True).values("source_id")
              .annotate(n=Count("detainee_id")).filter(n__gte=args.writers).order_by("-n", "source_id")
              .values_list("source_id", flat=True).first())  # fmt: skip
    if shared is None:  # synthetic people cite sources of their own: make `writers` of them cite one more, shared
        shared = source
        chosen = list(published.filter(pk__gt=people[-1]).exclude(pk__in=[p for _, p in detentions])
                      .order_by("-pk").values_list("pk", flat=True)[: args.writers])  # fmt: skip
        through.objects.bulk_create([through(detainee_id=pk, source_id=shared) for pk in chosen],
                                    ignore_conflicts=True)  # fmt: skip
    cases = list(through.objects.filter(source_id=shared, detainee__is_published=True)
                 .exclude(detainee_id__in=people).order_by("detainee_id")
                 .values_list("detainee_id", flat=True)[: args.writers])  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        database = cursor.fetchone()[0]
    return {"token": token.key, "people": people, "detentions": detentions, "source": source, "shared": shared,
            "cases": cases, "database": database, "total": Detainee.objects.count(),
            "published": published.count()}  # fmt: skip


def pending() -> tuple[int, int]:
    """(stored documents stale, feed marks left): both 0 when every derived state is current."""
    from casedocs.services import stale
    from changes.models import Mark

    return stale().count(), Mark.objects.count()


def drain(picks: dict, shortcut: bool) -> None:
    """Everything derived made current before measuring (what a bulk import ends with).

    `shortcut` (a fresh copy of a generated database whose feed was never published and whose documents were never
    built, 3.5 million marks: hours of work on a shared 2-core machine): the feed's marks are dropped, as if
    published (the feed starts empty; a write's own marks are then published as in production, the comparison with
    nothing published before costing no more than with an earlier event), the marks of people with no stored
    document are pruned, and the documents of every person the benchmark writes to are built. Never on a real
    database."""
    from django.db import connection

    from casedocs.models import CaseDocument
    from casedocs.services import build, prune
    from detainees.models import Detainee

    if shortcut:
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE changes_mark")
        prune()
        people = {*picks["people"], *(p for _, p in picks["detentions"]), *picks["cases"]}
        built = set(CaseDocument.objects.filter(pk__in=people, built_on__isnull=False).values_list("pk", flat=True))
        published = set(Detainee.objects.published().filter(pk__in=people).values_list("pk", flat=True))
        todo = sorted(published - built)
        for start in range(0, len(todo), 50):
            build(todo[start : start + 50])
    from common.derived import drain as drain_marks

    drain_marks(documents=None, marks=None)  # the stale documents and the feed's marks, as the worker drains them


def deadlocks(database: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = %s", [database])
        return cursor.fetchone()[0]


def request(method: str, path: str, body: dict | None, token: str, port: int) -> tuple[float, int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json", "Host": HOST}
    started = time.perf_counter()
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    return elapsed, response.status, data


def settle(limit_s: float = 600) -> float:
    """Seconds until no case mark and no feed mark is left (the worker's lag behind the writes)."""
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if pending() == (0, 0):
            break
        time.sleep(0.1)
    return round(time.monotonic() - started, 2)


def sequential(picks: dict, port: int, tag: str) -> dict:
    patch, post, failures = [], [], []
    for n, pk in enumerate(picks["people"]):
        ms, status, data = request("PATCH", f"/api/v1/detainees/{pk}/",
                                   {"description": f"Bench edit {tag} {n}"}, picks["token"], port)  # fmt: skip
        (patch if status == 200 else failures).append(ms if status == 200 else (status, data[:200]))
    patch_lag = settle()
    for n, (detention, _person) in enumerate(picks["detentions"]):
        ms, status, data = request("POST", "/api/v1/charges/", {
            "detention": detention, "category": "espionage", "statute": f"Bench {tag} {n}",
            "sources": [picks["source"]]}, picks["token"], port)  # fmt: skip
        (post if status == 201 else failures).append(ms if status == 201 else (status, data[:200]))
    post_lag = settle()
    return {"patch_description": {**summary(patch[len(patch) // 6:]), "derived_current_after_s": patch_lag},
            "post_charge": {**summary(post[len(post) // 6:]), "derived_current_after_s": post_lag},
            "failures": [str(f) for f in failures[:5]], "failed": len(failures)}  # fmt: skip


def concurrent(picks: dict, port: int, writers: int, each: int, tag: str) -> dict:
    statuses: dict[int, int] = defaultdict(int)
    times: list[float] = []
    lock = threading.Lock()
    before = deadlocks(picks["database"])

    def writer(i: int) -> None:
        case = picks["cases"][i % len(picks["cases"])]
        for n in range(each):
            try:
                ms, status, _ = request("PATCH", f"/api/v1/detainees/{case}/",
                                        {"description": f"Concurrent {tag} {i} {n}"}, picks["token"], port)  # fmt: skip
            except OSError:
                ms, status = 0.0, 0
            with lock:
                statuses[status] += 1
                times.append(ms)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(writers)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    lag = settle()
    done = sum(statuses.values())
    return {"writers": writers, "each": each, "cases": len(set(picks["cases"][:writers])), "source": picks["shared"],
            "seconds": round(elapsed, 2), "patches_per_s": round(done / elapsed, 1),
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "errors": sum(v for k, v in statuses.items() if k != 200),
            "deadlocks": deadlocks(picks["database"]) - before, "p50_ms": round(statistics.median(times), 1),
            "p95_ms": pct(times, 0.95), "derived_current_after_s": lag}  # fmt: skip


class Timers:
    """Wall time and calls of named functions, patched in place for the profile."""

    def __init__(self):
        self.ms: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.undo = []

    def wrap(self, owner, attr: str, label: str) -> None:
        original = getattr(owner, attr, None)
        if original is None:
            return
        timers = self

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timers.ms[label] += (time.perf_counter() - started) * 1000
                timers.calls[label] += 1

        setattr(owner, attr, timed)
        self.undo.append((owner, attr, original))

    def restore(self) -> None:
        for owner, attr, original in reversed(self.undo):
            setattr(owner, attr, original)


def profile(picks: dict, samples: int, tag: str) -> dict:
    """Where one PATCH's time goes, in-process through the full middleware stack (django.test.Client)."""
    import importlib

    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from rest_framework.views import APIView
    from simple_history.models import HistoricalRecords

    from common import integrity

    timers = Timers()
    statements: dict[str, float] = defaultdict(float)

    def sql_timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if sql.startswith('UPDATE "detainees_detainee"'):
                statements["update_statement_with_triggers"] += (time.perf_counter() - started) * 1000

    timers.wrap(APIView, "dispatch", "view (DRF dispatch, the write inside)")
    timers.wrap(integrity, "_check", "published-means-sourced check")
    integrity.AFTER_CHECK[:] = [_timed_hook(hook, timers) for hook in integrity.AFTER_CHECK]
    timers.wrap(HistoricalRecords, "create_historical_record", "history row")
    for module, attr, label in (("casedocs.services", "refresh_stale", "document rebuild (in request)"),
                                ("changes.services", "catch_up", "feed publish (in request)"),
                                ("common.derived", "enqueue", "enqueue for the worker")):  # fmt: skip
        try:
            timers.wrap(importlib.import_module(module), attr, label)
        except ImportError:
            pass
    client = Client(HTTP_AUTHORIZATION=f"Token {picks['token']}")
    totals = []
    people = picks["people"][:samples]
    try:
        with connection.execute_wrapper(sql_timer):
            for n, pk in enumerate(people):
                started = time.perf_counter()
                response = client.patch(f"/api/v1/detainees/{pk}/", {"description": f"Profiled {tag} {n}"},
                                        content_type="application/json")  # fmt: skip
                totals.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.content[:300]
    finally:
        timers.restore()
        integrity.AFTER_CHECK[:] = [getattr(h, "__wrapped_hook__", h) for h in integrity.AFTER_CHECK]
    # The triggers alone: the same UPDATE with and without them (session_replication_role = replica skips them).
    trigger_ms = []
    for pk in people[:20]:
        runs = []
        for role in ("origin", "replica"):
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL session_replication_role = {role}")
                    started = time.perf_counter()
                    cursor.execute("UPDATE detainees_detainee SET description = description || '.' WHERE id = %s",
                                   [pk])  # fmt: skip
                    runs.append((time.perf_counter() - started) * 1000)
                transaction.set_rollback(True)
        trigger_ms.append(runs[0] - runs[1])
    n = len(people)
    rows = {label: {"ms_per_write": round(ms / n, 2), "calls_per_write": round(timers.calls[label] / n, 2)}
            for label, ms in sorted(timers.ms.items(), key=lambda item: -item[1])}  # fmt: skip
    rows["UPDATE statement (triggers included)"] = {
        "ms_per_write": round(statements["update_statement_with_triggers"] / n, 2),
        "calls_per_write": None,
    }
    rows["of which triggers (same UPDATE, triggers off)"] = {
        "ms_per_write": round(statistics.median(trigger_ms), 2),
        "calls_per_write": None,
    }
    return {"samples": n, "request_p50_ms": round(statistics.median(totals), 1),
            "request_mean_ms": round(statistics.mean(totals), 1),
            "in_request": {"documents": bool(getattr(settings, "AFTER_WRITE_IN_REQUEST", True))},
            "parts": rows}  # fmt: skip


def _timed_hook(hook, timers: Timers):
    label = f"after-check hook {getattr(hook, '__module__', '')}.{getattr(hook, '__name__', 'hook')}"

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return hook(*args, **kwargs)
        finally:
            timers.ms[label] += (time.perf_counter() - started) * 1000
            timers.calls[label] += 1

    timed.__wrapped_hook__ = hook
    return timed


def start_worker() -> subprocess.Popen:
    # The day's release (a dump of every case, minutes at 100,000) is not what this measures: a worker started on a
    # copy that has none makes it first, a task that runs to its end, so a SIGTERM waited minutes for it.
    env = {**os.environ, "RELEASES_DAILY_AT": ""}
    return subprocess.Popen([sys.executable, "manage.py", "alerts_worker", "--interval", "0.2"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL)  # fmt: skip


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--each", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8870")))
    parser.add_argument("--skip-csv", action="store_true")
    parser.add_argument(
        "--shortcut",
        action="store_true",
        help="A fresh generated copy: drop its feed marks, build the touched documents (see drain).",
    )
    parser.add_argument("--skip-profile", action="store_true")
    parser.add_argument("--out", default=time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ or "postgres" not in os.environ["DATABASE_URL"]:
        raise SystemExit("Set DATABASE_URL to a PostgreSQL copy of a large database (this benchmark writes to it).")
    picks = prepare(args)
    from django.conf import settings

    print(f"{picks['total']:,} people ({picks['published']:,} published) in {picks['database']}; "
          f"load average {load()} (a shared machine: figures vary with it)", flush=True)  # fmt: skip
    drain(picks, args.shortcut)
    tag = args.out
    results = {"database": picks["database"], "people": picks["total"], "load_before": load(),
               "shortcut": args.shortcut,
               "in_request": bool(getattr(settings, "AFTER_WRITE_IN_REQUEST", True))}  # fmt: skip
    if not args.skip_profile:
        results["profile"] = profile(picks, min(args.samples, len(picks["people"])), tag)
        drain(picks, False)
    picks["people"] = picks["people"][args.samples :] or picks["people"]
    bench_run.PORT = args.port
    server = bench_run.start_server(args.workers, cache=False)
    worker = None if results["in_request"] else start_worker()
    out = ROOT / "bench/results" / f"writes-{tag}"
    try:
        results["sequential"] = sequential(picks, args.port, tag)
        out.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")  # what is measured so far
        results["concurrent"] = concurrent(picks, args.port, args.writers, args.each, tag)
        out.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
        if not args.skip_csv:
            results["csv_export"] = bench_run.csv_export(server)
    finally:
        for process in (worker, server):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)
    results["load_after"] = load()
    lines = report(results, args.workers)
    print("\n".join(lines))
    out.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n")
    out.with_suffix(".txt").write_text("\n".join(lines) + "\n")
    print(f"Wrote {out}.json and .txt")


def report(results: dict, workers: int) -> list[str]:
    seq, con = results["sequential"], results["concurrent"]
    mode = "in the request" if results["in_request"] else "by the worker (alerts_worker running)"
    lines = [
        f"Writes at {results['people']:,} people ({results['database']}), gunicorn {workers} workers, DEBUG "
        f"off; documents rebuilt and the feed published {mode}; load average {results['load_before']} before, "
        f"{results['load_after']} after (shared machine)",
        "",
        "| write | p50 ms | p95 ms | n | derived state current after |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for key, name in (("patch_description", "PATCH a person's description"), ("post_charge", "POST a charge")):
        row = seq[key]
        lag = row["derived_current_after_s"]
        lines.append(f"| {name} | {row['p50_ms']} | {row['p95_ms']} | {row['n']} | {lag} s |")
    if seq["failed"]:
        lines.append(f"Failures: {seq['failed']} {seq['failures']}")
    lines += ["", f"{con['writers']} concurrent writers × {con['each']} PATCHes on {con['cases']} cases citing source "
              f"{con['source']}: {con['patches_per_s']} PATCHes/s ({con['seconds']} s), errors {con['errors']} "
              f"{con['statuses']}, deadlocks {con['deadlocks']}, p50 {con['p50_ms']} ms, p95 {con['p95_ms']} ms; "
              f"derived state current {con['derived_current_after_s']} s after the last"]  # fmt: skip
    if "csv_export" in results:
        c = results["csv_export"]
        lines.append(f"CSV of every person: {c['total_s']} s to the last byte (first byte {c['first_byte_ms']} ms, "
                     f"{c['lines']:,} lines, {c['mb']} MB, worker growth {c['worker_growth_mb']} MB)")  # fmt: skip
    if "profile" in results:
        p = results["profile"]
        lines += ["", f"Where a PATCH's time goes (in-process, {p['samples']} PATCHes, request p50 "
                      f"{p['request_p50_ms']} ms, mean {p['request_mean_ms']} ms):", "",
                  "| part | ms per write | calls per write |", "| --- | ---: | ---: |"]  # fmt: skip
        for label, row in p["parts"].items():
            calls = "" if row["calls_per_write"] is None else row["calls_per_write"]
            lines.append(f"| {label} | {row['ms_per_write']} | {calls} |")
    return lines


if __name__ == "__main__":
    main()
