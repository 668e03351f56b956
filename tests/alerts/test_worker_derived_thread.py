"""The running worker keeps derived state current while its other work is slow: the feed's reader and the task
queue (webhook POSTs that wait out their timeout, a first read of a long feed) ran in the same loop as the drain,
so every write's stored documents and feed events waited for them (`make bench`: 41-66 s on a new worker)."""

import io
import threading
import time

import pytest
from django.core.management import call_command
from django.db import OperationalError, transaction
from django_tasks.backends.database.management.commands.db_worker import Worker

from alerts.management.commands import alerts_worker
from changes.models import Change, Mark
from tests.factories import DetaineeFactory

# the derived-state thread has a connection of its own; the real publisher (tests/alerts/conftest.py)
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.real_feed]


def test_marks_are_published_while_the_feed_round_is_stuck(settings, monkeypatch):
    settings.CSV_FILES = False
    seen = {}

    def stuck_feed_round():
        """The feed's round, stuck (as behind a webhook's timeout) until the marks of a write made meanwhile are
        drained, or 20 s pass."""
        seen["person"] = write_beside_the_thread(lambda: DetaineeFactory(name="Written While The Feed Round Is Stuck"))
        deadline = time.monotonic() + 20
        while marks_left() and time.monotonic() < deadline:
            time.sleep(0.05)
        seen["drained while stuck"] = not marks_left()
        return {"events": 0, "queued": 0}

    def run_once_then_stop(worker):
        worker.running = False  # as SIGTERM does

    monkeypatch.setattr(alerts_worker, "tick_once", stuck_feed_round)
    monkeypatch.setattr(Worker, "run", run_once_then_stop)
    monkeypatch.setattr(Worker, "configure_signals", lambda worker: None)
    out = io.StringIO()
    call_command("alerts_worker", "--interval", "0.05", stdout=out)
    assert seen["drained while stuck"], "the marks waited for the feed's round"
    assert Change.objects.filter(resource="detainees", object_id=seen["person"].pk).exists()
    assert not any(thread.name == "derived-state" and thread.is_alive() for thread in threading.enumerate())
    assert "Done: 1 feed events published" in out.getvalue()  # the thread's work is counted in the summary


def marks_left() -> bool:
    try:
        return Mark.objects.exists()
    except OperationalError as error:  # the thread is writing (see below)
        if "locked" not in str(error):
            raise
        return True


def write_beside_the_thread(write):
    """The test database is SQLite's shared in-memory one, whose table locks fail at once instead of waiting out the
    busy timeout as a database file (or PostgreSQL) does: try the write again, whole, as a waiting writer would."""
    for _attempt in range(200):
        try:
            with transaction.atomic():
                return write()
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.02)
    raise AssertionError("the write never got the lock")


def test_a_stop_does_not_wait_out_a_long_round(monkeypatch):
    """`make bench` found a worker still stopping 30 s after SIGTERM: a stop waits for the round at most `timeout`."""
    release = threading.Event()
    monkeypatch.setattr(alerts_worker, "drain", lambda: release.wait(20) and {"events": 0, "documents": 0})
    monkeypatch.setattr(alerts_worker, "refresh_csv_files", lambda background=False: 0)
    loop = alerts_worker.DerivedLoop(0.01).start()
    started = time.monotonic()
    done = loop.stop(timeout=0.2)
    assert time.monotonic() - started < 2 and loop.is_alive()  # left running, not waited for
    assert done == {"events": 0, "documents": 0, "csv_files": 0}
    release.set()
    loop._thread.join(5)
