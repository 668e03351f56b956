"""The worker: django-tasks' database worker, the periodic round that reads the change feed, and what writes leave to
do after they commit (stored documents to rebuild, the feed to publish: `common.derived`)."""

import logging
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections, connections
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS
from django_tasks.backends.database.management.commands.db_worker import Worker
from django_tasks.utils import get_random_id

from alerts.delivery import tick
from common.derived import drain

log = logging.getLogger(__name__)


class Command(BaseCommand):
    """Run the background worker: on every round (each `--interval` seconds) rebuild the stored documents writes made
    stale and publish the change feed (`common.derived.drain`, bounded per round), and the whole lists' CSV files
    when the feed has moved (at most once per CSV_FILES_INTERVAL, `dataset.csvfiles`); every ALERTS_TICK_SECONDS
    read the feed and queue due deliveries; and run the queued tasks (webhook POSTs, alert and confirmation emails).
    `--batch` does one round until
    nothing is left and exits (for cron, or a test). Stop it with Ctrl+C or SIGTERM: a running task finishes first.
    """

    help = "Run the alerts and webhooks worker (the change feed's dispatcher and the task queue's worker)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Dispatch and run everything due, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between looks at the queue.")
        parser.add_argument("--tick", type=float, default=None, help="Seconds between feed reads (default: setting).")
        parser.add_argument("--queue-name", default="default", help="Queues to run, comma-separated.")
        parser.add_argument("--worker-id", default=None, help="Unique id of this worker (default: random).")

    def handle(self, *args, batch=False, interval=1.0, tick=None, queue_name="default", worker_id=None, **options):
        every = settings.ALERTS_TICK_SECONDS if tick is None else tick
        worker = Worker(
            queue_names=queue_name.split(","),
            interval=0,
            batch=True,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id or get_random_id(),
        )
        totals = {"events": 0, "queued": 0, "tasks": 0, "published": 0, "documents": 0, "csv_files": 0}
        if not batch:
            worker.configure_signals()
            self.stdout.write(f"alerts worker {worker.worker_id}: feed every {every:g} s, queue every {interval:g} s")
        last_tick = 0.0
        round_ = {"events": 0, "queued": 0}
        derived = None if batch else DerivedLoop(interval).start()
        try:
            while worker.running:
                if batch:
                    everything = None if settings.WORKER_PUBLISH_LIMIT else 0  # all that is marked (0: none)
                    self._add(totals, drain(documents=None, marks=everything))
                    totals["csv_files"] += refresh_csv_files()
                elif not derived.is_alive():
                    raise CommandError("the derived-state thread stopped; see the log above")
                if time.monotonic() - last_tick >= every or batch:
                    last_tick = time.monotonic()
                    try:
                        round_ = tick_once()
                    except DatabaseError:
                        if batch:
                            raise
                        # A locked or restarting database: the feed and the leases are where they were; try again.
                        log.exception("alerts worker: the round failed; retrying in %s s", every)
                        round_ = {"events": 0, "queued": 0}
                    totals["events"] += round_["events"]
                    totals["queued"] += round_["queued"]
                before = worker._run_tasks
                try:
                    worker.run()  # runs every ready task, then returns
                except DatabaseError:
                    if batch:
                        raise
                    # The queue's exclusive transaction refused (SQLite: the derived-state thread writing): the tasks
                    # wait where they are; try again next time round, as a failed feed round does.
                    log.exception("alerts worker: the task queue could not be read; retrying in %s s", interval)
                ran = worker._run_tasks - before
                totals["tasks"] += ran
                if batch and not ran and not round_["queued"]:
                    break
                close_old_connections()
                if not batch:
                    time.sleep(interval)
        finally:
            if derived is not None:
                self._add(totals, derived.stop())
        self.stdout.write(
            f"Done: {totals['published']} feed events published, {totals['documents']} case documents rebuilt, "
            f"{totals['csv_files']} CSV files written, "
            f"{totals['events']} feed events read, {totals['queued']} tasks queued, {totals['tasks']} tasks run."
        )


    @staticmethod
    def _add(totals: dict, done: dict) -> None:
        totals["published"] += done.get("events", 0)
        totals["documents"] += done.get("documents", 0)
        totals["csv_files"] += done.get("csv_files", 0)


class DerivedLoop:
    """The running worker's derived state — the feed published, stale documents rebuilt, the CSV files — in a thread
    of its own, a round every `interval` seconds. In the one loop it shared with the feed's reader and the task
    queue, any slow step there (a webhook POST waiting out its timeout, a first read of a long feed, the day's
    release) kept every document stale and the feed unpublished until it ended (`make bench`: derived state current
    41-66 s after the first writes on a new worker). Each round uses this thread's own database connection."""

    def __init__(self, interval: float):
        self.interval = interval
        self.done = {"events": 0, "documents": 0, "csv_files": 0}
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="derived-state", daemon=True)

    def start(self) -> "DerivedLoop":
        self._thread.start()
        return self

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 10) -> dict:
        """Let the round in progress finish, for `timeout` seconds at most, then return what the rounds did. A round
        still running is left to die with the process (a daemon thread): its transaction is rolled back and its marks
        stay for the next worker, so nothing is lost, and a stop never waits out a long round (a service manager or
        `make bench` gives a worker 30 s)."""
        self._stopping.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("alerts worker: a derived-state round still running is left to the next worker")
        return dict(self.done)

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                derived = drain()  # a round: bounded, so a stop waits for one round at most
                self.done["events"] += derived["events"]
                self.done["documents"] += derived["documents"]
                self.done["csv_files"] += refresh_csv_files(background=True)
                close_old_connections()
                self._stopping.wait(self.interval)
        except Exception:
            log.exception("alerts worker: the derived-state thread failed; the worker stops")
            raise
        finally:
            connections.close_all()  # this thread's own connection


def tick_once() -> dict:
    return tick()


def refresh_csv_files(background: bool = False) -> int:
    """The whole lists' CSV files, rebuilt when the feed or the day has moved, at most once per CSV_FILES_INTERVAL
    (dataset.csvfiles); a failure is logged and left for a later round (requests stream meanwhile). Returns the
    files written (in the background: those of the build that finished since the last call).

    `background` (the running worker): the build runs in a thread of its own, one at a time, so the rounds go on
    draining marks meanwhile; inline, a build of every list (about a minute at 100,000 cases) held the next round
    back, and documents stayed stale and the feed unpublished for that minute after any write (`make bench`)."""
    global _building
    if not background:
        return _build_csv_files()
    with _counted:
        done, _finished[0] = _finished[0], 0
    if _building is None or not _building.is_alive():
        _building = threading.Thread(target=_build_in_background, name="csv-files", daemon=True)
        _building.start()
    return done


_building: threading.Thread | None = None
_finished = [0]  # files written by background builds, not yet counted
_counted = threading.Lock()


def _build_csv_files() -> int:
    from dataset.csvfiles import refresh

    try:
        return len(refresh())
    except (DatabaseError, OSError):
        log.exception("alerts worker: building the CSV files failed; requests stream the CSV meanwhile")
        return 0


def _build_in_background() -> None:
    try:
        written = _build_csv_files()
        with _counted:
            _finished[0] += written
    finally:
        connections.close_all()  # this thread's own connection
