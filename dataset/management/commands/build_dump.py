"""`manage.py build_dump`: write /api/v1/dump/'s file at the change feed's head (cron, or the worker, after edits)."""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from dataset.dump import build_dump


class Command(BaseCommand):
    help = (
        "Publish pending changes, then write the whole public dataset as a gzip file at the feed's current seq "
        "(DUMP_DIR/dumps; the newest is what /api/v1/dump/ serves; the three newest are kept)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default=None,
                            help="The site's address as visitors use it (records carry absolute URLs); "
                                 "default the setting SITE_URL.")  # fmt: skip

    def handle(self, *args, base_url=None, **options):
        started = time.monotonic()
        bar = tqdm(desc="Dump", unit="record", file=self.stderr, disable=None)
        counts: dict[str, int] = {}

        def on_start(seq, totals):
            bar.total = sum(totals.values())
            bar.refresh()

        def on_record(name):
            counts[name] = counts.get(name, 0) + 1
            bar.update()

        try:
            path, seq, checksum = build_dump(origin=base_url, on_record=on_record, on_start=on_start)
        finally:
            bar.close()
        size = path.stat().st_size
        self.stdout.write(f"Wrote {path.name}: {sum(counts.values()):,} records at seq {seq}, {size / 1e6:.1f} MB "
                          f"gzip, sha256 {checksum}, in {time.monotonic() - started:.1f} s.")  # fmt: skip
