"""The worker's daily job, with no cron: the first round after RELEASES_DAILY_AT (site time) each day claims the
day's run and queues it as a task, which drains the change feed (`publish_changes --daily`: everything marked, plus
the people whose `days_held` grows with the date) and makes the day's release (`make_release`).

The claim is a row per (job, day) (`alerts.DailyRun`), taken by compare-and-set under a lease
(RELEASES_LEASE_SECONDS): two workers never both run it, and a worker killed in the middle leaves it to the next round
after the lease has run out. A day the worker was down is not made up for: the next day's release has the delta from
the last one made.
"""

import datetime
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .models import DailyRun

JOB = "release"


def daily_time() -> datetime.time | None:
    """RELEASES_DAILY_AT as a time, or None when daily releases are off (empty setting)."""
    raw = (settings.RELEASES_DAILY_AT or "").strip()
    if not raw:
        return None
    return datetime.time.fromisoformat(raw)


def claim(now: datetime.datetime | None = None) -> tuple[datetime.date, str] | None:
    """(day, token) when this caller now owns the day's run; None when it is not due, done, or another worker has
    it under a live lease."""
    at = daily_time()
    if at is None:
        return None
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.time() < at:
        return None
    day = local.date()
    try:
        with transaction.atomic():
            DailyRun.objects.get_or_create(job=JOB, day=day)
    except IntegrityError:  # another worker created it at the same moment: the update below decides
        pass
    token = uuid.uuid4().hex
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    taken = DailyRun.objects.filter(free, job=JOB, day=day, finished_at__isnull=True).update(
        token=token, lease_until=now + datetime.timedelta(seconds=settings.RELEASES_LEASE_SECONDS)
    )
    return (day, token) if taken else None


def run(day: datetime.date, token: str) -> str:
    """The day's work, by the claim's owner: drain the feed, make the release, record it. Returns what it made."""
    from changes.publisher import mark_daily
    from changes.services import drain
    from dataset.releases import make_release

    if not DailyRun.objects.filter(job=JOB, day=day, token=token, finished_at__isnull=True).exists():
        return "not ours"  # the lease ran out and another worker took the run over
    mark_daily(day)
    drain()
    release = make_release(today=day)
    result = f"release {release.name} at seq {release.seq}"
    DailyRun.objects.filter(job=JOB, day=day, token=token).update(finished_at=timezone.now(), result=result)
    return result


def enqueue_due(now: datetime.datetime | None = None) -> int:
    """Queue the day's run if it is due and this worker claimed it; returns the number of tasks queued (0 or 1)."""
    from . import tasks

    claimed = claim(now)
    if claimed is None:
        return 0
    day, token = claimed
    tasks.daily_release.enqueue(day.isoformat(), token)
    return 1
