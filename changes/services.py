"""What the rest of the site asks of the feed: keep it current, and read validators and changes from it."""

import datetime
import logging
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, connections, router
from django.utils.dateparse import parse_datetime

from common.sql import execute_prepared

from .models import Change, Mark, Published
from .publisher import canonical, digest_of, publish, viewsets

logger = logging.getLogger(__name__)


def origin_of(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def catch_up(limit: int | None = None) -> int:
    """Publish what is marked, up to `limit` marks (CHANGES_PUBLISH_LIMIT): after a write request and before the
    feed is read, so the feed is current whatever wrote; `publish_changes` drains the rest (bulk imports)."""
    if not Mark.objects.exists():
        return 0
    try:
        return publish(limit=limit or settings.CHANGES_PUBLISH_LIMIT)
    except DatabaseError:  # the write has committed; the marks stay for the next run
        logger.exception("publishing the change feed failed")
        return 0


def drain(limit: int | None = None) -> int:
    """Publish what is marked, everything (or `limit` marks): the worker's rounds and its daily run, outside any
    request. Failures propagate (the worker logs and retries)."""
    if not Mark.objects.exists():
        return 0
    return publish(limit=limit)


def _resource(view) -> str | None:
    for prefix, viewset in viewsets().items():
        if isinstance(view, viewset):
            return prefix
    return None


def record_validators(view, data):
    """(Last-Modified, True) from the record's last event when `data` is exactly what the feed last published of
    it; (None, False) otherwise (not yet published, a partial `fields=` selection, a draft or a draft inside it seen
    by a signed-in editor): no Last-Modified is sent and no date answers 304, only the ETag. The same for everyone:
    a signed-in reader served the public representation gets the public date. Two events of the record in the same
    second: the date cannot tell them apart, so none either."""
    resource = _resource(view)
    if resource is None or not isinstance(data, dict) or "id" not in data:
        return None, False
    served = digest_of(canonical(data, origin_of(view.request)))
    known = getattr(view, "published_rows", {})  # read by the view with its record (h64: `known_last`)
    last = known_last(known[data["id"]]) if data["id"] in known else last_published(resource, data["id"])
    if (last is None or last.op != Change.Op.UPSERT or last.digest != served) and catch_up():
        last = last_published(resource, data["id"])  # written outside a request
    if last is None or last.op != Change.Op.UPSERT or last.digest != served:
        return None, False
    if last.previous_at is not None and int(last.previous_at.timestamp()) == int(last.at.timestamp()):
        return None, False
    return last.at, True


class Last(NamedTuple):
    """What `Published` holds of a record's last event, as `record_validators` reads it."""

    op: str
    digest: str
    at: datetime.datetime
    previous_at: datetime.datetime | None


_LAST = "SELECT op, digest, at, previous_at FROM {table} WHERE resource = %s AND object_id = %s"


def last_published(resource: str, object_id: int) -> Last | None:
    """The record's row of `Published` (None if the feed never said anything of it): one prepared statement on
    every JSON detail read (`record_validators`), whose ORM query cost ~0.7 ms of CPU to compose and compile, a fifth
    of a stored API detail's whole request."""
    connection = connections[router.db_for_read(Published)]
    sql = _LAST.format(table=Published._meta.db_table)
    rows = execute_prepared(connection, ("changes", "last_published"), sql, [resource, int(object_id)])
    return known_last(rows[0] if rows else None)


def known_last(row: tuple | None) -> Last | None:
    """A record's `Published` row (op, digest, at, previous_at) as `last_published` gives it; None, or a row of
    nulls (a LEFT JOIN that found none), for none. A view that read it with its record (`casedocs.services.
    stored_api_and_last`, h64) leaves it in `view.published_rows` ({id: row}) for `record_validators`."""
    if row is None or row[0] is None:
        return None
    op, digest, at, previous_at = row
    return Last(op, digest, _aware(at), _aware(previous_at))


def published_table() -> str:
    return Published._meta.db_table


def published_alias() -> str:
    return router.db_for_read(Published)


def _aware(value):
    """A datetime column as the ORM gives it: aware, in UTC (SQLite answers text, PostgreSQL an aware datetime)."""
    if value is None or isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value
    value = parse_datetime(value) if isinstance(value, str) else value
    return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value


def changed_since(queryset, since, also=None):
    """The records of `queryset` whose last event is an upsert at or after `since` (`updated_since`), or that match
    `also` (signed-in readers: their `updated_at` moved, which is how a draft's edit shows)."""
    from django.db.models import Q

    from .triggers import RESOURCES

    catch_up()
    resource = RESOURCES.get(queryset.model._meta.label)
    published = Published.objects.filter(resource=resource, op=Change.Op.UPSERT, at__gte=since)
    condition = Q(pk__in=published.values("object_id"))
    return queryset.filter(condition | also if also is not None else condition)
