"""`make bench`: latency and throughput of the production setup against N synthetic cases on PostgreSQL.

    .venv/bin/python bench/run.py [--detainees 100000] [--seconds 5] [--first-visit]

Generates the data once (reused on later runs), starts gunicorn with DEBUG off and persistent connections, and
measures each endpoint with wrk on loopback: p50/p95 at 1 client, p95 and requests/s at 16 clients, each p50 also
as a ratio to /healthz measured in the same run. The CSV export of every detainee is timed separately (first byte,
whole file, worker memory growth). Prints a table and writes bench/results/bench-<time>.json.

`--first-visit` also measures what most visits to a large archive are: a URL nobody asked for since the last
edit. Each kind of request is sent once to each of 80 DISTINCT urls (different people, pages, searches) at one
client, so no response comes from the response cache; it prints p50/p95 and the ratio to /healthz.
"""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8792"))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tracker_bench"


def prepare(detainees: int) -> dict:
    """Migrate, generate the synthetic cases once, and pick the records the benchmark visits."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count

    from detainees.models import Detainee
    from exchanges.models import Exchange

    call_command("ensure_database")
    call_command("migrate", verbosity=0)
    have = Detainee.objects.count()
    if have < detainees:
        print(f"Generating {detainees:,} synthetic detainees (once; later runs reuse them) …", flush=True)
        call_command("generate_synthetic", detainees=detainees - have, seed=1000 + have)
    started = time.monotonic()
    # what an import is followed by; with the pages, so the "document built" rows of the first-visit table read
    # stored pages as before (bench/cold_documents.py measures them cold)
    call_command("build_case_documents", "--stale", "--pages", jobs=2, batch=200)
    print(f"Stored case documents current ({time.monotonic() - started:.0f} s)", flush=True)
    started = time.monotonic()
    call_command("publish_changes", verbosity=0)  # the change feed drained, as after any bulk import (README Mirrors)
    print(f"Change feed current ({time.monotonic() - started:.0f} s)", flush=True)
    started = time.monotonic()
    # the whole lists' CSV files at the feed's head, for the address the benchmark asks (dataset.csvfiles)
    call_command("build_csv_files", base_url=f"http://{HOST}:{PORT}", stdout=open(os.devnull, "w"))
    print(f"CSV files built ({time.monotonic() - started:.0f} s)", flush=True)
    case = (
        Detainee.objects.published().annotate(n=Count("detentions")).filter(n__gte=2)
        .order_by("pk").values_list("pk", "slug").first()
    )  # fmt: skip
    big = (
        Exchange.objects.published().annotate(n=Count("participants"))  # 30 people, the most there are
        .order_by("-n", "pk").values_list("slug", flat=True).first()
    )  # fmt: skip
    people = list(Detainee.objects.published().order_by("?").values_list("pk", "slug", "name")[: FIRST_VISIT_URLS * 5])
    surnames = list(dict.fromkeys(name.split()[-1].lower() for _, _, name in people if name.split()))
    filtered_pages = []  # (filter, page) pairs that exist: a page beyond the last is a 400
    for field in ("status", "held_by"):
        for value, n in Detainee.objects.published().values_list(field).annotate(n=Count("pk")).order_by("-n"):
            filtered_pages += [(f"{field}={value}", page) for page in range(1, min(10, -(-n // 50)) + 1) if value]
    from django.db import connections

    connections.close_all()
    return {"case_id": case[0], "case_slug": case[1], "exchange_slug": big, "detainees": Detainee.objects.count(),
            "people": [(pk, slug) for pk, slug, _ in people][:FIRST_VISIT_URLS], "surnames": surnames,
            "filtered_pages": filtered_pages}  # fmt: skip


FIRST_VISIT_URLS = 80


def first_visit_urls(picks: dict) -> dict[str, list[str]]:
    """For each kind of request, up to 80 distinct URLs (the issue's table compares these kinds with Datasette)."""
    n = FIRST_VISIT_URLS
    return {
        "/healthz": ["/healthz"] * n,
        "API detail": [f"/api/v1/detainees/{pk}/" for pk, _ in picks["people"]],
        "case page": [f"/detainees/{slug}/" for _, slug in picks["people"]],
        "API list of 50, filtered": [f"/api/v1/detainees/?{f}&page={p}" for f, p in picks["filtered_pages"][:n]],
        "list page with facets": [f"/detainees/?page={i}" for i in range(1, n + 1)],
        "API name search": [f"/api/v1/detainees/?q={name}" for name in picks["surnames"][:n]],
    }


class Client:
    """One keep-alive connection, reopened when the server closes it."""

    def __init__(self, host: str, port: int):
        self.host, self.port, self.conn = host, port, None

    def get(self, url: str) -> tuple[float, int]:
        """Milliseconds to the last byte, and the status."""
        self.conn = self.conn or http.client.HTTPConnection(self.host, self.port, timeout=60)
        started = time.perf_counter()
        self.conn.request("GET", url)
        response = self.conn.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return elapsed, response.status

    def close(self):
        if self.conn:
            self.conn.close()


def _summary(urls: list[str], times: list[float], errors: int) -> dict:
    times = sorted(times)
    return {"urls": len(set(urls)), "p50_ms": round(times[len(times) // 2], 2),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 2), "errors": errors}  # fmt: skip


def first_visit(url_lists: dict[str, list[str]], other: tuple[str, int, dict[str, list[str]]] | None = None):
    """One request to each distinct URL, one client; statuses other than 200 are counted as errors.

    With `other` (host, port, its URLs per kind), the two servers are asked in turn, URL by URL, so that both
    see the same machine at the same moment (other work on the machine shows in both columns alike)."""
    ours, theirs = {}, {}
    for name, urls in url_lists.items():
        clients = [Client(HOST, PORT)] + ([Client(other[0], other[1])] if other else [])
        lists = [urls] + ([other[2][name]] if other else [])
        times, errors = [[] for _ in clients], [0 for _ in clients]
        for i in range(max(len(u) for u in lists)):
            for k, (client, todo) in enumerate(zip(clients, lists, strict=True)):
                if i < len(todo):
                    elapsed, status = client.get(todo[i])
                    times[k].append(elapsed)
                    errors[k] += status != 200
        for client in clients:
            client.close()
        ours[name] = _summary(urls, times[0], errors[0])
        if other:
            theirs[name] = _summary(lists[1], times[1], errors[1])
        print(f"  measured first visits: {name}", flush=True)
    return ours, theirs


# The targets for a first visit, as a multiple of /healthz's p50 (the response cache off).
TARGETS = {"API detail": 3, "case page": 5, "API list of 50, filtered": 8, "list page with facets": 8,
           "API name search": 10}  # fmt: skip


def measure_first_visits(picks: dict, args) -> tuple[dict, dict | None]:
    """First visits on a server with the response cache off, and Datasette's (when asked for) over the same people,
    URL by URL in turn."""
    ours = first_visit_urls(picks)
    theirs = None
    if args.datasette:
        import datasette_copy as datasette

        datasette.build_copy()
        theirs = datasette.first_visit_urls(picks, FIRST_VISIT_URLS)
    server = start_server(args.workers, cache=False)
    other = datasette.start() if theirs else None
    drain()
    try:
        project, compared = first_visit(ours, (datasette.HOST, datasette.PORT, theirs) if theirs else None)
        compared = compared or None
    finally:
        for process in (server, other):
            if process:
                process.terminate()
                process.wait(30)
    for results in filter(None, (project, compared)):
        floor = results["/healthz"]["p50_ms"] or 0.001
        for r in results.values():
            r["ratio_to_healthz"] = round(r["p50_ms"] / floor, 1)
    return project, compared


def print_first_visits(results: dict, workers: int) -> None:
    theirs = results.get("datasette")
    print(f"\nFirst visits: one request to each of up to {FIRST_VISIT_URLS} distinct URLs, 1 client, "
          f"response cache off (ms; gunicorn {workers} workers)" + (", beside Datasette in the same run" if theirs
                                                                     else ""))  # fmt: skip
    head = f"{'request':<26} {'urls':>5} {'p50':>8} {'p95':>8} {'×healthz':>9} {'target':>7} {'errors':>7}"
    if theirs:
        head += f" {'Datasette p50':>14} {'p95':>8} {'ahead':>6}"
    print(head)
    print("-" * len(head))
    for name, r in results["first_visit"].items():
        target = TARGETS.get(name)
        verdict = "" if target is None else ("met" if r["ratio_to_healthz"] <= target else "MISSED")
        line = (f"{name:<26} {r['urls']:>5} {r['p50_ms']:>8.2f} {r['p95_ms']:>8.2f} {r['ratio_to_healthz']:>9.1f} "
                f"{(f'≤{target} ' + verdict) if target else '':>7} {r['errors']:>7}")  # fmt: skip
        if theirs:
            d = theirs[name]
            ahead = "" if name == "/healthz" else ("yes" if r["p50_ms"] < d["p50_ms"] else "NO")
            line += f" {d['p50_ms']:>14.2f} {d['p95_ms']:>8.2f} {ahead:>6}"
        print(line)
    if theirs:
        print("(Datasette's /healthz row is /-/versions.json, its lightest page.)")


def start_server(workers: int, cache: bool = True) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_ENV": "production", "SECRET_KEY": "bench-" + "k" * 60, "ALLOWED_HOSTS": HOST,
           "SECURE_SSL_REDIRECT": "false", "CONN_MAX_AGE": "600", "API_ANON_RATE": "1000000000/minute",
           "PAGE_CACHE_SECONDS": "600" if cache else "0"}  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "--bind", f"{HOST}:{PORT}", "--workers", str(workers),
         "--log-level", "warning"], cwd=ROOT, env=env,
    )  # fmt: skip
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def wrk(path: str, clients: int, seconds: float) -> dict:
    threads = max(1, min(clients, 2))
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "30s",
         "-s", str(ROOT / "bench/report.lua"), f"http://{HOST}:{PORT}{path}"],
        capture_output=True, text=True, timeout=seconds + 60,
    ).stdout  # fmt: skip
    data = json.loads(re.search(r"BENCH (\{.*\})", out).group(1))
    return {"p50_ms": data["p50"] / 1000, "p95_ms": data["p95"] / 1000, "errors": data["errors"],
            "rps": round(data["requests"] / (data["duration_us"] / 1e6), 1)}  # fmt: skip


def drain(limit_s: float = 120) -> None:
    """Wait until requests queued by the previous 16-client run are served, so they do not count against the next."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            conn = http.client.HTTPConnection(HOST, PORT, timeout=limit_s)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
        except OSError:
            pass
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.2)


def worker_rss_kb(server: subprocess.Popen) -> dict[int, int]:
    children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    sizes = {}
    for pid in children:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            sizes[int(pid)] = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        except (OSError, AttributeError):
            pass
    return sizes


def csv_export(server: subprocess.Popen) -> dict:
    """Download every detainee as CSV: time to first byte, total time, rows, and the workers' memory growth."""
    before = worker_rss_kb(server)
    peak = dict(before)
    done = threading.Event()

    def sample():
        while not done.is_set():
            for pid, kb in worker_rss_kb(server).items():
                peak[pid] = max(peak.get(pid, 0), kb)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    conn = http.client.HTTPConnection(HOST, PORT, timeout=120)
    conn.request("GET", "/api/v1/detainees/?format=csv")
    response = conn.getresponse()
    served_from = "file" if response.getheader("X-Feed-Seq") else "streamed"  # dataset.csvfiles, or the request
    first = response.read(1)
    first_byte = time.monotonic() - started
    size, lines = 1, first.count(b"\n")
    while chunk := response.read(65536):
        size += len(chunk)
        lines += chunk.count(b"\n")
    total = time.monotonic() - started
    done.set()
    sampler.join()
    growth = max((peak[p] - before.get(p, peak[p])) for p in peak) if peak else 0
    return {"status": response.status, "first_byte_ms": round(first_byte * 1000, 1), "total_s": round(total, 2),
            "lines": lines, "mb": round(size / 1e6, 1), "worker_growth_mb": round(growth / 1024, 1),
            "served_from": served_from}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detainees", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="Turn off the per-data-version cache of public pages and API reads: every request does its full work, "
        "as the first one after a change does.",
    )
    parser.add_argument(
        "--first-visit",
        action="store_true",
        help="Also measure first visits: one request to each of 80 distinct URLs per kind (no response cache hit).",
    )
    parser.add_argument(
        "--first-visit-only",
        action="store_true",
        help="Only the first-visit table (with --datasette, beside Datasette's): a quick check while working on it.",
    )
    parser.add_argument(
        "--datasette",
        action="store_true",
        help="With --first-visit: also measure Datasette 0.65 serving a SQLite copy of the same people (installed "
        "on first use into bench/.venv-datasette, not the project's environment), kind by kind in the same run.",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="CI: short runs, no results file; fails if any request fails. Timings are not judged.",
    )
    args = parser.parse_args()
    if args.smoke:
        args.seconds = min(args.seconds, 1.0)
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        raise SystemExit("The benchmark runs against PostgreSQL (DATABASE_URL=postgres://…).")
    picks = prepare(args.detainees)
    if args.first_visit_only:
        results = {"detainees": picks["detainees"], "workers": args.workers}
        results["first_visit"], results["datasette"] = measure_first_visits(picks, args)
        print(f"\n{picks['detainees']:,} detainees")
        print_first_visits(results, args.workers)
        out = ROOT / "bench" / "results" / f"bench-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-first-visit.json"
        out.write_text(json.dumps(results, indent=2))
        print(f"Wrote {out.relative_to(ROOT)}")
        return
    endpoints = [
        ("/healthz", "/healthz"),
        ("overview", "/"),
        ("list page", "/detainees/"),
        ("list page, filter", "/detainees/?status=held&held_by=RU"),
        ("list page, search", "/detainees/?q=ivan+petrov"),
        ("case page", f"/detainees/{picks['case_slug']}/"),
        ("exchange page, 30 people", f"/exchanges/{picks['exchange_slug']}/"),
        ("API list, 50", "/api/v1/detainees/"),
        ("API list, 500", "/api/v1/detainees/?page_size=500"),
        ("API detail", f"/api/v1/detainees/{picks['case_id']}/"),
        ("API search", "/api/v1/detainees/?q=petrov"),
    ]
    server = start_server(args.workers, cache=not args.no_cache)
    results = {"detainees": picks["detainees"], "workers": args.workers, "seconds": args.seconds,
               "response_cache": not args.no_cache, "endpoints": {}}  # fmt: skip
    try:
        for name, path in endpoints:
            drain()
            warm = wrk(path, 1, 1)  # warm up caches, connections and prepared statements
            if args.smoke and warm["rps"] == 0:
                raise SystemExit(f"{name}: no request answered")
            one = wrk(path, 1, args.seconds)
            many = wrk(path, 16, args.seconds)
            results["endpoints"][name] = {"path": path, "c1": one, "c16": many}
            print(f"  measured {name}", flush=True)
        drain()
        results["csv_export"] = csv_export(server)
    finally:
        server.terminate()
        server.wait(30)
    if args.first_visit:
        results["first_visit"], results["datasette"] = measure_first_visits(picks, args)

    floor = results["endpoints"]["/healthz"]["c1"]["p50_ms"] or 0.001
    header = (
        f"{'endpoint':<26} {'p50 1c':>8} {'p95 1c':>8} {'×healthz':>9} {'p95 16c':>8} {'req/s 16c':>10} {'errors':>7}"
    )
    cached = "response cache on" if not args.no_cache else "response cache off"
    setup = f"gunicorn {args.workers} workers, {args.seconds:g} s per run, {cached}"
    print(f"\n{picks['detainees']:,} detainees, {setup} (ms)")
    print(header)
    print("-" * len(header))
    for name, r in results["endpoints"].items():
        r["ratio_to_healthz"] = round(r["c1"]["p50_ms"] / floor, 1)
        errors = r["c1"]["errors"] + r["c16"]["errors"]
        print(f"{name:<26} {r['c1']['p50_ms']:>8.2f} {r['c1']['p95_ms']:>8.2f} {r['ratio_to_healthz']:>9.1f} "
              f"{r['c16']['p95_ms']:>8.2f} {r['c16']['rps']:>10.1f} {errors:>7}")  # fmt: skip
    c = results["csv_export"]
    print(f"\nCSV export of every detainee ({c['served_from']}): first byte {c['first_byte_ms']} ms, "
          f"whole file {c['total_s']} s ({c['lines']:,} lines, {c['mb']} MB), "
          f"worker memory growth {c['worker_growth_mb']} MB")  # fmt: skip
    if args.first_visit:
        print_first_visits(results, args.workers)
    failed = [name for name, r in results["endpoints"].items() if r["c1"]["errors"] + r["c16"]["errors"]]
    failed += [f"first visit: {n}" for n, r in results.get("first_visit", {}).items() if r["errors"]]
    failed += [f"Datasette: {n}" for n, r in (results.get("datasette") or {}).items() if r["errors"]]
    if c["status"] != 200:
        failed.append(f"CSV export (status {c['status']})")
    if args.smoke:
        if failed:
            raise SystemExit(f"Requests failed: {', '.join(failed)}")
        print("Smoke run: every endpoint answered without an error (timings are not judged at this size).")
        return
    suffix = "-nocache" if args.no_cache else ""
    out = ROOT / "bench" / "results" / f"bench-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}{suffix}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"Wrote {out.relative_to(ROOT)}")
    if failed:
        raise SystemExit(f"Requests failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
