"""A name search's page and its count: two queries (the page, then a COUNT that reads the trigram index again), or
one (the page with `COUNT(*) OVER ()`, what the list and the API do now: common.cache.CachedCountPaginator).

Usage: DATABASE_URL=postgres://... .venv/bin/python bench/search_count.py [--runs 7]
Prints, per search, the median of `--runs` alternating timings of both ways, with the load average.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count, Window  # noqa: E402

from detainees.models import Detainee  # noqa: E402

SEARCHES = ["ivanov", "smith", "whelan", "gershkovich", "ali", "zz"]


def searched(q: str):
    return Detainee.objects.published().search(q).ranked(q)


def two_queries(q: str) -> int:
    rows = list(searched(q)[:25])
    assert len(rows) <= 25
    return searched(q).order_by().count()


def one_query(q: str) -> int:
    rows = list(searched(q).annotate(_total=Window(Count("pk")))[:25])
    return rows[0]._total if rows else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
          f"{Detainee.objects.published().count():,} published people")  # fmt: skip
    print(f"{'search':<14} {'matches':>8} {'page + count ms':>16} {'one query ms':>13}")
    for q in SEARCHES:
        two, one = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            n2 = two_queries(q)
            two.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            n1 = one_query(q)
            one.append((time.perf_counter() - started) * 1000)
            assert n1 == n2, (q, n1, n2)
        print(f"{q:<14} {n1:>8,} {statistics.median(two):>16.1f} {statistics.median(one):>13.1f}")


if __name__ == "__main__":
    main()
