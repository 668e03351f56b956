"""Delete old finished deliveries (and their attempts): the log and the Atom feeds keep what is recent."""

import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from alerts.models import Delivery


class Command(BaseCommand):
    """Delete deliveries that were delivered, failed for good or kept for the Atom feed only, older than --days.
    Pending deliveries are never deleted."""

    help = "Delete finished deliveries older than --days (default 90)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=90, help="Keep this many days of finished deliveries.")
        parser.add_argument("--batch", type=int, default=1000, help="Rows deleted per statement.")

    def handle(self, *args, days=90, batch=1000, **options):
        if days < 0:
            self.stderr.write("--days must be 0 or more.")
            return
        cutoff = timezone.now() - datetime.timedelta(days=days)
        old = Delivery.objects.filter(created_at__lt=cutoff).exclude(status=Delivery.Status.PENDING)
        total = old.count()
        deleted = 0
        with tqdm(total=total, desc="prune deliveries", unit="row", disable=not total) as bar:
            while pks := list(old.values_list("pk", flat=True)[:batch]):
                Delivery.objects.filter(pk__in=pks).delete()
                deleted += len(pks)
                bar.update(len(pks))
        self.stdout.write(f"Done: {deleted} finished deliveries older than {days} days deleted (pending ones kept).")
