"""What a write leaves to do after it commits: stored case documents to rebuild, the change feed to publish.

The database triggers mark both, in the write's own transaction (`casedocs.triggers`, `changes.triggers`): the marks
are the queue. Nothing is enqueued by the write; whoever drains the marks does the work:

- in production, the worker (`manage.py alerts_worker` calls `drain()` on every round, about once a second), so a
  write request answers in the time of the write itself and concurrent writers never queue on the feed's lock;
- with `AFTER_WRITE_IN_REQUEST` (development, tests: no worker need run), each write request after its commit
  (`casedocs.middleware`, `changes.middleware`), bounded;
- bulk imports (`load_demo`, `import_dataset`, `generate_synthetic`) end by draining the feed (`drain_feed`).

Correctness does not wait for any of them: a marked document is never served (its visitor gets one built afresh),
and every read of the feed publishes before it reads, so the feed stays gap-free and current to its readers.
"""

import logging

from django.conf import settings
from django.db import DatabaseError

logger = logging.getLogger(__name__)


def in_request() -> bool:
    return bool(getattr(settings, "AFTER_WRITE_IN_REQUEST", True))


def drain(documents: int | None = 200, marks: int | None = -1) -> dict:
    """One round of the worker: publish up to `marks` feed marks (default: WORKER_PUBLISH_LIMIT; 0 publishes
    nothing), then rebuild up to `documents` stale documents (None: all). Returns what was done; a database error
    is logged and left for the next round."""
    from casedocs.services import refresh_stale
    from changes.models import Mark
    from changes.publisher import publish

    done = {"events": 0, "documents": 0}
    try:
        if marks == -1:
            marks = settings.WORKER_PUBLISH_LIMIT
        if marks != 0 and Mark.objects.exists():
            done["events"] = publish(limit=marks)
        if settings.CASE_DOCUMENTS:
            done["documents"] = refresh_stale(documents)
    except DatabaseError:
        logger.exception("the worker's round of derived state failed; the marks stay for the next round")
    return done


def drain_feed(stderr=None) -> int:
    """Publish every mark (after a bulk import), with a progress bar on `stderr`; returns the events appended."""
    from tqdm import tqdm

    from changes.models import Mark
    from changes.publisher import publish

    with tqdm(total=Mark.objects.count(), desc="Change feed", unit="mark", file=stderr, disable=None) as bar:
        events = publish(on_batch=lambda consumed, events: bar.update(consumed))
    vacuum_queues()
    return events


QUEUES = ("changes_mark", "casedocs_casemark")


def vacuum_queues() -> None:
    """After a drain of many marks (a bulk import's), VACUUM the two mark tables on PostgreSQL, outside a transaction.

    A drained queue leaves its deleted rows in the index until a vacuum; every public request's data version reads
    `MAX(id)` of the feed's marks (common.cache), which walks back through all of them: 10–100 ms a request after
    3.5 million marks at 100,000 cases, until autovacuum comes (never where it is off, as in this project's CI).
    """
    from django.db import connection

    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(QUEUES)}")
