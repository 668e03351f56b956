"""First visits to the lists, in process: p50 ms and queries per request over distinct URLs, as × `/healthz`.

    DATABASE_URL=postgres://…/tracker_20k .venv/bin/python bench/lists_inprocess.py [--urls 50] [--rounds 3]

The Django test client in this process (production settings, the response cache off, a local-memory cache of its
own, so nothing another process keeps is read): no server, no socket, so the figures are the request's own work
(Python and the database) and move less with the machine's load than a server's. Each URL is asked once per round
(the rounds are alternated, and each round's p50 reported with their median), in these kinds:

- `/healthz`, the floor;
- "API list of 50, filtered": `make bench`'s URLs, `/api/v1/detainees/?status=…&page=p` and `?held_by=…&page=p`
  (every page that exists up to the 40th, shallow pages first; their stored documents current, as the bench's warm
  set);
- "list page with facets": `make bench`'s URLs, `/detainees/?page=N`;
- "list page, filtered": `/detainees/?status=…`, `?held_by=…`, `?citizenship=…`, `?charge_category=…`,
  `?designation=…`, `?status=…&held_by=…`, pages 1–2 of each;
- then, after a write that moves the data version (a published person's description saved), the first visit to a
  filtered list page against the second visit of the same URL, `--writes` times; and the same after a write that
  moves a published person's facet values (their citizenships).

Every round begins with its own new data version (a write), so each filter's figures are counted once in it, as
they are after a write on a server. Prints a table and writes JSON under bench/results/ (`--tag` names it).

`--profile`: instead, the Python each kind costs a request once its URLs have been visited (the bench's warm
state): for each kind, every URL visited once to warm, then once for its CPU time (`time.process_time`, which the
machine's load moves less than wall time), then once under cProfile, for its Python function calls; with
`--top N`, the N functions of the list page with facets with the most time of their own.
"""

import argparse
import cProfile
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.update(DJANGO_ENV="production", SECRET_KEY="bench-" + "k" * 60, ALLOWED_HOSTS="testserver",
                  SECURE_SSL_REDIRECT="false", API_ANON_RATE="1000000000/minute", PAGE_CACHE_SECONDS="0")  # fmt: skip
os.environ.pop("REDIS_URL", None)
os.environ.pop("PROCESS_KIND", None)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from detainees.models import Detainee  # noqa: E402

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lists-inprocess"}}


def urls(n: int) -> dict[str, list[str]]:
    published = Detainee.objects.published()
    pages = []
    for field in ("status", "held_by"):
        for value, count in published.values_list(field).annotate(c=Count("pk")).order_by("-c"):
            if value:
                pages += [(page, f"{field}={value}") for page in range(1, min(40, -(-count // 50)) + 1)]
    api = [f"/api/v1/detainees/?{pair}&page={page}" for page, pair in sorted(pages)][:n]
    filters = ["status=held", "status=released", "status=exchanged", "status=deceased", "held_by=RU", "held_by=US",
               "held_by=IR", "held_by=BY", "held_by=CN", "citizenship=US", "citizenship=RU", "citizenship=UA",
               "charge_category=espionage", "charge_category=treason", "designation=hostage",
               "designation=political_prisoner", "status=held&held_by=RU", "status=held&held_by=IR",
               "status=released&held_by=US", "citizenship=US&status=held", "held_by=RU&charge_category=treason",
               "designation=political_prisoner&status=held", "custody=on_file", "custody=none",
               "held_by=VE"]  # fmt: skip
    listed = [f"/detainees/?{f}&page={p}" for p in (1, 2) for f in filters][:n]
    return {
        "/healthz": ["/healthz"] * n,
        "API list of 50, filtered": api,
        "list page with facets": [f"/detainees/?page={i}" for i in range(1, n + 1)],
        "list page, filtered": listed,
    }


def write():
    """A write the public sees (a published person's description): the data version moves."""
    person = Detainee.objects.published().order_by("?").first()
    person.description = f"{person.description.split(' [bench')[0]} [bench {time.time()}]"
    person.save()


def facet_write():
    """A write that moves a published person's facet values (their citizenships): the counts' version moves too."""
    person = Detainee.objects.published().order_by("?").values_list("pk", "citizenships").first()
    codes = [c for c in person[1].split(",") if c]
    codes = codes[:-1] if "FR" in codes else [*codes, "FR"]
    Detainee.objects.filter(pk=person[0]).update(citizenships=",".join(codes))


def visit(client, url) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, response.status_code, len(queries)


def profile(plan: dict[str, list[str]], client, top: int) -> dict:
    """For each kind: (CPU ms per request, median; Python calls per request, mean; queries per request, median)."""
    import pstats

    out = {}
    for kind, todo in plan.items():
        for url in todo:
            client.get(url)
        cpu, queries = [], []
        for url in todo:
            with CaptureQueriesContext(connection) as captured:
                started = time.process_time()
                response = client.get(url)
                cpu.append((time.process_time() - started) * 1000)
            queries.append(len(captured))
            assert response.status_code == 200, (url, response.status_code)
        profiler = cProfile.Profile()
        for url in todo:
            profiler.enable()
            client.get(url)
            profiler.disable()
        stats = pstats.Stats(profiler)
        out[kind] = {"cpu_ms": round(statistics.median(cpu), 2), "calls": round(stats.total_calls / len(todo)),
                     "queries": statistics.median(queries), "urls": len(set(todo))}  # fmt: skip
        if top and kind == "list page with facets":
            stats.sort_stats("tottime").print_stats(top)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--writes", type=int, default=10)
    parser.add_argument("--tag", default="")
    parser.add_argument("--profile", action="store_true", help="CPU ms and Python calls per request (see above)")
    parser.add_argument("--top", type=int, default=0, help="with --profile: the list page's N costliest functions")
    parser.add_argument("--documents-as-built", action="store_true",
                        help="serve the stored documents the database holds whatever code built them (an A/B of two "
                        "branches whose documents are the same bytes, on one database: each would otherwise find "
                        "the other's stale)")  # fmt: skip
    args = parser.parse_args()
    if args.documents_as_built:
        from django.db.models import Count as Many

        import casedocs.services
        from casedocs.models import CaseDocument

        built = CaseDocument.objects.values_list("built_with").annotate(n=Many("pk")).order_by("-n").first()
        casedocs.services.build_key = lambda: built[0]
    with override_settings(CACHES=LOCMEM, ALLOWED_HOSTS=["testserver"]):
        plan = urls(args.urls)
        client = Client()
        for _ in range(20):
            client.get("/healthz")
        client.get("/detainees/?status=held")
        client.get("/api/v1/detainees/?status=held")
        if args.profile:
            write()
            figures = profile({kind: plan[kind] for kind in ("/healthz", "list page with facets",
                                                              "list page, filtered")}, client, args.top)  # fmt: skip
            print(f"{Detainee.objects.count():,} cases, load average {os.getloadavg()[0]:.1f}")
            print(f"{'warm visit':<28}{'CPU ms':>8}{'×hz':>6}{'calls':>8}{'queries':>9}{'urls':>6}")
            hz = figures["/healthz"]["cpu_ms"]
            for kind, f in figures.items():
                print(f"{kind:<28}{f['cpu_ms']:>8.2f}{f['cpu_ms'] / hz:>6.1f}{f['calls']:>8}{f['queries']:>9}"
                      f"{f['urls']:>6}")  # fmt: skip
            return
        rounds: dict[str, list[float]] = {kind: [] for kind in plan}
        queries: dict[str, list[int]] = {kind: [] for kind in plan}
        errors = dict.fromkeys(plan, 0)
        load = [os.getloadavg()[0]]
        for _ in range(args.rounds):
            write()
            times: dict[str, list[float]] = {kind: [] for kind in plan}
            for i in range(args.urls):  # kinds interleaved URL by URL: each sees the machine at the same moment
                for kind, todo in plan.items():
                    if i < len(todo):
                        elapsed, status, n = visit(client, todo[i])
                        times[kind].append(elapsed)
                        queries[kind].append(n)
                        errors[kind] += status != 200
            for kind in plan:
                rounds[kind].append(statistics.median(times[kind]))
        filtered = plan["list page, filtered"]
        after = {}
        for kind, writer in (("after a write", write), ("after a facet write", facet_write)):
            first, second, q_first, q_second = [], [], [], []
            for i in range(args.writes):
                writer()
                url = filtered[(i * 7) % len(filtered)]
                a, _, qa = visit(client, url)
                b, _, qb = visit(client, url)
                first.append(a), second.append(b), q_first.append(qa), q_second.append(qb)
            after[kind] = first, second, q_first, q_second
        load.append(os.getloadavg()[0])
    hz = statistics.median(rounds["/healthz"])
    out = {"cases": Detainee.objects.count(), "load_average": load, "rounds": args.rounds, "kinds": {}}
    print(f"{out['cases']:,} cases, {args.rounds} rounds, load average {load[0]:.1f} → {load[1]:.1f}")
    print(f"{'first visit':<28}{'p50 ms':>8}{'×hz':>6}{'queries':>9}{'urls':>6}{'errors':>7}  rounds' p50")
    for kind in plan:
        p50 = statistics.median(rounds[kind])
        out["kinds"][kind] = {"p50_ms": round(p50, 2), "x_hz": round(p50 / hz, 1),
                              "queries_median": statistics.median(queries[kind]), "urls": len(set(plan[kind])),
                              "errors": errors[kind], "rounds_p50": [round(r, 2) for r in rounds[kind]]}  # fmt: skip
        k = out["kinds"][kind]
        print(f"{kind:<28}{p50:>8.2f}{p50 / hz:>6.1f}{k['queries_median']:>9}{k['urls']:>6}{errors[kind]:>7}  "
              + " ".join(f"{r:.1f}" for r in rounds[kind]))  # fmt: skip
    for kind, lists in after.items():
        a, b, qa, qb = (statistics.median(x) for x in lists)
        out[kind] = {"first_p50_ms": round(a, 2), "second_p50_ms": round(b, 2), "ratio": round(a / b, 2),
                     "first_queries": qa, "second_queries": qb}  # fmt: skip
        print(f"filtered list page {kind}: first {a:.1f} ms ({qa} queries), second {b:.1f} ms ({qb}): {a / b:.2f}×")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = ROOT / "bench/results" / f"lists-inprocess{'-' + args.tag if args.tag else ''}-{stamp}.json"
    path.write_text(json.dumps(out, indent=1))
    print(f"Wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
