"""Throughput of the change feed's publisher: marks consumed per second and events appended per second.

    DATABASE_URL=postgres://... .venv/bin/python bench/publisher.py [--limit N] [--profile]

Publishes the marks already in the database (a freshly generated one holds every record's marks) up to `--limit`
and prints marks/s, events/s, the marks left, and the machine's load average (it is shared). `--profile` also
times render() per resource over the first window. It WRITES to the database: run it on a copy. To measure an
older publisher on another copy: `git show <commit>:changes/publisher.py > changes/_publisher_old.py`, then
`--module changes._publisher_old` (and delete the file).
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import importlib  # noqa: E402

from django.db import connection  # noqa: E402

from changes.models import Change, Mark  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None, help="stop after this many marks consumed")
    parser.add_argument("--profile", action="store_true", help="time render() per resource on the first window")
    parser.add_argument("--module", default="changes.publisher", help="the publisher to measure (a baseline copy)")
    args = parser.parse_args()
    global publisher
    publisher = importlib.import_module(args.module)
    before = Mark.objects.count()
    events_before = Change.objects.count()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; marks: {before:,}; "
          f"events: {events_before:,}; load average: {os.getloadavg()}")  # fmt: skip
    if args.profile:
        profile()
    started = time.monotonic()
    appended = publisher.publish(limit=args.limit)
    elapsed = time.monotonic() - started
    after = Mark.objects.count()
    consumed = before - after
    print(f"consumed {consumed:,} marks, appended {appended:,} events in {elapsed:.1f} s: "
          f"{consumed / elapsed:,.0f} marks/s, {appended / elapsed:,.0f} events/s; {after:,} marks left; "
          f"load average: {os.getloadavg()}")  # fmt: skip


def profile():
    window = getattr(publisher, "WINDOW", publisher.BATCH)
    marks = list(Mark.objects.order_by("id").values_list("resource", "object_id")[:window])
    started = time.monotonic()
    wanted = publisher.expand(set(marks))
    print(f"expand: {len(marks):,} marks -> {sum(map(len, wanted.values())):,} records "
          f"in {time.monotonic() - started:.2f} s")  # fmt: skip
    for resource, ids in sorted(wanted.items()):
        started = time.monotonic()
        documents = publisher.render(resource, ids)
        elapsed = time.monotonic() - started
        print(f"  render {resource:24} {len(ids):6,} ids {len(documents):6,} docs {elapsed:7.2f} s "
              f"{len(ids) / max(elapsed, 1e-6):8,.0f} /s")  # fmt: skip


if __name__ == "__main__":
    main()
