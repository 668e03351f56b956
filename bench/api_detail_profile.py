"""The API detail's whole request cycle, in process (issue 21 items 3 and 4, h55): `/api/v1/detainees/<id>/` cold
(stored document deleted just before: built in the request) and warm (stored document current), with `/healthz` as
the floor, each request sent through Django's WSGI handler as gunicorn sends it (every middleware, DRF, the
renderer), with the settings `make bench` starts gunicorn with (production, persistent connections, response cache
off, no throttle in the way).

    DATABASE_URL=… .venv/bin/python bench/api_detail_profile.py [--n 100] [--kind warm] [--calls] [--profile 30]

Run it on a database of your own: it deletes and builds stored documents. People are spread evenly over the
published ids; a few others are asked first (imports, prepared statements, per-process caches). Prints per request:
median CPU (process) ms and wall ms, statements, and with --calls the Python function calls (cProfile's count, which
does not move with the machine's load as times do). --profile N prints cProfile's N costliest functions, timed in
CPU time (waiting on the database counts nothing). Each response is closed as a WSGI server closes it once sent:
wall time ends when the body is ready; CPU, calls and statements include the work done at closing (h64: a cold
detail's store).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# As bench/run.py's start_server: what gunicorn answers `make bench` with.
SERVER_ENV = {"DJANGO_ENV": "production", "SECRET_KEY": "bench-" + "k" * 60, "ALLOWED_HOSTS": "testserver",
              "SECURE_SSL_REDIRECT": "false", "CONN_MAX_AGE": "600", "API_ANON_RATE": "1000000000/minute",
              "PAGE_CACHE_SECONDS": "0"}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100, help="Requests per kind (default 100).")
    parser.add_argument(
        "--kind",
        choices=["healthz", "warm", "cold", "list", "all"],
        default="all",
        help="`list`: the filtered API list of 50 (`?status=` and `?held_by=` pages, their people's "
        "documents current), as `make bench` asks it (h64).",
    )
    parser.add_argument("--profile", type=int, default=0, help="Print cProfile's N costliest functions.")
    parser.add_argument("--calls", action="store_true", help="Count the Python function calls per request.")
    parser.add_argument("--checkout", default=str(ROOT), help="The checkout whose code answers (default: this one).")
    args = parser.parse_args()

    sys.path.insert(0, args.checkout)
    os.chdir(args.checkout)
    for name, value in SERVER_ENV.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import cProfile
    import io
    import pstats

    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casedocs import services
    from casedocs.models import CaseDocument
    from detainees.models import Detainee

    handler = WSGIHandler()

    def get(path: str, sent=None) -> tuple[int, bytes]:
        """The status and body of a GET; the response then closed, as a WSGI server closes it once it is sent (the
        work a response leaves to its closing runs then, after `sent()` is called: the answer's wall time ends
        there; its CPU and statements include the closing)."""
        path, _, query = path.partition("?")
        environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "testserver",
                   "SERVER_PORT": "80", "HTTP_HOST": "testserver", "REMOTE_ADDR": "127.0.0.1",
                   "HTTP_ACCEPT": "*/*", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
                   "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
                   "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0)}  # fmt: skip
        status = []
        response = handler(environ, lambda s, headers, exc_info=None: status.append(s))
        body = b"".join(response)
        if sent is not None:
            sent()
        response.close()
        return int(status[0].split()[0]), body

    people = list(Detainee.objects.published().order_by("pk").values_list("pk", flat=True))
    step = max(1, len(people) // max(1, 2 * args.n + 4))
    spread = people[::step]
    first, warm_set, cold_set = spread[:4], spread[4 : 4 + args.n], spread[4 + args.n : 4 + 2 * args.n]
    services.build(warm_set, pages=False)  # current stored documents for the warm set
    for pk in first:  # imports, prepared statements, caches: cold then warm
        CaseDocument.objects.filter(pk=pk).delete()
        assert get(f"/api/v1/detainees/{pk}/")[0] == 200
        assert get(f"/api/v1/detainees/{pk}/")[0] == 200
    get("/healthz")
    lists = list_paths(args.n, get) if args.kind in ("list", "all") else []
    print(f"# {connection.vendor} {connection.settings_dict['NAME']}, {len(people):,} published, "
          f"checkout {args.checkout}, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    kinds = ["healthz", "warm", "cold", "list"] if args.kind == "all" else [args.kind]
    for kind in kinds:
        profiler = cProfile.Profile(time.process_time) if args.profile or args.calls else None
        if kind == "cold":
            CaseDocument.objects.filter(pk__in=cold_set).delete()
        if kind == "list":
            paths = lists
        elif kind == "healthz":
            paths = ["/healthz"] * args.n
        else:
            paths = [f"/api/v1/detainees/{pk}/" for pk in (warm_set if kind == "warm" else cold_set)]
        walls, cpus, statements = [], [], []
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                wall, cpu = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.enable()
                status, _ = get(path, sent=lambda: walls.append((time.perf_counter() - wall) * 1000))  # noqa: B023
                if profiler:
                    profiler.disable()
                cpus.append((time.process_time() - cpu) * 1000)
            assert status == 200, (path, status)
            statements.append(sum(1 for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]))
        wall, cpu, count = (statistics.median(x) for x in (walls, cpus, statements))
        calls = f"  calls/request {pstats.Stats(profiler).total_calls / len(paths):,.0f}" if profiler else ""
        print(f"{kind:7} n={len(paths)}  cpu p50 {cpu:.2f} ms  wall p50 {wall:.2f} ms  statements p50 {count:g}{calls}")
        if profiler and args.profile:
            for order in ("cumulative", "tottime"):
                pstats.Stats(profiler).sort_stats(order).print_stats(args.profile)


def list_paths(n: int, get) -> list[str]:
    """Pages of the two most common statuses' and holders' lists, alternating (as bench/run.py's first visits pick
    them), each asked once beforehand (its count cached, as the bench's probe leaves it) with its people's documents
    built."""
    from django.db.models import Count

    from casedocs import services
    from detainees.models import Detainee

    published = Detainee.objects.published()
    pairs = []
    for field in ("status", "held_by"):
        for value, count in published.values_list(field).annotate(n=Count("pk")).order_by("-n")[:2]:
            if value:
                pairs += [f"{field}={value}&page={page}" for page in range(1, min(40, -(-count // 50)) + 1)]
    pairs = sorted(pairs, key=lambda p: int(p.rsplit("=", 1)[1]))[:n]
    ids = set()
    for pair in pairs:  # the people each page shows, as the bench's probe finds them
        status, body = get(f"/api/v1/detainees/?{pair}")
        assert status == 200, (pair, status)
        ids |= {row["id"] for row in json.loads(body)["results"]}
    todo = sorted(ids - set(services.current().filter(pk__in=ids).values_list("pk", flat=True)))
    for start in range(0, len(todo), 50):
        services.build(todo[start : start + 50], pages=False)
    return [f"/api/v1/detainees/?{pair}" for pair in pairs]


if __name__ == "__main__":
    main()
