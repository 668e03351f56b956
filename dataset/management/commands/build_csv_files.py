"""`manage.py build_csv_files`: write the CSV of every whole public list at the change feed's head (the worker does it
after edits; `load_demo` after loading)."""

import time

from django.core.management.base import BaseCommand

from dataset.csvfiles import build, resources


class Command(BaseCommand):
    help = (
        "Publish pending changes, then write the CSV of every whole public list (`?format=csv` without filters) "
        "to DUMP_DIR/csv at the feed's current seq; anonymous requests for it are then served the file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "lists", nargs="*", help=f"Only these lists (default: all): {', '.join(sorted(resources()))}."
        )
        parser.add_argument("--base-url", default=None,
                            help="The site's address as visitors use it (rows carry absolute URLs); "
                                 "default PUBLIC_ORIGIN.")  # fmt: skip

    def handle(self, *args, lists=(), base_url=None, **options):
        unknown = sorted(set(lists) - set(resources()))
        if unknown:
            self.stderr.write(f"Unknown list(s): {', '.join(unknown)}.")
            raise SystemExit(2)
        started = time.monotonic()
        last = [started]

        def on_file(resource, path):
            now = time.monotonic()
            self.stdout.write(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB in {now - last[0]:.2f} s")
            last[0] = now

        for _attempt in range(5):  # a write between the publishing and the snapshot: publish it and try again
            written = build(origin=base_url, only=list(lists) or None, on_file=on_file)
            if written:
                break
        else:
            self.stderr.write("Writes kept arriving: no file written; the worker will build them.")
            raise SystemExit(1)
        self.stdout.write(f"Wrote {len(written)} CSV files in {time.monotonic() - started:.1f} s.")
