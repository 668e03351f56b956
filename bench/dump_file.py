"""How big and how fast the bulk download is: build /api/v1/dump/'s file once, then serve it.

Usage (any database with data in it, e.g. after `manage.py generate_synthetic --detainees 5000`):
    DATABASE_URL=postgres://... .venv/bin/python bench/dump_file.py
Prints the build time, the JSON and gzip sizes, and the time to serve the built file (gzip and decompressed).
"""

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

from detainees.models import Detainee  # noqa: E402


def timed_get(client, **headers) -> tuple[float, int, object]:
    started = time.perf_counter()
    response = client.get("/api/v1/dump/", **headers)
    size = sum(len(chunk) for chunk in response.streaming_content)
    return time.perf_counter() - started, size, response


def main() -> None:
    settings.DUMP_DIR = Path(tempfile.mkdtemp(prefix="dump-bench-"))
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    people = Detainee.objects.published().count()
    build, json_bytes, _ = timed_get(client)
    served_gz, gz_bytes, response = timed_get(client, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    served_plain, _, _ = timed_get(client)
    print(f"published detainees        {people:>12,}")
    print(f"first request (build)      {build:>12.2f} s   {json_bytes / 1e6:,.1f} MB JSON streamed and written")
    print(f"file on disk (gzip)        {gz_bytes / 1e6:>12.2f} MB   ({json_bytes / gz_bytes:.1f}× smaller)")
    print(f"next requests, gzip        {served_gz * 1000:>12.1f} ms")
    print(f"next requests, plain JSON  {served_plain * 1000:>12.1f} ms   (decompressed on the fly)")


if __name__ == "__main__":
    main()
