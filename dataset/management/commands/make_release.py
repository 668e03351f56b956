"""`manage.py make_release`: a dated release of the public dataset, with its delta from the release before."""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from dataset.releases import make_release


class Command(BaseCommand):
    help = (
        "Make a release (daily from the worker, or on demand): a dump at the change feed's current seq and a "
        "delta (added, changed, deleted) from the previous release, listed at /api/v1/releases/."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default=None, help="The site's address (default the setting SITE_URL).")

    def handle(self, *args, base_url=None, **options):
        started = time.monotonic()
        bar = tqdm(desc="Release", unit="record", file=self.stderr, disable=None)

        def on_start(seq, totals):
            bar.total = sum(totals.values())
            bar.refresh()

        try:
            release = make_release(origin=base_url, on_record=lambda name: bar.update(), on_start=on_start)
        finally:
            bar.close()
        delta = (f"; delta from {release.previous.name}: {release.added:,} added, {release.changed:,} changed, "
                 f"{release.deleted:,} deleted" if release.previous else "; the first release (no delta)")  # fmt: skip
        self.stdout.write(
            f"Release {release.name} at seq {release.seq}: {release.dump} "
            f"({release.dump_bytes / 1e6:.1f} MB){delta}, in {time.monotonic() - started:.1f} s."
        )
