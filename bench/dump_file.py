"""How big and how fast the dump is: publish the feed, build the dump file at its seq, then serve it.

Usage (any database with data in it, e.g. after `manage.py generate_synthetic --detainees 2000`):
    DATABASE_URL=postgres://... .venv/bin/python bench/dump_file.py
Prints the time to publish what is marked (a first run publishes every record), the dump's build time, its size
(gzip on disk and JSON), the process's peak RSS before and after the build, and the time to serve the built file
(gzip and decompressed). The dump is built by `build_dump` (a command, or the worker), never in a request.

    --inflate N   (a SCRATCH copy only: it writes) first copy every record of the feed N-1 times under new ids, so
                  the dump holds N times as many records, to measure `build_dump` at a scale whose first publish
                  is out of reach on a small machine (100,000 cases: ~3.5 million marks to render). The dump reads
                  only the feed's stored documents, so its cost depends on their number and size, not on how they
                  were made. Refused unless the database's name ends in `_scratch`.
    --json FILE   also write the figures as JSON.
"""

import argparse
import gzip
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("PROCESS_KIND", "command")  # a batch job, like build_dump: no web statement timeout

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from changes.models import Change, Mark, Published  # noqa: E402
from changes.publisher import publish  # noqa: E402
from dataset.dump import build_dump  # noqa: E402
from detainees.models import Detainee  # noqa: E402


def timed_get(client, **headers) -> tuple[float, int, object]:
    started = time.perf_counter()
    response = client.get("/api/v1/dump/", **headers)
    size = sum(len(chunk) for chunk in response.streaming_content)
    return time.perf_counter() - started, size, response


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def inflate(times: int) -> int:
    """Copy every record of the feed (its events and its `Published` row) `times - 1` times under ids shifted past
    the highest; returns the records added. Scratch databases only."""
    name = str(connection.settings_dict["NAME"])
    if not name.endswith("_scratch"):
        sys.exit(f"--inflate writes to the database; refused on {name!r} (use a copy named *_scratch)")
    from django.db.models import Max

    shift = (Published.objects.aggregate(top=Max("object_id"))["top"] or 0) + 1
    added = 0
    for copy in range(1, times):
        with transaction.atomic():
            head = Change.objects.aggregate(head=Max("seq"))["head"] or 0
            with connection.cursor() as cursor:
                # new events after the head, in the originals' order, then their Published rows
                cursor.execute(
                    "INSERT INTO changes_change (resource, object_id, op, at, document, digest) "
                    "SELECT c.resource, c.object_id + %s, c.op, c.at, c.document, c.digest FROM changes_change c "
                    "JOIN changes_published p ON p.seq = c.seq WHERE p.object_id < %s ORDER BY c.seq",
                    [shift * copy, shift],
                )
                added += cursor.rowcount
                cursor.execute(
                    "INSERT INTO changes_published (resource, object_id, seq, op, at, previous_at, digest, reason) "
                    "SELECT c.resource, c.object_id, c.seq, c.op, c.at, NULL, c.digest, '' FROM changes_change c "
                    "WHERE c.seq > %s",
                    [head],
                )
        print(f"inflate: copy {copy + 1}/{times}, {added:,} records added", file=sys.stderr)
    return added


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inflate", type=int, default=1)
    parser.add_argument("--json", default="")
    args = parser.parse_args()
    settings.DUMP_DIR = Path(tempfile.mkdtemp(prefix="dump-bench-"))
    settings.ALLOWED_HOSTS = ["testserver"]
    people = Detainee.objects.published().count()
    marks = Mark.objects.count()
    started = time.perf_counter()
    events = publish()
    published = time.perf_counter() - started
    inflated = inflate(args.inflate) if args.inflate > 1 else 0
    records = Published.objects.filter(op="upsert").count()
    rss_before = peak_rss_mb()
    started = time.perf_counter()
    path, seq, _ = build_dump(drain=False)
    built = time.perf_counter() - started
    rss_after = peak_rss_mb()
    json_bytes = 0
    with gzip.open(path, "rb") as unpacked:
        while block := unpacked.read(1 << 20):
            json_bytes += len(block)
    client = Client()
    client.get("/api/v1/dump/", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH="*")  # warm up: URLs, views (a 304)
    served_gz, gz_bytes, response = timed_get(client, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip" and response["X-Feed-Seq"] == str(seq)
    served_plain, _, _ = timed_get(client)
    figures = {
        "database": connection.vendor, "published_detainees": people, "public_records_in_dump": records,
        "inflated_records": inflated, "marks": marks, "events": events, "publish_s": round(published, 2),
        "build_dump_s": round(built, 2), "seq": seq, "gzip_bytes": gz_bytes, "json_bytes": json_bytes,
        "peak_rss_mb_before_build": round(rss_before, 1), "peak_rss_mb_after_build": round(rss_after, 1),
        "serve_gzip_ms": round(served_gz * 1000, 1), "serve_plain_ms": round(served_plain * 1000, 1),
    }  # fmt: skip
    print(f"database                   {connection.vendor:>12}")
    print(f"published detainees        {people:>12,}" + (f"   (feed inflated ×{args.inflate})" if inflated else ""))
    print(f"public records in the dump {records:>12,}")
    print(f"publish (marks → events)   {published:>12.2f} s   {marks:,} marks, {events:,} events")
    print(f"build_dump                 {built:>12.2f} s   at seq {seq:,}")
    print(
        f"file on disk (gzip)        {gz_bytes / 1e6:>12.2f} MB   ({json_bytes / 1e6:,.1f} MB JSON, "
        f"{json_bytes / gz_bytes:.1f}× smaller)"
    )
    print(f"peak RSS                   {rss_after:>12.1f} MB   ({rss_before:.1f} MB before the build)")
    print(f"serve, gzip                {served_gz * 1000:>12.1f} ms")
    print(f"serve, plain JSON          {served_plain * 1000:>12.1f} ms   (decompressed on the fly)")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
