"""Stored case documents: built from the same code that answers without them, served in one indexed read.

A first visit to a case (a crawler, a researcher following a link) used to assemble the person's records, render
the page and serialize the document: 10–30 ms of queries and Python per request at 100,000 cases. Here each
published case keeps its API document and its anonymous case page in `CaseDocument`:

- reading: `stored_api()` / `stored_page()` return them only while current (built, no mark left by the triggers of
  `casedocs.triggers`) and only for published people;
- building: `build()` reads the documents' versions and their people's marks first, then builds with the code the
  site uses without stored documents (`detainees.documents.build_documents` for a whole batch in three queries,
  `DetaineeDetailView` for a page), and stores each result only if no other build stored one meanwhile
  (`UPDATE … WHERE version = v`), removing only the marks it had read. A write that commits while a document is
  being built leaves a mark the build never saw, so the older picture is stored stale and never served;
- the API document and the page apart: rendering a page costs ten times what a whole API document does, so an API
  read builds the API document alone (`build(ids, pages=False)`, which stores no page), and the page is rendered
  when it is first asked for (with its API document again, two queries, so that both show one picture);
- the date out of the stored bytes: a page cites itself as accessed on ACCESSED and holds what its day count is
  made of (`detainees.documents.days_marker`), and so does the API document's `days_held` (`_stored_days`). Each is
  filled in for today when served, so a document of someone still held stays current past midnight;
- refreshing: after every write request (`RefreshAfterWritesMiddleware`) and by `build_case_documents`.

Documents are built anonymously, for the origin `ORIGIN`, which each response puts back as its own scheme and
host. A test renders every demo case both ways and compares them byte for byte.
"""

import contextvars
import datetime
import functools
import logging

import orjson
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connections, router, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, QueryDict
from django.urls import resolve
from django.utils import timezone, translation

from common.citations import long_date
from common.sql import execute_prepared
from detainees.documents import days_held_of, days_held_parts, days_on, fill_days
from detainees.models import Detainee

from .buildkey import build_key
from .models import CaseDocument, CaseMark

logger = logging.getLogger(__name__)

HOST = "case-document.invalid"
ORIGIN = f"http://{HOST}"


def enabled(request=None) -> bool:
    """Stored documents answer anonymous reads (the case page only without a query string); editors, who may see
    drafts, always get documents computed afresh. Pages are stored in English only: a Russian page (/ru/…) is
    rendered afresh (and then kept by the page cache, whose key holds the language)."""
    if not settings.CASE_DOCUMENTS or isinstance(request, _DocumentRequest):  # building one: the view's own path
        return False
    return request is None or (not request.user.is_authenticated and request.method in ("GET", "HEAD"))


def origin_of(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


# A stored page cites itself as "accessed" on this day; each response puts today's date in its place.
ACCESSED = datetime.date(1111, 11, 11)


def _marked():
    return Exists(CaseMark.objects.filter(detainee_id=OuterRef("pk")))


def current():
    """Documents that may be served: built by the code now running, and not marked since (their page may be still to
    render)."""
    return CaseDocument.objects.filter(built_on__isnull=False, built_with=build_key()).exclude(_marked())


def stale():
    """Documents to build again: never built, built by other code (before a deploy), or marked since they were."""
    return CaseDocument.objects.filter(Q(built_on__isnull=True) | ~Q(built_with=build_key()) | _marked())


def _dated(page: str, today: datetime.date) -> str:
    """A stored page as served on `today`: the day it is accessed on, and its day count (see `fill_days`)."""
    return fill_days(page.replace(f"accessed {long_date(ACCESSED)})", f"accessed {long_date(today)})"), today)


def _served(document: dict, today: datetime.date) -> dict:
    """A stored API document as served on `today`: with its day count (`_stored_days`)."""
    days = document["days_held"]
    if type(days) is str:  # what the count is made of: "FIXED START,START…"
        fixed, _, starts = days.partition(" ")
        days = days_on(int(fixed), [datetime.date.fromisoformat(s) for s in starts.split(",") if s], today)
    elif days is None:  # stored before h64
        days = days_held_of(document, today)
    document["days_held"] = days
    return document


def _stored_days(document: dict) -> int | str:
    """What a stored API document holds in place of `days_held`: the count itself when it cannot change with the
    date (no custody still open), else what it is made of, as text ("FIXED START,START…": `days_held_parts`), so
    that serving it costs no walk over the detentions (fifty a list page, h64)."""
    fixed, starts = days_held_parts(document["detentions"])
    return f"{fixed} " + ",".join(start.isoformat() for start in starts) if starts else fixed


# `current()` for published people, as SQL: the hottest read of the site, prepared once per session (common.sql).
_CURRENT = (
    "SELECT doc.detainee_id, doc.{column} FROM casedocs_casedocument doc "
    "JOIN detainees_detainee person ON person.id = doc.detainee_id "
    "WHERE {where} AND person.is_published AND doc.built_on IS NOT NULL AND doc.{column} <> '' AND doc.built_with = %s "
    "AND NOT EXISTS (SELECT 1 FROM casedocs_casemark mark WHERE mark.detainee_id = doc.detainee_id)"
)


def _read(key: str, column: str, where: str, params: list) -> list[tuple]:
    connection = connections[router.db_for_read(CaseDocument)]
    sql = _CURRENT.format(column=column, where=where)
    return execute_prepared(connection, ("casedocs", key, len(params)), sql, [*params, build_key()])


def stored_api(ids: list[int], request) -> dict[int, dict]:
    """The current API documents of these people (published ones only), as the API would answer them."""
    if not ids:
        return {}
    origin, today = origin_of(request), timezone.localdate()
    rows = _read("api", "api", f"doc.detainee_id IN ({', '.join(['%s'] * len(ids))})", list(ids))
    return {pk: _served(orjson.loads(text.replace(ORIGIN, origin)), today) for pk, text in rows}


# One published person's current API document (or NULL) and the record's last event in the change feed (a row of
# NULLs if none), in one statement: a stored API detail is then this one read (h64).
_API_AND_LAST = (
    "SELECT doc.api, pub.op, pub.digest, pub.at, pub.previous_at FROM (SELECT CAST(%s AS bigint) AS id) want "
    "LEFT JOIN casedocs_casedocument doc ON doc.detainee_id = want.id AND doc.built_on IS NOT NULL AND doc.api <> '' "
    "AND doc.built_with = %s AND NOT EXISTS (SELECT 1 FROM casedocs_casemark mark WHERE mark.detainee_id = want.id) "
    "AND EXISTS (SELECT 1 FROM detainees_detainee person WHERE person.id = want.id AND person.is_published) "
    "LEFT JOIN {published} pub ON pub.resource = %s AND pub.object_id = want.id"
)


def stored_api_and_last(pk: int, request, resource: str) -> tuple[dict | None, tuple | None] | None:
    """(the current API document of this published person or None, the record's `Published` row for `resource` as
    `changes.services.known_last` reads it) in one statement; None when the feed's table is read elsewhere (a
    replica for one, the primary for the other): then each is read apart."""
    from changes import services as feed

    alias = router.db_for_read(CaseDocument)
    if feed.published_alias() != alias:
        return None
    sql = _API_AND_LAST.format(published=feed.published_table())
    rows = execute_prepared(connections[alias], ("casedocs", "api_and_last"), sql, [pk, build_key(), resource])
    text, *last = rows[0]
    document = None
    if text is not None:
        document = _served(orjson.loads(text.replace(ORIGIN, origin_of(request))), timezone.localdate())
    return document, tuple(last)


# A published person by slug, with their page if current: a warm visit reads the page, a cold one the id to build.
_PAGE_OR_PERSON = (
    "SELECT person.id, CASE WHEN doc.built_on IS NOT NULL AND doc.page <> '' AND doc.built_with = %s AND NOT EXISTS "
    "(SELECT 1 FROM casedocs_casemark mark WHERE mark.detainee_id = doc.detainee_id) THEN doc.page END "
    "FROM detainees_detainee person LEFT JOIN casedocs_casedocument doc ON doc.detainee_id = person.id "
    "WHERE person.slug = %s AND person.is_published"
)


def _page_or_person(slug: str) -> tuple[int, str | None] | None:
    """(id, current stored page or None) of the published person with this slug, or None: one indexed read."""
    connection = connections[router.db_for_read(CaseDocument)]
    rows = execute_prepared(connection, ("casedocs", "page_or_person"), _PAGE_OR_PERSON, [build_key(), slug])
    return rows[0] if rows else None


def stored_page(slug: str, request) -> str | None:
    """The current case page of a published person, or None."""
    found = _page_or_person(slug)
    if found is None or found[1] is None:
        return None
    return _dated(found[1], timezone.localdate()).replace(ORIGIN, origin_of(request))


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
        self.days_filled_in_later = True  # see detainees.documents.days_marker

    def get_host(self):
        return HOST

    def _get_scheme(self):
        return "http"


def english_page(request) -> bool:
    """Whether this request's page is the English one, the only language stored (see `enabled`)."""
    return translation.get_language() == settings.LANGUAGE_CODE


def render_page(slug: str) -> str:
    """The anonymous English case page of a published person, for ORIGIN (the view's own rendering, page cache
    aside), whatever language the request that asked for the build speaks (an editor's Russian admin, say)."""
    from detainees.views import DetaineeDetailView

    with translation.override(settings.LANGUAGE_CODE):
        request = _DocumentRequest(f"/detainees/{slug}/")
        view = DetaineeDetailView()
        view.setup(request, slug=slug)
        response = view.get(request)
        response.render()
        if (loaded := _LOADED.get()) is not None:  # for `build`: the person as the page read it
            loaded[slug] = view.object
        return response.content.decode()


# The people `render_page` loaded during a `build`, by slug (None outside one).
_LOADED: contextvars.ContextVar[dict | None] = contextvars.ContextVar("casedocs_loaded", default=None)


def build(
    ids: list[int], *, pages: bool = True, slugs: dict[int, str] | None = None, later: list | None = None
) -> dict[int, tuple[dict, str | None]]:
    """Build the documents of the published people among `ids` (their API documents in two queries for the whole
    batch; their pages one by one, unless `pages` is false) and store those still current when done. `slugs`: the
    slugs of some of them, known to be published (a cold case page): their pages are rendered first, and their rows
    taken from what the page read instead of a query of their own.

    Returns {id: (API document for ORIGIN, page for ORIGIN or None)} for every published person asked for, stored or
    not. A document stored without its page has none until a build with pages stores both.

    `later`: a list to which the store is appended (a function of no arguments) instead of being run here, for a
    request to run once its answer is sent (`after_response`). Storing later is as safe as storing now: what is
    stored was read with its version and marks, and a write committed meanwhile leaves a mark this build never saw,
    so the document is stored stale (or not at all) and never served.
    """
    from detainees.documents import TOP_FIELDS, build_documents, fetched_for_api, row_of

    if not ids:
        return {}
    writes = router.db_for_write(CaseDocument)
    if _one_statement(writes) and router.db_for_read(CaseDocument) == writes:
        # PostgreSQL, data read where it is written: the row claimed, its version and its marks read, in one
        # statement (one round trip instead of five), with the rows of those published (one statement fewer)
        found = _quick(writes, _claim_and_read(), [sorted(ids), sorted(ids)])
        versions, seen = {}, {}
        claimed = None if found is None else []  # the statement failed: the rows are read below, nothing stored
        for pk, version, marks, *row in found or []:
            versions[pk], seen[pk] = version, list(marks)
            if row[0] is not None:  # published (the person's id, read with their row)
                claimed.append(_person_row(row, writes))
    else:
        claimed = None
        storing = _store(writes, _claim_rows, ids)  # a row to store into
        # The versions and the marks first, from where the data will be read: what is read next is at least that
        # new, and a write committed after this leaves a mark not read here.
        versions = dict(CaseDocument.objects.filter(pk__in=ids).values_list("pk", "version")) if storing else {}
        seen: dict[int, list[int]] = {pk: [] for pk in versions}
        for mark, pk in CaseMark.objects.filter(detainee_id__in=list(versions)).values_list("pk", "detainee_id"):
            seen[pk].append(mark)
    pages_of, documents, rows = {}, {}, []
    loaded = _LOADED.set({})
    try:
        for pk, slug in (slugs or {}).items() if pages else ():  # the page first: the person as it read them
            pages_of[pk] = render_page(slug)
            person = _LOADED.get().get(slug)
            if person is not None:
                rows.append(row_of(person))
        known = {row["id"] for row in rows}
        if claimed is not None:  # read with the claim (PostgreSQL), in id order
            rows += [row for row in claimed if row["id"] not in known]
            known |= set(versions)  # a row the claim saw: published or not, read there
        rest = [pk for pk in ids if pk not in known]  # (PostgreSQL: a draft, nobody, or a row another build made
        if rest:  # since the claim's snapshot, which the claim neither made nor saw)
            rows += Detainee.objects.published().filter(pk__in=rest).values(*TOP_FIELDS)
        if pages:
            # Each page first: its API document is then made of what the page read (no second read of the case),
            # so the two show one picture. A page rendered otherwise (a test's stand-in) leaves its document to the
            # batch.
            for row in rows:
                if row["id"] not in pages_of:
                    pages_of[row["id"]] = render_page(row["slug"])
                person = _LOADED.get().get(row["slug"])
                fetched = fetched_for_api(person) if person is not None else None
                if fetched is not None:
                    documents[row["id"]] = build_documents([row], _OriginOnly, fetched)[0]
    finally:
        _LOADED.reset(loaded)
    rest = [row for row in rows if row["id"] not in documents]
    documents.update(zip([row["id"] for row in rest], build_documents(rest, _OriginOnly), strict=True))
    built, finished = {}, []
    for row in rows:
        pk, document = row["id"], documents[row["id"]]
        built[pk] = (document, pages_of.get(pk))
        if pk in versions:  # not yet on a replica that lags: build again next time
            api = orjson.dumps({**document, "days_held": _stored_days(document)}).decode()  # see `_served`
            finished.append((pk, api, built[pk][1] or "", counts_days(document), versions[pk], seen[pk]))
    if _one_statement(writes):
        store = functools.partial(_quick, writes, *_store_sql(finished, timezone.localdate())) if finished else None
    else:
        store = functools.partial(_store, writes, _write_documents, finished, timezone.localdate())
    if store is not None and later is not None:
        later.append(store)
    elif store is not None:
        store()
    return built


# PostgreSQL: a cold visit's two writes as one statement each, committed without waiting for the disk (`_quick`).
# The first also reads the row of each published person (`values(*TOP_FIELDS)`, in the same snapshot as the marks:
# a write committed after it leaves a mark not read here), in id order.
_CLAIM_AND_READ = (
    "WITH claimed AS (INSERT INTO casedocs_casedocument (detainee_id, version, daily, api, page) "
    "SELECT id, 0, TRUE, '', '' FROM detainees_detainee WHERE is_published AND id = ANY(%s::bigint[]) ORDER BY id "
    "ON CONFLICT (detainee_id) DO NOTHING RETURNING detainee_id, version), "
    "rows AS (SELECT detainee_id, version FROM claimed UNION ALL "
    "SELECT detainee_id, version FROM casedocs_casedocument WHERE detainee_id = ANY(%s::bigint[])) "
    "SELECT r.detainee_id, r.version, ARRAY(SELECT m.id FROM casedocs_casemark m WHERE m.detainee_id = r.detainee_id "
    "ORDER BY m.id), {columns} FROM rows r "
    "LEFT JOIN detainees_detainee person ON person.id = r.detainee_id AND person.is_published ORDER BY r.detainee_id"
)


@functools.cache
def _claim_and_read() -> str:
    from detainees.documents import TOP_FIELDS

    fields = [Detainee._meta.get_field(name) for name in TOP_FIELDS]
    assert fields[0].primary_key  # the row's first column says whether the person is published (see `build`)
    return _CLAIM_AND_READ.format(columns=", ".join(f"person.{field.column}" for field in fields))


def _person_row(values: list, using: str) -> dict:
    """A row of `_claim_and_read` as `values(*TOP_FIELDS)` gives it: each column through its field's converters
    (the aliases' JSON decoded)."""
    from detainees.documents import TOP_FIELDS

    connection, row = connections[using], {}
    for name, value in zip(TOP_FIELDS, values, strict=True):
        for converter in _converters(name, using):
            value = converter(value, None, connection)
        row[name] = value
    return row


@functools.cache
def _converters(name: str, using: str) -> list:
    return Detainee._meta.get_field(name).get_db_converters(connections[using])


def _store_sql(finished: list[tuple], today) -> tuple[str, list]:
    """`_write_documents` as one statement: the rows locked in id order and kept only if no other build stored one
    since this one read its version (a row another build changed meanwhile is re-read after the lock and left
    out), each stored with its version moved on, and away with the marks read for those stored."""
    rows = ", ".join(["(%s::bigint, %s::text, %s::text, %s::date, %s::boolean, %s::bigint, %s::bigint[])"]
                     * len(finished))  # fmt: skip
    params = [value for pk, api, page, daily, version, seen in finished
              for value in (pk, api, page, today, daily, version, seen)] + [build_key()]  # fmt: skip
    sql = (
        f"WITH new (id, api, page, built_on, daily, version, marks) AS (VALUES {rows}), "
        "locked AS (SELECT doc.detainee_id FROM casedocs_casedocument doc JOIN new ON doc.detainee_id = new.id "
        "AND doc.version = new.version ORDER BY doc.detainee_id FOR UPDATE OF doc), "
        "stored AS (UPDATE casedocs_casedocument AS doc SET api = new.api, page = new.page, built_on = new.built_on, "
        "built_with = %s, daily = new.daily, version = new.version + 1 FROM new WHERE doc.detainee_id = new.id "
        "AND doc.detainee_id IN (SELECT detainee_id FROM locked) RETURNING doc.detainee_id) "
        "DELETE FROM casedocs_casemark WHERE id IN "
        "(SELECT unnest(new.marks) FROM new JOIN stored ON stored.detainee_id = new.id)"
    )
    return sql, params


def _one_statement(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def _quick(using: str, sql: str, params: list) -> list[tuple] | None:
    """Run one statement that writes stored documents, on its own, and return its rows (None if it failed: the
    visitor is answered all the same, and the document stored another time).

    Outside a transaction it is sent with `SET LOCAL synchronous_commit TO OFF` in one round trip (PostgreSQL runs
    the two as one implicit transaction): the commit does not wait for the disk. What is stored is derived and
    rebuilt from its marks, so a crash that loses the last few such commits loses nothing a later visit does not
    build again; the row and the marks it removes commit or vanish together."""
    connection = connections[using]
    try:
        if connection.in_atomic_block:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if cursor.description else []
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL synchronous_commit TO OFF; {sql}", params)
            return cursor.fetchall() if cursor.description else []
    except DatabaseError as error:
        logger.warning("Stored case documents not written: %s", error)
        return None


def _claim_rows(ids: list[int], using: str) -> None:
    """A row (stale, nothing built) for each published person among `ids` who has none: never for a draft, nor for
    an id nobody has (a request for /api/v1/detainees/999999/ adds nothing)."""
    table, people = CaseDocument._meta.db_table, Detainee._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (detainee_id, version, daily, api, page) "
            f"SELECT id, 0, TRUE, '', '' FROM {people} WHERE is_published AND id IN ({marks}) ORDER BY id "
            "ON CONFLICT (detainee_id) DO NOTHING",
            sorted(ids),
        )


def _write_documents(finished: list[tuple], today, using: str) -> None:
    """Each document, unless another build stored one since this one read its version; and away with the marks this
    build had read (those a write added since stay: the document is then stored, and stale). One transaction for
    the batch, its rows locked in id order first, so builders never wait on each other in a circle."""
    if not finished:
        return
    rows = CaseDocument.objects.using(using).select_for_update().filter(pk__in=[f[0] for f in finished])
    unchanged = dict(rows.order_by("pk").values_list("pk", "version"))
    documents, marks = [], []
    for pk, api, page, daily, version, seen in finished:
        if unchanged.get(pk) == version:
            documents.append((pk, api, page, today, daily, version + 1))
            marks += seen
    table = CaseDocument._meta.db_table
    with connections[using].cursor() as cursor:
        # Not bulk_update: its CASE WHEN per row and field cost 19 ms a document to compose, five times the build.
        if connections[using].vendor == "postgresql":  # one statement for the batch
            rows = ", ".join(["(%s::bigint, %s::text, %s::text, %s::date, %s::boolean, %s::bigint)"] * len(documents))
            if documents:
                cursor.execute(
                    f"UPDATE {table} AS doc SET api = new.api, page = new.page, built_on = new.built_on, "
                    f"built_with = %s, daily = new.daily, version = new.version FROM (VALUES {rows}) "
                    "AS new (id, api, page, built_on, daily, version) WHERE doc.detainee_id = new.id",
                    [build_key(), *(value for document in documents for value in document)],
                )
        else:
            cursor.executemany(
                f"UPDATE {table} SET api = %s, page = %s, built_on = %s, built_with = %s, daily = %s, version = %s "
                "WHERE detainee_id = %s",
                [(api, page, built_on, build_key(), daily, version, pk)
                 for pk, api, page, built_on, daily, version in documents],  # fmt: skip
            )
    if marks:
        CaseMark.objects.using(using).filter(pk__in=marks).delete()


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
    """Whether the document's day counts can change with the date: a custody still open (a start, or with no start
    reported a date a report confirmed it; no end, no end reason) counts to today, even one whose count has not
    begun (a start known to the year counts from its last day, so it reads 0 until then)."""
    return any((d["detained_on"] or d.get("last_confirmed_on")) and not d["released_on"] and not d["end_reason"]
               for d in document["detentions"])  # fmt: skip


class _OriginOnly:
    @staticmethod
    def build_absolute_uri(path: str) -> str:
        return ORIGIN + path


def api_documents(ids: list[int], request, found: dict[int, dict] | None = None) -> dict[int, dict]:
    """API documents for these people, stored or built now (and stored, without their pages, once the answer is
    sent: the caller hands its response to `after_response`); `found`: those the caller has read already (the
    others were not stored)."""
    found = stored_api(ids, request) if found is None else found
    missing = [pk for pk in ids if pk not in found]
    if missing:
        origin = origin_of(request)
        for pk, (document, _) in build(missing, pages=False, later=_pending(request)).items():
            found[pk] = orjson.loads(orjson.dumps(document).replace(ORIGIN.encode(), origin.encode()))
    return found


def _pending(request) -> list:
    """The stores a request left to run after its answer is sent (on the Django request under DRF's)."""
    request = getattr(request, "_request", request)
    pending = getattr(request, "_casedocs_pending", None)
    if pending is None:
        pending = request._casedocs_pending = []
    return pending


def after_response(request, response) -> None:
    """Run the stores this request's builds left (`build(later=…)`) when `response` is closed: once the WSGI server
    has sent it (or the test client has read it), before Django's end-of-request signal tidies the connections. A
    first visit's answer then waits for its build but not for the write that keeps it (one round trip, ~0.3 ms at
    100,000 cases, h64); the next visitor of the same case finds it stored. A store that fails is logged and lost:
    the document is built again by its next visitor."""
    pending = getattr(getattr(request, "_request", request), "_casedocs_pending", None)
    while pending:
        response._resource_closers.append(pending.pop(0))


def case_page(slug: str, request) -> str | None:
    """The anonymous case page, stored or built now (and stored); None when no published person has this slug.
    One read finds the stored page or, if it is not current, whom to build (a cold visit: one query fewer)."""
    found = _page_or_person(slug)
    if found is None:
        return None
    pk, page = found
    if page is None:
        built = build([pk], slugs={pk: slug})
        if pk not in built:
            return None
        page = built[pk][1]
    return _dated(page, timezone.localdate()).replace(ORIGIN, origin_of(request))


def refresh_stale(limit: int | None = None, *, pages: bool = True) -> int:
    """Rebuild documents marked stale (oldest people first); returns how many were rebuilt."""
    ids = list(stale().using(router.db_for_write(CaseDocument)).filter(detainee__is_published=True)
               .order_by("pk").values_list("pk", flat=True)[:limit])  # fmt: skip
    return len(build(ids, pages=pages))


def prune() -> tuple[int, int]:
    """Remove the documents no published person needs, and the marks of people without a document (drafts edited,
    people deleted); returns how many of each."""
    from detainees.models import Detainee

    documents, _ = CaseDocument.objects.exclude(pk__in=Detainee.objects.published().values("pk")).delete()
    marks, _ = CaseMark.objects.exclude(detainee_id__in=CaseDocument.objects.values("pk")).delete()
    return documents, marks
