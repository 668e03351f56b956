"""How fast `/api/v1/deletions/` answers a page at 10,000 deletes (target: under 100 ms a page).

Usage (a scratch database: it adds and deletes outlets):
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python manage.py migrate
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/deletions.py [--deletes 10000]
Real deletes: the records are created, published to the change feed, deleted (the triggers mark them) and the
deletes published; then pages of the list are timed (first, middle, last; by page number and by `after` seq), and a
page of `/api/v1/changes/` for comparison. Each figure is the median of 5 requests.
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

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402

from changes.models import Published  # noqa: E402
from changes.publisher import publish  # noqa: E402
from sources.models import Outlet  # noqa: E402


def timed(client, url, params) -> float:
    times = []
    for _ in range(5):
        cache.clear()  # no cached count: each request does the whole work
        started = time.perf_counter()
        response = client.get(url, params)
        assert response.status_code == 200, response.content[:300]
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deletes", type=int, default=10_000)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    have = Published.objects.filter(op="delete").count()
    if have < args.deletes:
        started = time.perf_counter()
        Outlet.objects.bulk_create([Outlet(name=f"Bench outlet {have + n}", country="RU", kind="newspaper")
                                    for n in range(args.deletes - have)], batch_size=2000)  # fmt: skip
        publish()
        Outlet.objects.filter(name__startswith="Bench outlet").delete()
        publish()
        print(f"made {args.deletes - have:,} deletes in {time.perf_counter() - started:.1f} s")
    total = Published.objects.filter(op="delete").count()
    client = Client()
    pages = -(-total // 50)
    middle = Published.objects.filter(op="delete").order_by("seq").values_list("seq", flat=True)[total // 2]
    print(f"deletes in the feed            {total:>10,}")
    for label, url, params in [
        ("deletions, page 1", "/api/v1/deletions/", {}),
        (f"deletions, page {pages // 2}", "/api/v1/deletions/", {"page": pages // 2}),
        (f"deletions, page {pages} (last)", "/api/v1/deletions/", {"page": pages}),
        ("deletions, after=<middle seq>", "/api/v1/deletions/", {"after": middle}),
        ("deletions, page_size=500", "/api/v1/deletions/", {"page_size": 500}),
        ("changes, after=<middle seq>", "/api/v1/changes/", {"after": middle}),
    ]:  # fmt: skip
        print(f"{label:<30} {timed(client, url, params):>10.1f} ms")


if __name__ == "__main__":
    main()
