"""`manage.py build_census`: count and store the census outside requests (see casedocs.census_store)."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from casedocs.census_store import DECEMBER, build_all
from casedocs.models import StoredCensus
from detainees.census import december_days


class Command(BaseCommand):
    help = ("Count and store the census of today and of 1 December of every year on file (or --day, repeatable); "
            "forget other days stored more than a day ago (a request counts them again once, when asked); prune "
            "the census marks no stored day needs. Requests read the stored figures and count again only the "
            "people changed since: run it from cron (every few minutes on a busy site) and after a bulk "
            "import.")  # fmt: skip

    def add_arguments(self, parser):
        parser.add_argument("--day", action="append", default=[], help="A day to count (YYYY-MM-DD); repeatable.")

    def handle(self, *args, day=(), **options):
        started = time.monotonic()
        today = timezone.localdate()
        if day:
            try:
                days = sorted({datetime.date.fromisoformat(d) for d in day})
            except ValueError as error:
                raise CommandError(f"--day: {error} (give YYYY-MM-DD)") from error
            if days[-1] > today:
                raise CommandError(f"--day: {days[-1]} is after today; a census counts what is on file up to today.")
        else:
            days = sorted({today, *december_days(today)})
            # Days someone asked for: kept (and patched) for a day, then counted again only if asked again, so
            # that a crawler asking for every day of a decade does not make each run count them all.
            StoredCensus.objects.exclude(key__in=[DECEMBER, *(d.isoformat() for d in days)]).filter(
                read_at__lt=timezone.now() - datetime.timedelta(days=1)
            ).delete()  # fmt: skip
        with tqdm(total=len(days) + 1, desc="Census", unit="day", file=self.stderr, disable=None) as bar:
            done = build_all(days, progress=lambda: bar.update(1))
        slowest = max(done, key=lambda d: d[1])
        self.stdout.write(f"Stored the census of {len(days):,} day{'s' if len(days) != 1 else ''} and the 1 December "
                          f"series in {time.monotonic() - started:.1f} s (slowest: {slowest[0]}, "
                          f"{slowest[1]:.1f} s).")  # fmt: skip
