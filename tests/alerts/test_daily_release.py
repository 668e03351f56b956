"""The worker makes the day's release itself (no cron), once a day whatever the number of workers, and drains the
change feed first (alerts.schedule)."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from alerts import schedule
from alerts.delivery import tick
from alerts.models import DailyRun
from changes.models import Change, Mark, Release
from tests.factories import DetaineeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.real_feed]


def worker_round():
    call_command("alerts_worker", "--batch", stdout=open("/dev/null", "w"))


@pytest.mark.django_db(transaction=True)  # the worker runs its tasks in transactions of its own
def test_the_worker_makes_one_release_a_day_after_draining_the_feed(settings):
    settings.RELEASES_DAILY_AT = "00:00"
    person = DetaineeFactory()  # written outside a request: marked, not yet published
    assert Mark.objects.exists()

    worker_round()
    release = Release.objects.get()
    assert release.name == timezone.localdate().isoformat()
    assert Change.objects.filter(resource="detainees", object_id=person.pk, seq__lte=release.seq).exists()
    assert not Mark.objects.exists()
    run = DailyRun.objects.get()
    assert run.finished_at is not None and release.name in run.result

    worker_round()  # a second round, or a second worker, the same day: nothing more
    worker_round()
    assert Release.objects.count() == 1


def test_two_workers_claim_the_day_once_and_a_dead_ones_lease_runs_out(settings):
    settings.RELEASES_DAILY_AT = "02:30"
    settings.RELEASES_LEASE_SECONDS = 60
    day = timezone.localdate()
    early = timezone.make_aware(datetime.datetime.combine(day, datetime.time(2, 0)))
    assert schedule.claim(early) is None  # not due before the time of day
    late = early + datetime.timedelta(hours=1)

    first = schedule.claim(late)
    assert first is not None and first[0] == day
    assert schedule.claim(late) is None  # the other worker: the lease is live
    assert schedule.claim(late + datetime.timedelta(seconds=59)) is None

    taken_over = schedule.claim(late + datetime.timedelta(seconds=61))  # the first worker died mid-run
    assert taken_over is not None and taken_over[1] != first[1]
    assert schedule.run(day, first[1]) == "not ours"  # the dead worker's late task does nothing
    assert not Release.objects.exists()
    schedule.run(day, taken_over[1])
    assert Release.objects.count() == 1
    assert schedule.claim(late + datetime.timedelta(hours=5)) is None  # done for the day


def test_daily_releases_can_be_turned_off(settings):
    settings.RELEASES_DAILY_AT = ""
    assert tick()["queued"] == 0
    assert not Release.objects.exists() and not DailyRun.objects.exists()
