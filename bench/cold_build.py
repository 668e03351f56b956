"""In-process cold builds of stored case documents (issue 21 item 3, h51): what a first visit builds, without the
request around it. Per person, on a person whose stored document was deleted first:

- "api": `casedocs.services.build([pk], pages=False)`, the API document alone (a cold API detail);
- "page": `build([pk], slugs={pk: slug})`, the page and its API document (a cold case page).

    DATABASE_URL=… .venv/bin/python bench/cold_build.py [--n 100] [--kind page] [--calls] [--profile 30] [--checkout D]

Run it on a database of your own: it deletes and stores stored documents. People are spread evenly over the
published ids; three others are built first (imports, compiled templates, per-process caches). Prints the median
wall and CPU (process) ms per build and the statements per build. --checkout runs another checkout's code (an
export of main, say) with this script, for an A/B on the same database. --profile N prints cProfile's N costliest
functions (cumulative and own time); --calls the Python function calls per build, a count that does not move with
the machine's load as times do. Instructions: run under `valgrind --tool=callgrind` with --n 0 and --n 20 and divide
the difference of the two totals by 20 (the process's start-up cancels out; slow on a loaded machine).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100, help="People built per kind (default 100).")
    parser.add_argument("--kind", choices=["api", "page", "both"], default="both")
    parser.add_argument("--profile", type=int, default=0, help="Print cProfile's N costliest functions.")
    parser.add_argument("--calls", action="store_true",
                        help="Count the Python function calls per build (cProfile's count: deterministic, unlike times "
                        "on a shared machine; the times printed then include the profiler).")  # fmt: skip
    parser.add_argument("--checkout", default=str(ROOT), help="The checkout whose code builds (default: this one).")
    parser.add_argument("--offset", type=int, default=0, help="Start the spread of people this many ids later.")
    args = parser.parse_args()

    sys.path.insert(0, args.checkout)
    os.chdir(args.checkout)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("PAGE_CACHE_SECONDS", "0")
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from casedocs import services
    from casedocs.models import CaseDocument
    from detainees.models import Detainee

    people = list(Detainee.objects.published().order_by("pk").values_list("pk", "slug"))
    step = max(1, len(people) // max(1, args.n + 3))
    chosen = people[args.offset % step :: step][: args.n + 3]
    warm, chosen = chosen[:3], chosen[3:]
    kinds = ["api", "page"] if args.kind == "both" else [args.kind]

    def one(kind: str, pk: int, slug: str) -> None:
        if kind == "api":
            built = services.build([pk], pages=False)
        else:
            built = services.build([pk], slugs={pk: slug})
        assert pk in built, (pk, slug)

    CaseDocument.objects.filter(pk__in=[pk for pk, _ in warm]).delete()
    for kind in kinds:
        for pk, slug in warm:
            CaseDocument.objects.filter(pk=pk).delete()
            one(kind, pk, slug)
    import cProfile
    import pstats

    profiler = cProfile.Profile() if args.profile or args.calls else None
    print(f"# {connection.vendor} {connection.settings_dict['NAME']}, {len(people):,} published, "
          f"checkout {args.checkout}, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    for kind in kinds:
        if profiler:
            profiler = cProfile.Profile()
        CaseDocument.objects.filter(pk__in=[pk for pk, _ in chosen]).delete()
        walls, cpus, statements = [], [], []
        for pk, slug in chosen:
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                wall, cpu = time.perf_counter(), time.process_time()
                if profiler:
                    profiler.enable()
                one(kind, pk, slug)
                if profiler:
                    profiler.disable()
                walls.append((time.perf_counter() - wall) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            statements.append(sum(1 for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]))
        if chosen:
            wall, cpu, count = (statistics.median(x) for x in (walls, cpus, statements))
            calls = f"  calls/build {pstats.Stats(profiler).total_calls / len(chosen):,.0f}" if profiler else ""
            print(f"{kind:5} n={len(chosen)}  wall p50 {wall:.2f} ms  cpu p50 {cpu:.2f} ms  statements p50 {count:g}"
                  f"{calls}")  # fmt: skip
        if profiler and args.profile:
            for order in ("cumulative", "tottime"):
                pstats.Stats(profiler).sort_stats(order).print_stats(args.profile)


if __name__ == "__main__":
    main()
