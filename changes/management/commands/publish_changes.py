"""`manage.py publish_changes`: publish every marked record to the change feed (after bulk imports, raw SQL)."""

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from changes.models import Change, Mark
from changes.publisher import mark_daily, publish
from common.derived import vacuum_queues

VACUUM_AFTER = 10_000  # marks consumed in one run: then VACUUM the mark tables (common.derived.vacuum_queues)


class Command(BaseCommand):
    help = ("Publish to the change feed every public record marked as possibly changed: writes through the site "
            "publish their own after each request; bulk imports, raw SQL and edits of widely cited records leave "
            "marks for this. --daily also marks the people whose documents count days in custody (run once a day).")

    def add_arguments(self, parser):
        parser.add_argument("--daily", action="store_true", help="Also mark documents that change with the date.")

    def handle(self, *args, daily=False, **options):
        started = time.monotonic()
        marked = mark_daily() if daily else 0
        total = Mark.objects.count()
        with tqdm(total=total, desc="Publishing", unit="mark", file=self.stderr, disable=None) as bar:
            appended = publish(on_batch=lambda consumed, events: bar.update(consumed))
        if total >= VACUUM_AFTER:
            vacuum_queues()  # what those marks leave in the index (common.derived)
        head = Change.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        daily_note = f" ({marked:,} people marked for the day)" if daily else ""
        self.stdout.write(f"Published {appended:,} events from {total:,} marks{daily_note} in "
                          f"{time.monotonic() - started:.1f} s; the feed is at seq {head}.")  # fmt: skip
