"""The API name search in-process: the page query's plan and time (EXPLAIN ANALYZE) and the p50 of `--runs` requests
to /api/v1/detainees/?q=<name>, the response cache off (PAGE_CACHE_SECONDS=0), the stored documents as configured.

Written for h48 (a stored search key begins with a space, so a word start is one `LIKE '% form%'` per folded form,
not `LIKE 'form%' OR LIKE '% form%'`): run it on a database and on a copy migrated forward, alternately, and compare.

Usage: DATABASE_URL=postgres://... .venv/bin/python bench/name_search.py [--runs 50] [--rounds 1] [q ...]
Prints, per search: matches, LIKEs on the key in the page query's WHERE, the index scans, the execution time of the
first visit's page query (its count in it, `COUNT(*) OVER ()`; median of 5 EXPLAIN ANALYZE), and the p50 and p95 in
ms of the requests (a later visit: the count is cached per data version); then the load average. Stored case
documents are read only if built with the code running (casedocs.buildkey): build them (`build_case_documents
--stale`) on each database with its own code first.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count, Window  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from detainees.models import Detainee  # noqa: E402

SEARCHES = ["smirnov", "Смирнов", "smith", "vorobiev", "iv", "golu", "ivan petrov"]
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench-name-search"}}


def page_query(q: str):
    """What the API asks for a page of a name search: the rows and their count in one query."""
    found = Detainee.objects.published().search(q).ranked(q)
    return found.annotate(_page_total=Window(Count("pk")))[:50]


def explain(q: str) -> tuple[float, list[str]]:
    times, plan = [], ""
    for _ in range(5):
        plan = page_query(q).explain(analyze=True)
        times.append(float(re.search(r"Execution Time: ([\d.]+)", plan).group(1)))
    scans = [line.strip().removeprefix("->").strip().split("  (")[0] for line in plan.splitlines() if "Scan" in line]
    return statistics.median(times), scans


def requests(client: Client, q: str, runs: int) -> tuple[float, float, str]:
    for _ in range(3):  # warm: the connection, the prepared statements, the stored documents read
        client.get("/api/v1/detainees/", {"q": q})
    took = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get("/api/v1/detainees/", {"q": q})
        took.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:200]
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/detainees/", {"q": q})
    # the page: after the first visit its count comes from the cache (per data version), not `COUNT(*) OVER ()`
    [page] = [c["sql"] for c in captured.captured_queries if "search_key" in c["sql"] and " LIMIT " in c["sql"]]
    return statistics.median(took), sorted(took)[int(len(took) * 0.95) - 1], page


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("searches", nargs="*", default=SEARCHES)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: the trigram index is what is measured")
    people = Detainee.objects.count()
    print(f"{people:,} detainees; runs {args.runs}; load {os.getloadavg()[0]:.1f}", flush=True)
    print(f"{'q':<12} {'matches':>7} {'LIKEs':>5} {'plan ms':>8} {'p50 ms':>7} {'p95 ms':>7}  index scans")
    with override_settings(PAGE_CACHE_SECONDS=0, ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False,
                           CACHES=LOCMEM):  # fmt: skip
        client = Client()
        for q in args.searches:
            matches = Detainee.objects.published().search(q).count()
            plan_ms, scans = explain(q)
            p50, p95, page = requests(client, q, args.runs)
            where = page.split(" WHERE ", 1)[-1].split(" ORDER BY ", 1)[0]
            likes = len(re.findall(r'search_key"?(?:::text)?\s+LIKE', where))
            index = sorted({s for s in scans if "Index" in s})
            print(f"{q:<12} {matches:>7,} {likes:>5} {plan_ms:>8.2f} {p50:>7.2f} {p95:>7.2f}  {'; '.join(index)}",
                  flush=True)  # fmt: skip
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
