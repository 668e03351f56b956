"""Write the whole published dataset as one JSON file (the same document as /api/v1/dump/)."""

import time

from django.core.management.base import BaseCommand
from django.test import RequestFactory
from rest_framework.request import Request
from tqdm import tqdm

from dataset.dump import iter_public_dump


class Command(BaseCommand):
    """Published records only; links in the file point at --base-url."""

    help = "Export every published record as one JSON document."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the JSON ('-' for standard output).")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Site address used in url fields.")

    def handle(self, *args, file, base_url, **options):
        scheme, _, host = base_url.partition("://")
        request = Request(RequestFactory().get("/", secure=scheme == "https", HTTP_HOST=host.rstrip("/")))
        started = time.monotonic()
        counts: dict[str, int] = {}
        bar = tqdm(desc="Exporting", unit="record", file=self.stderr, disable=None)

        def count(name):
            counts[name] = counts.get(name, 0) + 1
            bar.update()

        out = self.stdout if file == "-" else open(file, "w", encoding="utf-8")
        try:
            for chunk in iter_public_dump(request, on_record=count):
                out.write(chunk, ending="") if file == "-" else out.write(chunk)
        finally:
            bar.close()
            if file != "-":
                out.close()
        summary = ", ".join(f"{n} {name}" for name, n in counts.items()) or "nothing"
        self.stderr.write(f"Exported {summary} in {time.monotonic() - started:.1f} s, 0 errors.")
