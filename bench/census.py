"""What the census costs a request, counted in the request (as before) and read from the stored figures.

Usage (any database with data in it, e.g. after `manage.py generate_synthetic --detainees 10000`):
    DATABASE_URL=sqlite:////tmp/census.sqlite3 .venv/bin/python bench/census.py [--day 2022-12-01]
Prints: the full count of a day and of the 1 December series (what the first request after each write paid
before), `build_census` for that day, a request reading the stored figures, and a request after one write (the
stored figures patched with the one person marked).
"""

import argparse
import datetime
import os
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
from django.utils import timezone  # noqa: E402

from casedocs import census_store  # noqa: E402
from casedocs.models import CensusMark  # noqa: E402
from detainees.census import compute_census, compute_december  # noqa: E402
from detainees.models import Detainee, Detention  # noqa: E402


def timed(what, run):
    started = time.perf_counter()
    value = run()
    seconds = time.perf_counter() - started
    print(f"  {what:<58} {seconds:8.3f} s")
    return value, seconds


def request(client, day):
    cache.clear()
    response = client.get("/api/v1/census/", {"on": day.isoformat()})
    assert response.status_code == 200, response.content[:300]
    return response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--day", default="2022-12-01")
    day = datetime.date.fromisoformat(parser.parse_args().day)
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.PAGE_CACHE_SECONDS = 0
    client = Client()
    client.get("/api/v1/census/", {"on": "1900-01-01"})  # warm up (imports, URL resolving) on a day with no one
    people, detentions = Detainee.objects.published().count(), Detention.objects.count()
    print(f"{people:,} published people, {detentions:,} detentions; census of {day}")
    figures, _ = timed("count the day in full (the old request after a write)", lambda: compute_census(day))
    timed("count the 1 December series in full", lambda: compute_december(timezone.localdate()))
    print(f"  held {figures['held']:,}, uncertain {figures['uncertain']:,}")
    CensusMark.objects.all().delete()  # as five minutes after the data was loaded
    timed("build_census: store the day and the series", lambda: census_store.build_all([day]))
    response, _ = timed("request reading the stored figures (cache cleared)", lambda: request(client, day))
    print(f"  JSON {len(response.content) / 1e6:.1f} MB")
    someone = Detention.objects.filter(detainee__is_published=True).order_by("id").first()
    someone.place = "Changed for the benchmark"
    someone.save()
    timed("request after one write (stored figures patched)", lambda: request(client, day))
    timed("the same, again (patched again: marks stay until the next build)", lambda: request(client, day))
    print(f"  census marks now: {CensusMark.objects.count():,}")


if __name__ == "__main__":
    main()
