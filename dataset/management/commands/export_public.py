"""Write the whole public dataset as one JSON file (the same document as /api/v1/dump/, at the feed's head)."""

import sys
import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from changes.publisher import publish
from dataset.dump import iter_dump


class Command(BaseCommand):
    """Public records only; links in the file point at --base-url."""

    help = "Export every public record as one JSON document (uncompressed), at the change feed's current seq."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the JSON ('-' for standard output).")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Site address used in url fields.")

    def handle(self, *args, file, base_url, **options):
        started = time.monotonic()
        publish()
        counts: dict[str, int] = {}
        bar = tqdm(desc="Exporting", unit="record", file=self.stderr, disable=None)
        seen = {}

        def count(name):
            counts[name] = counts.get(name, 0) + 1
            bar.update()

        out = sys.stdout.buffer if file == "-" else open(file, "wb")
        try:
            for chunk in iter_dump(base_url.rstrip("/"), on_record=count,
                                   on_start=lambda seq, totals: seen.update(seq=seq)):  # fmt: skip
                out.write(chunk)
        finally:
            bar.close()
            if file != "-":
                out.close()
        summary = ", ".join(f"{n} {name}" for name, n in counts.items()) or "nothing"
        self.stderr.write(f"Exported {summary} at seq {seen.get('seq', 0)} in {time.monotonic() - started:.1f} s, "
                          "0 errors.")
