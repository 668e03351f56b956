"""`make bench`: one run that measures what issue 21 asks of the tracker at N cases on PostgreSQL, and writes it.

    .venv/bin/python bench/run.py [--detainees 100000] [--skip-rebuild] [--skip-writes] [--skip-growth] …

Sections, in this order (`--only a,b` runs some; `--skip-…` leaves one out; `--resume FILE` continues an earlier run,
keeping the sections it holds):

- first-visit: one request to each of --urls DISTINCT URLs per kind (different people, filters and pages, names)
  at one client, gunicorn with the response cache off, beside Datasette 0.65 serving a SQLite copy of the same
  people (bench/datasette_copy.py), asked in turn URL by URL. Each kind that reads stored case documents is measured
  twice, on two disjoint sets of URLs: "cold" (the documents of the people those URLs show deleted just before,
  nobody else's) and "warm" (theirs built just before). Each p50 as × /healthz and ÷ Datasette's.
- throughput: each endpoint with wrk (p50/p95 at 1 client, p95 and requests/s at 16), and the CSV of every person.
- rebuild: `build_case_documents --jobs 2` over every published case (API documents; pages are rendered when first
  asked for) on a scratch copy of the database.
- writes: bench/writes.py on the same scratch copy (`createdb -T`, dropped at the end): PATCH and POST p50/p95 with
  their derived state, 10 writers × 100 PATCHes on cases citing one source (PATCHes/s, errors, deadlocks).
- growth: the first-visit rows (the project alone) at 2,000 and 20,000 cases (their databases generated once,
  reused later) and at N, beside log n's growth.

Prints each table as it is measured and all of them at the end; writes bench/results/bench-<time>.json (after each
section, so an interrupted run can be resumed) and .txt (the tables as printed).
"""

import argparse
import http.client
import json
import math
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8792"))
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/tracker_bench"
SECTIONS = ("first-visit", "throughput", "rebuild", "writes", "growth")
FIRST_VISIT_URLS = 80
GROWTH_SIZES = (2_000, 20_000)


def prepare(detainees: int, urls: int) -> dict:
    """Migrate, generate the synthetic cases once, and pick the records the benchmark visits."""
    import django

    # This process generates, builds and drains as the commands it calls do from manage.py: a batch job, without the
    # web's statement timeout (under load, a batch of generated rows ran past it). Its servers get it back.
    os.environ["PROCESS_KIND"] = "command"
    django.setup()
    from django.core.management import call_command

    from detainees.models import Detainee

    call_command("ensure_database")
    call_command("migrate", verbosity=0)
    have = Detainee.objects.count()
    if have < detainees:
        print(f"Generating {detainees - have:,} synthetic detainees (once; later runs reuse them) …", flush=True)
        call_command("generate_synthetic", detainees=detainees - have, seed=1000 + have)
    started = time.monotonic()
    # what an import is followed by: every API document current (the pages are rendered when first asked for, and
    # the first-visit section builds those of the people it visits warm)
    call_command("build_case_documents", "--stale", jobs=2, batch=200)
    print(f"Stored case documents current ({time.monotonic() - started:.0f} s)", flush=True)
    started = time.monotonic()
    call_command("publish_changes", verbosity=0)  # the change feed drained, as after any bulk import (README Mirrors)
    print(f"Change feed current ({time.monotonic() - started:.0f} s)", flush=True)
    started = time.monotonic()
    # What autovacuum does on a deployed server within minutes, and never on this machine (its PostgreSQL runs with
    # autovacuum off, conf.d/90-ci.conf): without it the drained mark tables' dead index entries cost every public
    # request's data version 10-100 ms (common.derived.vacuum_queues), and the documents just built have no
    # visibility map for index-only scans.
    from dataset.backup import analyze

    analyze()
    print(f"VACUUM (ANALYZE) done ({time.monotonic() - started:.0f} s)", flush=True)
    started = time.monotonic()
    # the whole lists' CSV files at the feed's head, for the address the benchmark asks (dataset.csvfiles)
    call_command("build_csv_files", base_url=f"http://{HOST}:{PORT}", stdout=open(os.devnull, "w"))
    print(f"CSV files built ({time.monotonic() - started:.0f} s)", flush=True)
    picks = pick(urls)
    from django.db import connections

    connections.close_all()
    return picks


def pick(urls: int) -> dict:
    """The records the benchmark visits: people at random, surnames, pages of filtered lists that exist."""
    from django.db.models import Count

    from detainees.models import Detainee
    from exchanges.models import Exchange

    published = Detainee.objects.published()
    case = published.annotate(n=Count("detentions")).filter(n__gte=2).order_by("pk").values_list("pk", "slug").first()
    big = (
        Exchange.objects.published().annotate(n=Count("participants"))  # 30 people, the most there are
        .order_by("-n", "pk").values_list("slug", flat=True).first()
    )  # fmt: skip
    people = list(published.order_by("?").values_list("pk", "slug", "name")[: urls * 8])
    # surnames, then given names (the synthetic data has 40 and 29: a name search's URLs run out before --urls)
    surnames = list(dict.fromkeys(name.split()[-1].lower() for _, _, name in people if name.split()))
    surnames += list(dict.fromkeys(name.split()[0].lower() for _, _, name in people if len(name.split()) > 1))
    # (filter, page) that exist (a page beyond the last is a 400), two by two: pages p and p + 1 of one filter (never
    # the same people: one goes to the cold set, the other to the warm one), shallow pages first
    pages = []
    for field in ("status", "held_by"):
        for value, n in published.values_list(field).annotate(n=Count("pk")).order_by("-n"):
            pages += [(first, f"{field}={value}") for first in range(1, min(40, -(-n // 50)), 2) if value]
    filtered_pages = [(pair, page) for first, pair in sorted(pages) for page in (first, first + 1)]
    return {"case_id": case[0], "case_slug": case[1], "exchange_slug": big, "detainees": Detainee.objects.count(),
            "published": published.count(), "people": [(pk, slug) for pk, slug, _ in people],
            "surnames": surnames, "filtered_pages": filtered_pages}  # fmt: skip


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
            "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 2), "errors": errors}  # fmt: skip


# The issue's targets for a first visit, as a multiple of /healthz's p50 (the response cache off), and for a cold
# one (its stored document not built), as a multiple of Datasette's p50 for the same row.
TARGETS = {"API detail": 3, "case page": 5, "API list of 50, filtered": 8, "list page with facets": 8,
           "API name search": 10}  # fmt: skip
COLD_TARGETS = {"API detail": 2, "case page": 2}
# The kinds that read stored case documents, measured cold and warm; the others once.
DOCUMENT_KINDS = ("API detail", "case page", "API list of 50, filtered", "API name search")


class Visit:
    """A URL of the project, Datasette's equivalent, and the people whose stored documents it reads."""

    def __init__(self, ours: str, theirs: str, ids: set[int]):
        self.ours, self.theirs, self.ids = ours, theirs, ids


def _probe(url: str) -> set[int] | None:
    """The ids of the people an API list shows, asked in this process (stored documents off, a cache of its own, so
    nothing the servers keep is built or warmed); None when the page is empty or refused."""
    from django.test import Client as TestClient
    from django.test import override_settings

    locmem = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench-probe"}}
    with override_settings(CASE_DOCUMENTS=False, PAGE_CACHE_SECONDS=0, ALLOWED_HOSTS=["testserver"],
                           SECURE_SSL_REDIRECT=False, CACHES=locmem):  # fmt: skip
        response = TestClient().get(url + "&fields=id")
    if response.status_code != 200:
        return None
    return {row["id"] for row in response.json()["results"]} or None


def _disjoint(candidates: list[Visit], n: int) -> tuple[list[Visit], list[Visit]]:
    """Two lists of up to n list URLs each whose people do not overlap (one is measured cold, the other warm: a
    person on both would be cold in one and warm in the other). The candidates come two by two (pages p and p + 1
    of one filter, two names), one of each pair to each side, so both sides have the same mix of filters and
    depths; a pair that would put a person on both sides is left out."""
    halves: tuple[list[Visit], list[Visit]] = ([], [])
    seen: tuple[set[int], set[int]] = (set(), set())
    for i in range(0, min(len(candidates), n * 6) - 1, 2):
        if len(halves[0]) >= n:
            break
        pair = candidates[i : i + 2]
        if len(halves[0]) % 2:  # the deeper page to the cold side every other time
            pair.reverse()
        for visit in pair:
            visit.ids = _probe(visit.ours)
        if not (pair[0].ids and pair[1].ids) or pair[0].ids & (pair[1].ids | seen[1]) or pair[1].ids & seen[0]:
            continue
        for side, visit in enumerate(pair):
            halves[side].append(visit)
            seen[side].update(visit.ids)
    return halves


def first_visit_plan(picks: dict, n: int, datasette) -> dict[str, list[tuple[list[Visit], list[Visit]]]]:
    """For each kind, its rounds of (cold visits, warm visits): two disjoint sets of up to n distinct URLs in all
    for the kinds that read stored documents, one set (measured once, in the warm column) for the others. The
    filtered lists come in two rounds, one per filter (status, held by): pages of one filter never show the same
    person twice, pages of two filters often do. Datasette's URL for each is its fastest equivalent: the row page,
    a page by key (`_next`) over indexed columns, FTS5 for names."""
    people = picks["people"]
    theirs = datasette.visit_url if datasette else (lambda kind, spec: "")
    sets = [people[i * n : (i + 1) * n] for i in range(4)]
    plan: dict[str, list[tuple[list[Visit], list[Visit]]]] = {
        "/healthz": [([], [Visit("/healthz", theirs("/healthz", None), set()) for _ in range(n)])],
        "API detail": [tuple([Visit(f"/api/v1/detainees/{pk}/", theirs("API detail", pk), {pk}) for pk, _ in s]
                             for s in sets[:2])],
        "case page": [tuple([Visit(f"/detainees/{slug}/", theirs("case page", pk), {pk}) for pk, slug in s]
                            for s in sets[2:4])],
    }  # fmt: skip
    rounds = {}
    for field in ("held_by=", "status="):  # held by first: few pages of it at small sizes, status fills the rest
        filtered = [Visit(f"/api/v1/detainees/?{pair}&page={page}", theirs("API list of 50, filtered", (pair, page)),
                          set()) for pair, page in picks["filtered_pages"] if pair.startswith(field)]  # fmt: skip
        rounds[field] = _disjoint(filtered, n - len(rounds.get("held_by=", ([], []))[0]) if rounds else n // 2)
    plan["API list of 50, filtered"] = [rounds["status="], rounds["held_by="]]
    plan["list page with facets"] = [([], [Visit(f"/detainees/?page={i}", theirs("list page with facets", i), set())
                                           for i in range(1, n + 1)])]  # fmt: skip
    searches = [Visit(f"/api/v1/detainees/?q={quote(name)}", theirs("API name search", quote(name)), set())
                for name in picks["surnames"]]  # fmt: skip
    plan["API name search"] = [_disjoint(searches, n)]
    return plan


def set_documents(kind: str, cold: list[Visit], warm: list[Visit]) -> None:
    """Just before a kind is measured: no stored document for the people of its cold URLs (nobody else's touched),
    and a current one (with its page, for case pages) for the people of its warm URLs."""
    from casedocs.models import CaseDocument
    from casedocs.services import build, current

    cold_ids = sorted({pk for v in cold for pk in v.ids})
    warm_ids = sorted({pk for v in warm for pk in v.ids})
    CaseDocument.objects.filter(pk__in=cold_ids).delete()
    done = current().exclude(page="") if kind == "case page" else current()
    todo = sorted(set(warm_ids) - set(done.filter(pk__in=warm_ids).values_list("pk", flat=True)))
    for start in range(0, len(todo), 50):
        build(todo[start : start + 50], pages=kind == "case page")


def first_visit(plan: dict, other: tuple[str, int] | None) -> dict:
    """Each kind's visits, one client per server, the two servers asked in turn URL by URL (so that both see the
    same machine at the same moment): a cold URL of ours, Datasette's equivalent, a warm URL of ours, its
    equivalent. Statuses other than 200 are counted as errors."""
    results = {}
    for kind, rounds in plan.items():
        times = {"cold": [], "warm": [], "datasette": []}
        errors = dict.fromkeys(times, 0)
        urls = {"cold": [], "warm": [], "datasette": []}
        for cold, warm in rounds:
            visit_round(kind, cold, warm, other, times, errors, urls)
        results[kind] = {label: _summary(urls[label], times[label], errors[label]) if times[label] else None
                         for label in times}  # fmt: skip
        print(f"  measured first visits: {kind}", flush=True)
    ratios(results)
    return results


def visit_round(kind: str, cold: list[Visit], warm: list[Visit], other, times: dict, errors: dict, urls: dict):
    """One round of a kind: its documents set, then its URLs in turn (see first_visit)."""
    from django.db import connections

    set_documents(kind, cold, warm)
    connections.close_all()
    ours, theirs = Client(HOST, PORT), Client(*other) if other else None
    for i in range(max(len(cold), len(warm))):
        for column, todo in (("cold", cold), ("warm", warm)):
            if i >= len(todo):
                continue
            for label, client, url in ((column, ours, todo[i].ours), ("datasette", theirs, todo[i].theirs)):
                if client is None:
                    continue
                elapsed, status = client.get(url)
                times[label].append(elapsed)
                errors[label] += status != 200
                urls[label].append(url)
    for client in filter(None, (ours, theirs)):
        client.close()


def ratios(results: dict) -> None:
    """Each p50 as × its own server's /healthz, and ours ÷ Datasette's for the same kind."""
    floor = {label: (results["/healthz"].get(label) or {}).get("p50_ms") for label in ("warm", "datasette")}
    for row in results.values():
        for label in ("cold", "warm", "datasette"):
            r = row.get(label)
            if not r:
                continue
            base = floor["datasette" if label == "datasette" else "warm"]
            r["ratio_to_healthz"] = round(r["p50_ms"] / base, 1) if base else None
            if label != "datasette" and row.get("datasette"):
                r["ratio_to_datasette"] = round(r["p50_ms"] / row["datasette"]["p50_ms"], 2)


def warm_up(picks: dict, args, other: tuple[str, int] | None) -> None:
    """Each server's workers started and their connections open (statements prepared) before anything is measured:
    a person's JSON and page, for people in neither set, a few times per worker."""
    extra = picks["people"][4 * args.urls : 4 * args.urls + 4 * args.workers]
    ours, theirs = Client(HOST, PORT), Client(*other) if other else None
    for pk, slug in extra:
        ours.get(f"/api/v1/detainees/{pk}/")
        ours.get(f"/detainees/{slug}/")
        if theirs:
            theirs.get(f"/tracker/detainees/{pk}.json")
            theirs.get(f"/tracker/detainees/{pk}")
    for client in filter(None, (ours, theirs)):
        client.close()


def measure_first_visits(picks: dict, args) -> dict:
    """First visits on a server with the response cache off, and Datasette's (unless --no-datasette)."""
    datasette = None
    if args.datasette:
        import datasette_copy as datasette

        datasette.build_copy()
    print(f"Choosing first-visit URLs ({args.urls} per set) …", flush=True)
    plan = first_visit_plan(picks, args.urls, datasette)
    server = start_server(args.workers, cache=False)
    other = datasette.start() if datasette else None
    drain()
    try:
        warm_up(picks, args, (datasette.HOST, datasette.PORT) if datasette else None)
        results = first_visit(plan, (datasette.HOST, datasette.PORT) if datasette else None)
    finally:
        for process in (server, other):
            if process:
                process.terminate()
                process.wait(30)
    return {"workers": args.workers, "urls_per_set": args.urls, "datasette": bool(datasette), "kinds": results}


def _cell(r: dict | None, key: str, fmt: str) -> str:
    value = (r or {}).get(key)
    return "—" if value is None else format(value, fmt)


def first_visit_lines(section: dict) -> list[str]:
    kinds, with_datasette = section["kinds"], section["datasette"]
    lines = [f"First visits: one request to each distinct URL, 1 client, response cache off, gunicorn "
             f"{section['workers']} workers" + (", beside Datasette (asked in turn, URL by URL)" if with_datasette
                                                else "") + "; p50 ms"]  # fmt: skip
    head = (f"{'request':<26} {'urls':>5} {'cold p50':>9} {'×hz':>6} {'÷DS':>6} {'warm p50':>9} {'×hz':>6} "
            f"{'÷DS':>6} {'DS p50':>8} {'DS ×hz':>7} {'errors':>6}  target")  # fmt: skip
    lines += [head, "-" * len(head)]
    for kind, row in kinds.items():
        cold, warm, ds = row.get("cold"), row.get("warm"), row.get("datasette")
        urls = sum((r or {}).get("urls", 0) for r in (cold, warm))
        errors = sum((r or {}).get("errors", 0) for r in (cold, warm, ds))
        verdicts = []
        if kind in TARGETS:
            verdicts.append(
                f"≤{TARGETS[kind]}×hz: "
                + ", ".join(
                    f"{label} {'met' if r['ratio_to_healthz'] <= TARGETS[kind] else 'MISSED'}"
                    for label, r in (("cold", cold), ("warm", warm))
                    if r and r.get("ratio_to_healthz") is not None
                )
            )
        if kind in COLD_TARGETS and cold and cold.get("ratio_to_datasette") is not None:
            met = cold["ratio_to_datasette"] <= COLD_TARGETS[kind]
            verdicts.append(f"cold ≤{COLD_TARGETS[kind]}×DS: {'met' if met else 'MISSED'}")
        lines.append(f"{kind:<26} {urls:>5} {_cell(cold, 'p50_ms', '.2f'):>9} "
                     f"{_cell(cold, 'ratio_to_healthz', '.1f'):>6} "
                     f"{_cell(cold, 'ratio_to_datasette', '.2f'):>6} {_cell(warm, 'p50_ms', '.2f'):>9} "
                     f"{_cell(warm, 'ratio_to_healthz', '.1f'):>6} {_cell(warm, 'ratio_to_datasette', '.2f'):>6} "
                     f"{_cell(ds, 'p50_ms', '.2f'):>8} {_cell(ds, 'ratio_to_healthz', '.1f'):>7} {errors:>6}  "
                     f"{'; '.join(verdicts)}")  # fmt: skip
    lines.append(
        "cold: the stored documents of the people those URLs show deleted just before (built in the "
        "request); warm: built just before (case pages with their page); the two sets of URLs are disjoint."
    )
    if with_datasette:
        lines.append("DS: Datasette over both sets; its /healthz row is /-/versions.json, its lightest page.")
    return lines


def measure_throughput(picks: dict, args) -> dict:
    """Each endpoint with wrk (after a one-second warm-up), and the CSV of every person."""
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
    results = {"workers": args.workers, "seconds": args.seconds, "response_cache": not args.no_cache,
               "endpoints": {}}  # fmt: skip
    try:
        for name, path in endpoints:
            drain()
            status = Client(HOST, PORT).get(path)[1]  # answered at all (wrk counts none slower than its run)
            if args.smoke and status != 200:
                raise SystemExit(f"{name}: answered {status}")
            wrk(path, 2 * args.workers, 1)  # warm up every worker's cache (one per worker without Redis), connections
            drain()  # and prepared statements
            one = wrk(path, 1, args.seconds)
            many = wrk(path, 16, args.seconds)
            results["endpoints"][name] = {"path": path, "c1": one, "c16": many}
            print(f"  measured {name}", flush=True)
        drain()
        results["csv_export"] = csv_export(server)
    finally:
        server.terminate()
        server.wait(30)
    floor = results["endpoints"]["/healthz"]["c1"]["p50_ms"] or 0.001
    for r in results["endpoints"].values():
        r["ratio_to_healthz"] = round(r["c1"]["p50_ms"] / floor, 1)
    return results


def throughput_lines(section: dict) -> list[str]:
    cached = "response cache on" if section["response_cache"] else "response cache off"
    lines = [f"Throughput: gunicorn {section['workers']} workers, wrk {section['seconds']:g} s per run, {cached} (ms)"]
    head = (f"{'endpoint':<26} {'p50 1c':>8} {'p95 1c':>8} {'×healthz':>9} {'p95 16c':>8} {'req/s 16c':>10} "
            f"{'errors':>7}")  # fmt: skip
    lines += [head, "-" * len(head)]
    for name, r in section["endpoints"].items():
        errors = r["c1"]["errors"] + r["c16"]["errors"]
        lines.append(f"{name:<26} {r['c1']['p50_ms']:>8.2f} {r['c1']['p95_ms']:>8.2f} {r['ratio_to_healthz']:>9.1f} "
                     f"{r['c16']['p95_ms']:>8.2f} {r['c16']['rps']:>10.1f} {errors:>7}")  # fmt: skip
    c = section["csv_export"]
    lines.append(f"CSV export of every detainee ({c.get('served_from', '?')}): status {c['status']}, "
                 f"first byte {c['first_byte_ms']} ms, whole file "
                 f"{c['total_s']} s ({c['lines']:,} lines, {c['mb']} MB), worker memory growth "
                 f"{c['worker_growth_mb']} MB")  # fmt: skip
    return lines


def database_url(url: str, name: str) -> str:
    """The same server and user as `url`, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _psql_args(url: str) -> list[str]:
    parts = urlsplit(url)
    return ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]


class ScratchCopy:
    """A copy of the benchmark's database (`createdb -T`) for what writes, dropped at the end: the kept one is never
    written to. The template must have no other connection, so this process closes its own first and retries a
    while if another (autovacuum) is there."""

    def __init__(self, url: str):
        self.source = url
        self.name = f"{database_name(url)}_scratch"[:63]
        self.url = database_url(url, self.name)
        self.made = False

    def __enter__(self) -> "ScratchCopy":
        from django.db import connections

        connections.close_all()
        self.drop()
        started = time.monotonic()
        for attempt in range(30):
            done = subprocess.run(["createdb", *_psql_args(self.source), "-T", database_name(self.source), self.name],
                                  capture_output=True, text=True)  # fmt: skip
            if done.returncode == 0:
                break
            if "being accessed by other users" not in done.stderr or attempt == 29:
                raise SystemExit(f"createdb -T {database_name(self.source)} {self.name}: {done.stderr.strip()}")
            time.sleep(5)
        self.made = True
        print(f"Scratch copy {self.name} made ({time.monotonic() - started:.0f} s)", flush=True)
        return self

    def drop(self) -> None:
        subprocess.run(["dropdb", *_psql_args(self.source), "--if-exists", self.name], check=True,
                       capture_output=True)  # fmt: skip

    def __exit__(self, *exc) -> None:
        if self.made:
            self.drop()
            print(f"Scratch copy {self.name} dropped", flush=True)


def measure_rebuild(scratch: ScratchCopy) -> dict:
    """`build_case_documents --jobs 2` over every published case of the scratch copy, timed from outside."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "manage.py", "build_case_documents", "--jobs", "2"], cwd=ROOT,
                          env={**os.environ, "DATABASE_URL": scratch.url}, capture_output=True, text=True)  # fmt: skip
    seconds = time.monotonic() - started
    if done.returncode:
        raise SystemExit(f"build_case_documents failed: {done.stderr[-2000:]}")
    built = re.search(r"Built ([\d,]+) case documents", done.stdout)
    count = int(built.group(1).replace(",", "")) if built else None
    return {"command": "manage.py build_case_documents --jobs 2", "pages": False, "documents": count,
            "seconds": round(seconds, 1), "per_second": round(count / seconds) if count else None,
            "output": done.stdout.strip(), "load_after": os.getloadavg()}  # fmt: skip


def rebuild_lines(section: dict) -> list[str]:
    return [f"Rebuild: `{section['command']}` (API documents; pages not included: each is rendered when first "
            f"asked for): {section['documents']:,} documents in {section['seconds']} s "
            f"({section['per_second']:,} a second), on a scratch copy"]  # fmt: skip


def measure_writes(scratch: ScratchCopy, args, stamp: str) -> dict:
    """bench/writes.py against the scratch copy (its own gunicorn, and worker where derived state is left to one);
    its JSON and text are taken into this run's and removed."""
    tag = f"bench-{stamp}"
    command = [sys.executable, str(ROOT / "bench/writes.py"), "--out", tag, "--port", str(PORT), "--skip-csv",
               "--skip-profile", "--workers", str(args.workers), "--writers", str(args.writers),
               "--each", str(args.each)]  # fmt: skip
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(command, cwd=ROOT, env={**env, "DATABASE_URL": scratch.url, "BENCH_PORT": str(PORT)})
    out = ROOT / "bench/results" / f"writes-{tag}"
    if done.returncode or not out.with_suffix(".json").exists():
        raise SystemExit("bench/writes.py failed (see above)")
    results = json.loads(out.with_suffix(".json").read_text())
    results["report"] = out.with_suffix(".txt").read_text().rstrip("\n").splitlines()
    for suffix in (".json", ".txt"):
        out.with_suffix(suffix).unlink()
    return results


def writes_lines(section: dict) -> list[str]:
    return ["Writes (bench/writes.py on a scratch copy):", *section["report"]]


def measure_growth(args, stamp: str, main_url: str, main_size: int) -> dict:
    """The first-visit rows of the project alone at each size: this run's command again on each database (generated
    there once when absent: `generate_synthetic` then the documents' build), one after another."""
    sizes = [(size, database_url(main_url, args.growth_db.format(k=size // 1000))) for size in args.growth_sizes]
    sizes.append((main_size, main_url))
    out = {"sizes": []}
    for size, url in sizes:
        print(f"Growth: first visits at {size:,} cases ({database_name(url)}) …", flush=True)
        tmp = ROOT / "bench/results" / f".growth-{stamp}-{size}.json"
        command = [sys.executable, str(Path(__file__).resolve()), "--only", "first-visit", "--no-datasette",
                   "--detainees", str(size), "--urls", str(args.growth_urls), "--workers", str(args.workers),
                   "--results", str(tmp), "--quiet"]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, env={**os.environ, "DATABASE_URL": url})
        if done.returncode or not tmp.exists():
            raise SystemExit(f"growth at {size:,} cases failed (see above)")
        run = json.loads(tmp.read_text())
        tmp.unlink()
        out["sizes"].append({"cases": run["detainees"], "published": run["published"], "database": database_name(url),
                             "load_average": run["load_before"], "kinds": run["first-visit"]["kinds"]})  # fmt: skip
    small, large = out["sizes"][0]["cases"], out["sizes"][-1]["cases"]
    out["log_n_growth"] = round(math.log(large) / math.log(small), 2)
    return out


def growth_rows(section: dict) -> list[tuple[str, list[float | None], list[float | None]]]:
    """(row, p50 at each size, × /healthz at each size), the cold and warm columns of a kind as two rows."""
    rows = []
    for kind, row in section["sizes"][-1]["kinds"].items():
        for label in ("cold", "warm"):
            if row.get(label):
                at = [(s["kinds"].get(kind) or {}).get(label) or {} for s in section["sizes"]]
                name = kind if kind not in DOCUMENT_KINDS else f"{kind}, {label}"
                rows.append((name, [r.get("p50_ms") for r in at], [r.get("ratio_to_healthz") for r in at]))
    return rows


def growth_lines(section: dict) -> list[str]:
    sizes = section["sizes"]
    lines = ["Growth: first-visit p50 ms of the project alone (the same kinds of URL, response cache off), by cases"]
    head = (f"{'first visit':<34}" + "".join(f"{s['cases']:>10,}" for s in sizes)
            + f"{'growth':>9}{'×hz growth':>12}{'log n':>7}")  # fmt: skip
    lines += [head, "-" * len(head)]

    def grown(values):
        return f"{values[-1] / values[0]:.1f}×" if values[0] and values[-1] else "—"

    for name, values, ratios_to_healthz in growth_rows(section):
        cells = "".join(f"{'—' if v is None else format(v, '.1f'):>10}" for v in values)
        lines.append(f"{name:<34}{cells}{grown(values):>9}{grown(ratios_to_healthz):>12}"
                     f"{section['log_n_growth']:>6.1f}×")  # fmt: skip
    lines.append(
        "growth: the largest size's p50 ÷ the smallest's; ×hz growth: the same for p50 ÷ /healthz (less moved by "
        "other work on the machine, as long as /healthz itself is steady); log n: ln(largest) ÷ ln(smallest). Load "
        "average at each size: " + ", ".join(f"{s['cases']:,}: {s['load_average'][0]:.1f}" for s in sizes)
    )
    return lines


LINES = {"first-visit": first_visit_lines, "throughput": throughput_lines, "rebuild": rebuild_lines,
         "writes": writes_lines, "growth": growth_lines}  # fmt: skip


def failures(results: dict) -> list[str]:
    failed = []
    for kind, row in (results.get("first-visit") or {}).get("kinds", {}).items():
        failed += [f"first visit, {label}: {kind}" for label, r in row.items() if r and r["errors"]]
    for name, r in (results.get("throughput") or {}).get("endpoints", {}).items():
        if r["c1"]["errors"] + r["c16"]["errors"]:
            failed.append(name)
    csv = (results.get("throughput") or {}).get("csv_export")
    if csv and csv["status"] != 200:
        failed.append(f"CSV export (status {csv['status']})")
    con = (results.get("writes") or {}).get("concurrent")
    if con and (con["errors"] or con["deadlocks"]):
        failed.append(f"writes: {con['errors']} errors, {con['deadlocks']} deadlocks")
    for size in (results.get("growth") or {}).get("sizes", []):
        for kind, row in size["kinds"].items():
            failed += [f"growth at {size['cases']:,}, {label}: {kind}" for label, r in row.items()
                       if r and r["errors"]]  # fmt: skip
    return failed


def report(results: dict) -> list[str]:
    load = results["load_before"]
    lines = [f"make bench, {results['started']}: {results['detainees']:,} detainees ({results['published']:,} "
             f"published) in {results['database']}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the "
             f"start"]  # fmt: skip
    for section in SECTIONS:
        if section in results:
            lines += ["", *LINES[section](results[section]), f"(load average after: {results['load'][section]})"]
    return lines


def start_server(workers: int, cache: bool = True) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_ENV": "production", "SECRET_KEY": "bench-" + "k" * 60, "ALLOWED_HOSTS": HOST,
           "SECURE_SSL_REDIRECT": "false", "CONN_MAX_AGE": "600", "API_ANON_RATE": "1000000000/minute",
           "PAGE_CACHE_SECONDS": "600" if cache else "0"}  # fmt: skip
    env.pop("PROCESS_KIND", None)  # a web server: the web's statement timeout, as in production
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


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detainees", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5.0, help="wrk's seconds per run (throughput).")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers.")
    parser.add_argument(
        "--urls",
        type=int,
        default=FIRST_VISIT_URLS,
        help=f"Distinct URLs per set and kind in first-visit (default {FIRST_VISIT_URLS}).",
    )
    parser.add_argument("--only", default="", help=f"Comma-separated sections to run, of: {', '.join(SECTIONS)}.")
    for section in SECTIONS:
        parser.add_argument(f"--skip-{section}", action="store_true", help=f"Leave out the {section} section.")
    parser.add_argument("--first-visit-only", action="store_true", help="The same as --only first-visit.")
    parser.add_argument("--no-datasette", dest="datasette", action="store_false",
                        help="first-visit without Datasette beside it (installed on first use into "
                        "bench/.venv-datasette, not the project's environment).")  # fmt: skip
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="throughput with the response cache off: every request does its full work.",
    )
    parser.add_argument("--writers", type=int, default=10, help="Concurrent writers in writes (default 10).")
    parser.add_argument("--each", type=int, default=100, help="PATCHes per writer in writes (default 100).")
    parser.add_argument(
        "--growth-sizes",
        default=",".join(map(str, GROWTH_SIZES)),
        help="The smaller sizes of growth, beside this run's (default 2000,20000).",
    )
    parser.add_argument(
        "--growth-db",
        default="tracker_bench_{k}k",
        help="Their databases, on the same server ({k}: thousands; default tracker_bench_{k}k).",
    )
    parser.add_argument("--growth-urls", type=int, default=40, help="Distinct URLs per set and kind in growth.")
    parser.add_argument("--resume", type=Path, help="An earlier run's JSON: run the sections it lacks, into it.")
    parser.add_argument("--results", type=Path, help="Write the JSON here (no .txt).")
    parser.add_argument("--quiet", action="store_true", help="No summary of every table at the end.")
    parser.add_argument("--smoke", action="store_true",
                        help="CI: first-visit (5 URLs, no Datasette) and throughput (1 s runs), no results file; "
                        "fails if any request fails. Timings are not judged.")  # fmt: skip
    args = parser.parse_args(argv)
    args.growth_sizes = [int(size) for size in args.growth_sizes.split(",") if size]
    if args.smoke:
        args.seconds, args.urls, args.datasette = min(args.seconds, 1.0), min(args.urls, 5), False
        args.only = args.only or "first-visit,throughput"
    if args.first_visit_only:
        args.only = "first-visit"
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    args.sections = [
        s for s in SECTIONS if (s in only or not only) and not getattr(args, f"skip_{s.replace('-', '_')}")
    ]
    return args


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main():
    args = parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("API_ANON_RATE", "1000000000/minute")  # this process asks for the lists' ids (first-visit)
    main_url = os.environ["DATABASE_URL"]
    if not main_url.startswith("postgres"):
        raise SystemExit("The benchmark runs against PostgreSQL (DATABASE_URL=postgres://…).")
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    if args.resume:
        results = json.loads(args.resume.read_text())
        out = args.resume
        stamp = results.get("stamp", stamp)
    else:
        out = args.results or ROOT / "bench" / "results" / f"bench-{stamp}.json"
        results = {"stamp": stamp, "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load": {}}
    results["load_before"] = results.get("load_before") or os.getloadavg()
    print(f"make bench: sections {', '.join(args.sections)}; load average {load()}", flush=True)
    picks = prepare(args.detainees, args.urls)
    results.update(detainees=picks["detainees"], published=picks["published"], database=database_name(main_url),
                   args={k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()})  # fmt: skip

    def save():
        if not args.smoke:
            out.write_text(json.dumps(results, indent=2) + "\n")

    def done(section: str, value: dict) -> None:
        results[section] = value
        results["load"][section] = load()
        save()
        print("\n" + "\n".join(LINES[section](value)) + "\n", flush=True)

    todo = [s for s in args.sections if s not in results]
    for section in set(args.sections) - set(todo):
        print(f"{section}: already in {out}, kept", flush=True)
    if "first-visit" in todo:
        print("first-visit …", flush=True)
        done("first-visit", measure_first_visits(picks, args))
    if "throughput" in todo:
        print("throughput …", flush=True)
        done("throughput", measure_throughput(picks, args))
    if {"rebuild", "writes"} & set(todo):
        with ScratchCopy(main_url) as scratch:
            if "rebuild" in todo:
                print("rebuild: build_case_documents --jobs 2 on the scratch copy …", flush=True)
                done("rebuild", measure_rebuild(scratch))
            if "writes" in todo:
                print("writes: bench/writes.py on the scratch copy …", flush=True)
                done("writes", measure_writes(scratch, args, stamp))
    if "growth" in todo:
        done("growth", measure_growth(args, stamp, main_url, picks["detainees"]))

    failed = failures(results)
    if not args.quiet:
        lines = report(results)
        print("\n" + "\n".join(lines))
        if not (args.smoke or args.results):
            out.with_suffix(".txt").write_text("\n".join(lines) + "\n")
            print(f"Wrote {out} and .txt")
    if failed:
        raise SystemExit(f"Requests failed: {', '.join(failed)}")
    if args.smoke:
        print("Smoke run: every request answered without an error (timings are not judged at this size).")


if __name__ == "__main__":
    main()
