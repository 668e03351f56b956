"""How big and how fast the dump is: publish the feed, build the dump file at its seq, then serve it.

Usage (any database with data in it, e.g. after `manage.py generate_synthetic --detainees 2000`):
    DATABASE_URL=postgres://... .venv/bin/python bench/dump_file.py
Prints the time to publish what is marked (a first run publishes every record), the dump's build time, its size
(gzip on disk and JSON), and the time to serve the built file (gzip and decompressed). The dump is built by
`build_dump` (a command, or the worker), never in a request.
"""

import gzip
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from changes.models import Change, Mark  # noqa: E402
from changes.publisher import publish  # noqa: E402
from dataset.dump import build_dump  # noqa: E402
from detainees.models import Detainee  # noqa: E402


def timed_get(client, **headers) -> tuple[float, int, object]:
    started = time.perf_counter()
    response = client.get("/api/v1/dump/", **headers)
    size = sum(len(chunk) for chunk in response.streaming_content)
    return time.perf_counter() - started, size, response


def main() -> None:
    settings.DUMP_DIR = Path(tempfile.mkdtemp(prefix="dump-bench-"))
    settings.ALLOWED_HOSTS = ["testserver"]
    people = Detainee.objects.published().count()
    marks = Mark.objects.count()
    started = time.perf_counter()
    events = publish()
    published = time.perf_counter() - started
    started = time.perf_counter()
    path, seq, _ = build_dump(drain=False)
    built = time.perf_counter() - started
    json_bytes = len(gzip.decompress(path.read_bytes()))
    client = Client()
    served_gz, gz_bytes, response = timed_get(client, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip" and response["X-Feed-Seq"] == str(seq)
    served_plain, _, _ = timed_get(client)
    print(f"published detainees        {people:>12,}")
    print(f"records in the feed        {Change.objects.values('resource', 'object_id').distinct().count():>12,}")
    print(f"publish (marks → events)   {published:>12.2f} s   {marks:,} marks, {events:,} events")
    print(f"build_dump                 {built:>12.2f} s   at seq {seq:,}")
    print(f"file on disk (gzip)        {gz_bytes / 1e6:>12.2f} MB   ({json_bytes / 1e6:,.1f} MB JSON, "
          f"{json_bytes / gz_bytes:.1f}× smaller)")
    print(f"serve, gzip                {served_gz * 1000:>12.1f} ms")
    print(f"serve, plain JSON          {served_plain * 1000:>12.1f} ms   (decompressed on the fly)")


if __name__ == "__main__":
    main()
