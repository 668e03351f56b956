"""One write at a time, in-process: what a PATCH of a person's description and a POST of a charge cost, their
statements and where their Python time goes (h52, issue 21 item 5).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_<copy> .venv/bin/python bench/write_profile.py \
        [--samples 200] [--queries] [--profile N] [--skip-drain]

Against a COPY of a generated database (it writes). The settings are `bench/writes.py`'s (production: DEBUG off,
review on, derived state left to the worker, which does not run here; marks are drained between runs). PATCHes and
POSTs alternate through Django's test client and the whole middleware stack, with the bench's superuser token, so
two trees can be compared as alternating runs on one database. Prints p50/p95 of each write (the first tenth left
out as warm-up), then with `--queries` each write's statements, with `--profile N` cProfile's top functions over N
writes of each kind.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import writes  # noqa: E402  (sets the production environment, as the bench's gunicorn has it)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--queries", action="store_true")
    parser.add_argument("--profile", type=int, default=0)
    parser.add_argument("--skip-drain", action="store_true")
    parser.add_argument("--shortcut", action="store_true", help="the first run on a fresh copy (bench/writes.py)")
    parser.add_argument("--tag", default="")
    parser.add_argument("--dump", default="", help="write each profile to DUMP-patch.prof and DUMP-post.prof")
    args = parser.parse_args()
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL copy of a generated database (this writes to it).")
    args.writers = 10
    picks = writes.prepare(args)
    if not args.skip_drain:
        writes.drain(picks, args.shortcut)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Token {picks['token']}")
    tag = args.tag or time.strftime("%H%M%S")

    def patch(n, pk):
        response = client.patch(f"/api/v1/detainees/{pk}/", {"description": f"Profiled {tag} {n}"},
                                content_type="application/json")  # fmt: skip
        assert response.status_code == 200, response.content[:300]

    def post(n, detention):
        response = client.post("/api/v1/charges/", {"detention": detention, "category": "espionage",
                               "statute": f"Profiled {tag} {n}", "sources": [picks["source"]]},
                               content_type="application/json")  # fmt: skip
        assert response.status_code == 201, response.content[:300]

    people = picks["people"][: args.samples]
    detentions = [d for d, _ in picks["detentions"]][: args.samples]
    times = {"patch": [], "post": []}
    cpu = {"patch": [], "post": []}  # this process's CPU time per write: less at the mercy of the machine's load
    for n, (pk, detention) in enumerate(zip(people, detentions, strict=False)):
        for kind, call, key in (("patch", patch, pk), ("post", post, detention)):
            started, started_cpu = time.perf_counter(), time.process_time()
            call(n, key)
            times[kind].append((time.perf_counter() - started) * 1000)
            cpu[kind].append((time.process_time() - started_cpu) * 1000)
    for kind, values in times.items():
        kept = sorted(values[len(values) // 10 :])
        print(f"{kind}: p50 {statistics.median(kept):.2f} ms, p95 {kept[int(0.95 * len(kept))]:.2f} ms, "
              f"CPU p50 {statistics.median(cpu[kind][len(values) // 10 :]):.2f} ms, n {len(kept)}, "
              f"load {writes.load()}")  # fmt: skip
    if args.queries:
        for kind, call, key in (("PATCH", patch, people[0]), ("POST", post, detentions[0])):
            with CaptureQueriesContext(connection) as queries:
                call("q", key)
            print(f"\n{kind}: {len(queries.captured_queries)} statements")
            for q in queries.captured_queries:
                print(f"  {q['time']:>6} {q['sql'][:150]}")
    if args.profile:
        for kind, call, keys in (("PATCH", patch, people), ("POST", post, detentions)):
            profiler = cProfile.Profile()
            profiler.enable()
            for n, key in enumerate(keys[: args.profile]):
                call(f"p{n}", key)
            profiler.disable()
            if args.dump:
                profiler.dump_stats(f"{args.dump}-{kind.lower()}.prof")
            for order in ("cumulative", "tottime"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(45)
                print(f"\n{kind} by {order} ({args.profile} writes)\n" + out.getvalue())


if __name__ == "__main__":
    main()
