"""The one publisher of the change feed: marks in, events out.

`publish()` takes the feed's lock (PostgreSQL: an advisory transaction lock; SQLite serialises writers anyway and
the first statement is a write), reads a batch of marks, renders the anonymous API representation of every marked
record with the code the API detail uses (`render()`), compares its hash with what the feed last said of the record
(`Published`), appends an `upsert` when it differs, a `delete` when a record last published is no longer visible,
and deletes the marks it consumed; then commits, which releases the lock. Appending only under the lock and
committing before releasing it makes `seq` order commit order: a reader never sees an event appear with a lower seq
than one it has already read.

A batch reads a window of the oldest marks (`WINDOW`), expands them to the records to render, and also reads the
ids of every mark already visible on those records (each write marks its records again, so most marks are
duplicates): the render that follows consumes them all, and each record is rendered once instead of once per batch
that names it. Only the ids read before the render are deleted, never a key or an id range, so marks written while
a batch renders (READ COMMITTED shows them to a later DELETE) stay for the next batch (the record is rendered
again; the same hash appends nothing).

Documents are rendered for the neutral origin `ORIGIN`; whoever serves them puts the request's back.
"""

import datetime
import hashlib
from collections import defaultdict

import orjson
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router, transaction
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from rest_framework.request import Request

from common.api import FastJSONRenderer

from .models import Change, Mark, Published
from .triggers import RESOURCES

HOST = "feed.invalid"
ORIGIN = f"http://{HOST}"
LOCK_KEY = 2300230023  # the feed's advisory lock on PostgreSQL
BATCH = 500
WINDOW = 20_000  # marks read per batch (many name the same record)
DELETE_BATCH = 5_000
RECORDS = 5_000  # at most this many distinct records named by a batch's window (a `+` mark counts as EXPANDS)
EXPANDS = 10


class _FeedRequest(HttpRequest):
    """An anonymous GET of / at ORIGIN, with nothing else (its host is not one the site serves, on purpose)."""

    def __init__(self):
        super().__init__()
        self.method = "GET"
        self.path = self.path_info = "/"
        self.META = {"SERVER_NAME": HOST, "SERVER_PORT": "80", "HTTP_HOST": HOST, "REQUEST_METHOD": "GET"}
        self.GET = QueryDict()
        self.user = AnonymousUser()

    def get_host(self):
        return HOST

    def _get_scheme(self):
        return "http"


def neutral_request() -> Request:
    """An anonymous GET at ORIGIN: what every published document is rendered for."""
    django_request = _FeedRequest()
    request = Request(django_request)
    request.user = AnonymousUser()
    request.accepted_renderer = FastJSONRenderer()
    request.accepted_media_type = "application/json"
    return request


def canonical(data, origin: str = ORIGIN) -> dict:
    """The representation as a client parses it from the API, with `origin` written as ORIGIN."""
    text = FastJSONRenderer().render(data)
    if origin != ORIGIN:
        text = text.replace(origin.encode(), ORIGIN.encode())
    return orjson.loads(text)


def digest_of(document: dict) -> str:
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


def localized(document, origin: str):
    """A stored document as served at `origin`."""
    if origin == ORIGIN or document is None:
        return document
    return orjson.loads(orjson.dumps(document).replace(ORIGIN.encode(), origin.encode()))


def viewsets() -> dict:
    from config.api_urls import router as api_router

    return {prefix: viewset for prefix, viewset, _ in api_router.registry}


def render(resource: str, ids, request=None) -> dict[int, dict]:
    """The anonymous API representation of each visible record of `resource` among `ids` (missing: not visible)."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    request = request or neutral_request()
    if resource == "detainees":  # the detail's JSON path (detainees.api: `lean`), three queries for any number
        from detainees.documents import TOP_FIELDS, build_documents
        from detainees.models import Detainee

        out = {}
        for start in range(0, len(ids), BATCH):
            rows = list(Detainee.objects.visible_to(request.user).filter(pk__in=ids[start:start + BATCH])
                        .values(*TOP_FIELDS))  # fmt: skip
            out.update({doc["id"]: canonical(doc) for doc in build_documents(rows, request)})
        return out
    view = viewsets()[resource]()
    view.request, view.args, view.kwargs, view.format_kwarg, view.action = request, (), {}, None, "retrieve"
    view.headers = {}
    out = {}
    for start in range(0, len(ids), BATCH):
        queryset = view.get_queryset().filter(pk__in=ids[start:start + BATCH])
        for item in view.get_serializer(queryset, many=True).data:
            out[item["id"]] = canonical(item)
    return out


def expand(marks) -> dict[str, set[int]]:
    """{resource: ids} to render for these (resource, id) marks; `+detainees` and `+exchanges` bring everything
    whose visibility hangs on the record."""
    from detainees.models import Charge, Designation, Detention, Sentence, SentenceChange, Transfer
    from exchanges.models import ExchangeParticipant
    from sources.models import CLAIM_TYPES, Claim, Statement

    wanted: dict[str, set[int]] = defaultdict(set)
    people, exchanges = set(), set()
    for resource, pk in marks:
        if resource == "+detainees":
            people.add(pk)
        elif resource == "+exchanges":
            exchanges.add(pk)
        else:
            wanted[resource].add(pk)
    kinds = {about: ContentType.objects.get_by_natural_key(*key).pk for about, key in CLAIM_TYPES.items()}
    for chunk in _chunks(sorted(people)):
        wanted["detainees"].update(chunk)
        detentions = set(Detention.objects.filter(detainee_id__in=chunk).values_list("pk", flat=True))
        wanted["detentions"] |= detentions
        wanted["designations"] |= set(Designation.objects.filter(detainee_id__in=chunk).values_list("pk", flat=True))
        for resource, model in (("charges", Charge), ("sentences", Sentence), ("transfers", Transfer)):
            wanted[resource] |= set(model.objects.filter(detention__detainee_id__in=chunk).values_list("pk", flat=True))
        wanted["sentence-changes"] |= set(
            SentenceChange.objects.filter(sentence__detention__detainee_id__in=chunk).values_list("pk", flat=True)
        )
        taking_part = ExchangeParticipant.objects.filter(detainee_id__in=chunk)
        for pk, exchange_id in taking_part.values_list("pk", "exchange_id"):
            wanted["exchange-participants"].add(pk)
            wanted["exchanges"].add(exchange_id)
        wanted["statements"] |= set(Statement.objects.filter(detainees__in=chunk).values_list("pk", flat=True))
        wanted["claims"] |= set(Claim.objects.filter(content_type_id=kinds["detainee"], object_id__in=chunk)
                                .values_list("pk", flat=True))  # fmt: skip
        wanted["claims"] |= set(Claim.objects.filter(content_type_id=kinds["detention"], object_id__in=detentions)
                                .values_list("pk", flat=True))  # fmt: skip
    for chunk in _chunks(sorted(exchanges)):
        wanted["exchanges"].update(chunk)
        wanted["exchange-participants"] |= set(
            ExchangeParticipant.objects.filter(exchange_id__in=chunk).values_list("pk", flat=True)
        )
        wanted["statements"] |= set(Statement.objects.filter(exchanges__in=chunk).values_list("pk", flat=True))
        wanted["claims"] |= set(Claim.objects.filter(content_type_id=kinds["exchange"], object_id__in=chunk)
                                .values_list("pk", flat=True))  # fmt: skip
    return wanted


def _chunks(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def lock(using: str) -> None:
    """Take the feed's lock for the rest of the transaction."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        else:  # a write as the first statement: SQLite's write lock now, not on the first insert
            cursor.execute("DELETE FROM changes_mark WHERE 1 = 0")


def publish_records(wanted: dict[str, set[int]], using: str) -> int:
    """Render, compare, append (under the lock, inside the caller's transaction); returns the events appended."""
    now = timezone.now()
    events: list[Change] = []
    previous: dict[tuple[str, int], Published] = {}
    for resource in sorted(wanted):
        ids = sorted(wanted[resource])
        documents = render(resource, ids)
        for chunk in _chunks(ids):
            last = {p.object_id: p for p in Published.objects.using(using).filter(resource=resource,
                                                                                  object_id__in=chunk)}  # fmt: skip
            for pk in chunk:
                document, before = documents.get(pk), last.get(pk)
                if document is None:
                    if before is not None and before.op == Change.Op.UPSERT:
                        events.append(Change(resource=resource, object_id=pk, op=Change.Op.DELETE, at=now,
                                             document=None, digest=""))  # fmt: skip
                        previous[resource, pk] = before
                    continue
                digest = digest_of(document)
                if before is None or before.op == Change.Op.DELETE or before.digest != digest:
                    events.append(Change(resource=resource, object_id=pk, op=Change.Op.UPSERT, at=now,
                                         document=document, digest=digest))  # fmt: skip
                    if before is not None:
                        previous[resource, pk] = before
    if not events:
        return 0
    labels = {name: label for label, name in RESOURCES.items()}
    on_file: set[tuple[str, int]] = set()
    for resource in {e.resource for e in events if e.op == Change.Op.DELETE}:
        model = apps.get_model(labels[resource])
        gone = [e.object_id for e in events if e.op == Change.Op.DELETE and e.resource == resource]
        on_file |= {(resource, pk) for pk in model._default_manager.using(using).filter(pk__in=gone)
                    .values_list("pk", flat=True)}  # fmt: skip
    merged_into = merges_of([e.object_id for e in events if e.op == Change.Op.DELETE and e.resource == "detainees"],
                            using)
    for event in events:  # a record merged into another: its delete names the survivor (issue 27)
        if event.op == Change.Op.DELETE and event.resource == "detainees" and event.object_id in merged_into:
            event.document = {"merged_into": merged_into[event.object_id]}
    created = Change.objects.using(using).bulk_create(events, batch_size=BATCH)
    if any(event.seq is None for event in created):  # a backend that does not return ids: read them back
        raise RuntimeError("bulk_create returned no seq")
    Published.objects.using(using).bulk_create(
        [Published(resource=e.resource, object_id=e.object_id, seq=e.seq, op=e.op, at=e.at, digest=e.digest,
                   previous_at=getattr(previous.get((e.resource, e.object_id)), "at", None),
                   reason="" if e.op == Change.Op.UPSERT else
                   "unpublished" if (e.resource, e.object_id) in on_file else "deleted") for e in created],
        batch_size=BATCH, update_conflicts=True, unique_fields=["resource", "object_id"],
        update_fields=["seq", "op", "at", "digest", "previous_at", "reason"],
    )  # fmt: skip
    return len(created)


def merges_of(ids: list[int], using: str) -> dict[int, int]:
    """Removed detainee id → the survivor it was merged into, for merges the public may learn of (a published
    record folded into a published one; `detainees.MergedDetainee`)."""
    if not ids:
        return {}
    from detainees.models import MergedDetainee

    rows = MergedDetainee.objects.using(using).visible_to(None).filter(merged_id__in=ids)
    return dict(rows.values_list("merged_id", "into_id"))


def publish(limit: int | None = None, using: str | None = None, on_batch=None) -> int:
    """Consume marks in batches until none is left (or `limit` marks are consumed); returns the events appended."""
    using = using or router.db_for_write(Change)
    appended = consumed = 0
    while limit is None or consumed < limit:
        size = WINDOW if limit is None else min(WINDOW, limit - consumed)
        with transaction.atomic(using=using):
            lock(using)
            ids, keys = read_marks(size, using)
            if not ids:
                break
            wanted = expand(keys)
            ids = sorted(set(ids) | set(marks_on(wanted, using)))
            appended += publish_records(wanted, using)
            for chunk in _chunks(ids, DELETE_BATCH):  # exactly the marks read before the render, never a range
                Mark.objects.using(using).filter(id__in=chunk).delete()
        consumed += len(ids)
        if on_batch:
            on_batch(len(ids), appended)
    return appended


def read_marks(size: int, using: str) -> tuple[list[int], set[tuple[str, int]]]:
    """The ids of the oldest marks (up to `size`, naming up to RECORDS records), of every other mark already visible
    on the same records, and the records they name. Marks repeat (every write of a record marks it again): reading
    the duplicates now lets this render consume them all, instead of rendering the same record again in later
    batches. Only ids read here are deleted after the render, so a mark committed meanwhile by another transaction
    stays for the next batch."""
    marks = list(Mark.objects.using(using).order_by("id").values_list("id", "resource", "object_id")[:size])
    if not marks:
        return [], set()
    ids, keys, budget = set(), set(), 0
    for pk, resource, object_id in marks:  # a prefix of the window naming at most RECORDS records: the lock is held
        if (resource, object_id) not in keys:  # for seconds, not minutes (requests publish under it too)
            cost = EXPANDS if resource.startswith("+") else 1
            if keys and budget + cost > RECORDS:
                marks = marks[: len(ids)]
                break
            keys.add((resource, object_id))
            budget += cost
        ids.add(pk)
    by_resource: dict[str, list[int]] = defaultdict(list)
    for resource, object_id in keys:
        by_resource[resource].append(object_id)
    ids.update(marks_on(by_resource, using, after=marks[-1][0]))
    return sorted(ids), keys


def marks_on(records: dict, using: str, after: int = 0) -> list[int]:
    """The ids of the marks visible now on these {resource: ids} records (the ones a render starting after this
    call consumes)."""
    found = []
    for resource, object_ids in records.items():
        for chunk in _chunks(sorted(object_ids), DELETE_BATCH):
            found += Mark.objects.using(using).filter(resource=resource, object_id__in=chunk, id__gt=after
                                                      ).values_list("id", flat=True)  # fmt: skip
    return found


def pending(using: str | None = None) -> int:
    return Mark.objects.using(using or router.db_for_read(Mark)).count()


def mark_daily(today: datetime.date | None = None, using: str | None = None) -> int:
    """Mark the published people whose document counts days in custody up to today (`days_held`): their
    representation changes every day with no write. Returns how many were marked."""
    from detainees.models import Detention

    using = using or router.db_for_write(Mark)
    ids = list(Detention.objects.using(using).filter(released_on__isnull=True, detainee__is_published=True)
               .values_list("detainee_id", flat=True).distinct())  # fmt: skip
    Mark.objects.using(using).bulk_create([Mark(resource="detainees", object_id=pk) for pk in ids], batch_size=BATCH)
    return len(ids)


def resource_of(label: str) -> str | None:
    return RESOURCES.get(label)
