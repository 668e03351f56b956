"""Stored case documents: built from the same code that answers without them, served in one indexed read.

A first visit to a case (a crawler, a researcher following a link) used to assemble the person's records, render
the page and serialize the document: 10–30 ms of queries and Python per request at 100,000 cases. Here each
published case keeps its API document and its anonymous case page in `CaseDocument`:

- reading: `stored_api()` / `stored_page()` return them only while current (not marked stale by the triggers of
  `casedocs.triggers`, built at the generation they carry, built today) and only for published people;
- building: `build()` reads the generation first, then renders with the code the site uses without stored
  documents (`detainees.documents.build_documents`, `DetaineeDetailView`), and stores the result only if the
  generation has not moved meanwhile (`UPDATE … WHERE generation = g`), so a write that commits while a document
  is being built can never be overwritten by the older picture;
- refreshing: after every write request (`RefreshAfterWritesMiddleware`) and by `build_case_documents`.

Documents are built anonymously, for the origin `ORIGIN`, which each response puts back as its own scheme and
host. A test renders every demo case both ways and compares them byte for byte.
"""

import datetime
import logging

import orjson
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connections, router, transaction
from django.db.models import F, Q
from django.http import HttpRequest, QueryDict
from django.urls import resolve
from django.utils import timezone

from common.citations import long_date
from common.sql import execute_prepared
from detainees.models import Detainee

from .models import CaseDocument

logger = logging.getLogger(__name__)

HOST = "case-document.invalid"
ORIGIN = f"http://{HOST}"


def enabled(request=None) -> bool:
    """Stored documents answer anonymous reads (the case page only without a query string); editors, who may see
    drafts, always get documents computed afresh."""
    if not settings.CASE_DOCUMENTS or isinstance(request, _DocumentRequest):  # building one: the view's own path
        return False
    return request is None or (not request.user.is_authenticated and request.method in ("GET", "HEAD"))


def origin_of(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


# A stored page cites itself as "accessed" on this day; each response puts today's date in its place.
ACCESSED = datetime.date(1111, 11, 11)


def current(today: datetime.date | None = None):
    """Documents that may be served today: not marked stale since built, and built today if they count days."""
    return CaseDocument.objects.filter(
        Q(built_on=today or timezone.localdate()) | Q(daily=False),
        stale=False, built_generation=F("generation"),
    )  # fmt: skip


def _dated(page: str, today: datetime.date) -> str:
    return page.replace(f"accessed {long_date(ACCESSED)})", f"accessed {long_date(today)})")


# `current()` for published people, as SQL: the hottest read of the site, prepared once per session (common.sql).
_CURRENT = (
    "SELECT doc.detainee_id, doc.{column} FROM casedocs_casedocument doc "
    "JOIN detainees_detainee person ON person.id = doc.detainee_id "
    "WHERE {where} AND person.is_published AND NOT doc.stale AND doc.built_generation = doc.generation "
    "AND (doc.built_on = %s OR NOT doc.daily)"
)


def _read(key: str, column: str, where: str, params: list) -> list[tuple]:
    connection = connections[router.db_for_read(CaseDocument)]
    sql = _CURRENT.format(column=column, where=where)
    return execute_prepared(connection, ("casedocs", key, len(params)), sql, [*params, timezone.localdate()])


def stored_api(ids: list[int], request) -> dict[int, dict]:
    """The current API documents of these people (published ones only), as the API would answer them."""
    if not ids:
        return {}
    origin = origin_of(request)
    rows = _read("api", "api", f"doc.detainee_id IN ({', '.join(['%s'] * len(ids))})", list(ids))
    return {pk: orjson.loads(text.replace(ORIGIN, origin)) for pk, text in rows}


def stored_page(slug: str, request) -> str | None:
    """The current case page of a published person, or None."""
    rows = _read("page", "page", "person.slug = %s", [slug])
    return _dated(rows[0][1], timezone.localdate()).replace(ORIGIN, origin_of(request)) if rows else None


class _DocumentRequest(HttpRequest):
    """An anonymous GET of `path` at ORIGIN, with nothing else: what a stored document is rendered for."""

    def __init__(self, path: str):
        super().__init__()
        self.method = "GET"
        self.path = self.path_info = path
        self.META = {"SERVER_NAME": HOST, "SERVER_PORT": "80", "HTTP_HOST": HOST, "REQUEST_METHOD": "GET"}
        self.GET = QueryDict()
        self.user = AnonymousUser()
        self.resolver_match = resolve(path)
        self.accessed_on = ACCESSED

    def get_host(self):
        return HOST

    def _get_scheme(self):
        return "http"


def render_page(slug: str) -> str:
    """The anonymous case page of a published person, for ORIGIN (the view's own rendering, page cache aside)."""
    from detainees.views import DetaineeDetailView

    request = _DocumentRequest(f"/detainees/{slug}/")
    view = DetaineeDetailView()
    view.setup(request, slug=slug)
    response = view.get(request)
    response.render()
    return response.content.decode()


def build(ids: list[int]) -> dict[int, tuple[dict, str]]:
    """Build the documents of the published people among `ids` and store those still current when done.

    Returns {id: (API document for ORIGIN, page for ORIGIN)} for every published person asked for, stored or not.
    """
    from detainees.documents import TOP_FIELDS, build_documents

    if not ids:
        return {}
    writes = router.db_for_write(CaseDocument)
    storing = _store(writes, _claim_rows, ids)  # a row for the triggers to mark, before anything is read
    # The generation first, from where the data will be read: what is read next is at least that new.
    generations = dict(CaseDocument.objects.filter(pk__in=ids).values_list("pk", "generation")) if storing else {}
    today = timezone.localdate()
    rows = list(Detainee.objects.published().filter(pk__in=ids).values(*TOP_FIELDS))
    documents = build_documents(rows, _OriginOnly)
    built, finished = {}, []
    for row, document in zip(rows, documents, strict=True):
        pk = row["id"]
        built[pk] = (document, render_page(row["slug"]))
        if pk in generations:  # not yet on a replica that lags: build again next time
            daily = counts_days(document)
            finished.append((pk, orjson.dumps(document).decode(), built[pk][1], daily))
    if finished:
        _store(writes, _write_documents, finished, generations, today)
    return built


def _claim_rows(ids: list[int], using: str) -> None:
    """A row (stale, nothing built) for each published person among `ids` who has none: never for a draft, nor for
    an id nobody has (a request for /api/v1/detainees/999999/ adds nothing)."""
    table, people = CaseDocument._meta.db_table, Detainee._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (detainee_id, generation, stale, daily, api, page) "
            f"SELECT id, 0, TRUE, TRUE, '', '' FROM {people} WHERE is_published AND id IN ({marks}) "
            "ON CONFLICT (detainee_id) DO NOTHING",
            ids,
        )


def _write_documents(finished: list[tuple], generations: dict[int, int], today, using: str) -> None:
    """Each document, unless a write moved its generation while it was built (then it stays stale)."""
    for pk, api, page, daily in finished:
        CaseDocument.objects.using(using).filter(pk=pk, generation=generations[pk]).update(
            api=api, page=page, built_generation=generations[pk], built_on=today, stale=False, daily=daily
        )


def _store(using: str, write, *args) -> bool:
    """Run a write of stored documents on its own; a failure (the primary unreachable while a replica answers
    reads) costs the visitor nothing: the document is built for them and stored another time."""
    try:
        with transaction.atomic(using=using):
            write(*args, using)
        return True
    except DatabaseError as error:
        logger.warning("Stored case documents not written: %s", error)
        return False


def counts_days(document: dict) -> bool:
    """Whether the document's day counts can change with the date: a custody still open (a start, no end, no end
    reason) counts to today, even one whose count has not begun (a start known to the year counts from its last
    day, so it reads 0 until then)."""
    return any(d["detained_on"] and not d["released_on"] and not d["end_reason"] for d in document["detentions"])


class _OriginOnly:
    @staticmethod
    def build_absolute_uri(path: str) -> str:
        return ORIGIN + path


def api_documents(ids: list[int], request) -> dict[int, dict]:
    """API documents for these people, stored or built now (and stored)."""
    found = stored_api(ids, request)
    missing = [pk for pk in ids if pk not in found]
    if missing:
        origin = origin_of(request)
        for pk, (document, _) in build(missing).items():
            found[pk] = orjson.loads(orjson.dumps(document).replace(ORIGIN.encode(), origin.encode()))
    return found


def case_page(slug: str, request) -> str | None:
    """The anonymous case page, stored or built now (and stored); None when no published person has this slug."""
    page = stored_page(slug, request)
    if page is not None:
        return page
    pk = Detainee.objects.published().filter(slug=slug).values_list("pk", flat=True).first()
    if pk is None:
        return None
    built = build([pk])
    return _dated(built[pk][1], timezone.localdate()).replace(ORIGIN, origin_of(request)) if pk in built else None


def refresh_stale(limit: int | None = None) -> int:
    """Rebuild documents marked stale (oldest people first); returns how many were rebuilt."""
    stale = CaseDocument.objects.using(router.db_for_write(CaseDocument)).filter(stale=True)
    ids = list(stale.filter(detainee__is_published=True).order_by("pk").values_list("pk", flat=True)[:limit])
    return len(build(ids))
