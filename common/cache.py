"""Figures that are costly to count (totals, facet counts, the size of a filtered list), cached until the data
changes.

The key carries the data's version, which comes in two kinds (`data_version`):

- **public** (anonymous requests: pages, API reads, `X-Data-Version`): derived from the change feed — its head
  `seq`, and, while any are pending, the highest mark the database triggers wrote (`changes.Mark`). A change the
  public can see appends an event and moves the head; a write not yet published leaves a mark, which moves the
  version at once; an edit of a draft leaves a mark only until the publisher has rendered it (seconds: the next
  request after a write publishes it) and appends nothing, so the version comes back to what it was — a draft
  edit never moves the public version for good (only a brief cache miss betrays that *something* was written).
  This assumes every public page shows only what the public API shows (true of every page today); the page and
  figure caches' own timeouts bound the damage if that ever stops being true.
- **full** (signed-in requests, which may see drafts, and everything outside a request): for every case table its
  highest id and the highest id of its history table, in one query (each an index lookup). A new record moves the
  first; an edit or a deletion through the ORM writes a history row and moves the second; bulk inserts, which
  write no history, still move the first; the feed's tables are in it too.

Either way any change that matters to the reader invalidates the figures at once, with no invalidation code at the
places that write. Redis when REDIS_URL is set (shared by every app server), local memory otherwise.
"""

import hashlib
from collections.abc import Callable
from contextvars import ContextVar

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections, router
from django.db.models import Count, QuerySet, Window
from django.utils.functional import cached_property

from common.sql import execute_prepared, page_of

CASE_APPS = ("detainees", "exchanges", "sources", "changes")  # changes: the feed's seq, its marks and releases

# The data version last read while answering the current request (the Cache-Control middleware resets it and
# names it in the response's X-Data-Version, at no extra query).
version_seen: ContextVar[str | None] = ContextVar("version_seen", default=None)


# Whether the current request is anonymous (set by common.middleware.CacheControlMiddleware): its data version is
# the public one. Outside a request (commands, the worker, tests) the full one.
public_reader: ContextVar[bool] = ContextVar("public_reader", default=False)


def _public_version_sql(connection) -> str:
    quote = connection.ops.quote_name
    return (f"SELECT (SELECT MAX({quote('seq')}) FROM {quote('changes_change')}), "
            f"(SELECT MAX({quote('id')}) FROM {quote('changes_mark')})")  # fmt: skip


def _version_sql(connection) -> str:
    quote = connection.ops.quote_name
    parts = []
    for app in CASE_APPS:
        for model in apps.get_app_config(app).get_models():
            parts.append(f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})")
    return "SELECT " + ", ".join(parts)


def data_version(using: str | None = None, *, public: bool | None = None) -> str:
    """A short digest that changes whenever what the reader can see changes (read where the request reads: the
    replica for anonymous visitors, see common.routing). `public` (default: whether the current request is
    anonymous): the change feed's version, which draft edits do not move; otherwise the full one, which any
    created, edited or deleted case record moves."""
    connection = connections[using or router.db_for_read(None)]
    if public_reader.get() if public is None else public:
        [marks] = execute_prepared(connection, ("data_version_public",), _public_version_sql(connection))
        marks = ("feed", *marks)
    else:
        [marks] = execute_prepared(connection, ("data_version",), _version_sql(connection))
    version = hashlib.sha1(repr(marks).encode()).hexdigest()[:16]
    version_seen.set(version)
    return version


def figures_key(name: str, *, parts=(), version: str | None = None) -> str:
    """The cache key of `cached_figures(name, parts=parts)` under `version` (default: the current data version)."""
    from django.utils import translation

    version = version or data_version()
    return "figures:" + hashlib.sha1(repr((name, version, parts, translation.get_language())).encode()).hexdigest()


def cached_figures(name: str, *, parts=(), compute: Callable, timeout: int = 600, version: str | None = None):
    """`compute()` once per data version, `parts` (e.g. the filters in force) and language (figures carry names of
    countries and labels in the words of the page that asked)."""
    key = figures_key(name, parts=parts, version=version)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout)
    return value


def count_key(queryset, version: str | None = None) -> str | None:
    """The cache key of the count of `queryset` (whatever its order), None when it can match nothing."""
    try:
        sql, params = queryset.order_by().query.sql_with_params()  # one count per filter, whatever the order asked
    except EmptyResultSet:  # .none(): nothing to count
        return None
    return figures_key("count", parts=(sql, tuple(map(str, params))), version=version)


def cached_count(queryset, version: str | None = None) -> int:
    """The number of rows of a filtered list, counted once per data version: COUNT(*) over 100,000 people costs
    tens of milliseconds, and most lists are asked for again before anything changes."""
    if not isinstance(queryset, QuerySet):
        return len(queryset)
    key = count_key(queryset, version)
    if key is None:
        return 0
    value = cache.get(key)
    if value is None:
        value = queryset.order_by().count()
        cache.set(key, value, 600)
    return value


WINDOW_TOTAL = "_page_total"


class CachedCountPaginator(Paginator):
    """A paginator whose count is `cached_count()`; `version` saves the version query when the caller has it;
    `known` is a count the caller read elsewhere (a stored count: detainees.facets), never counted again.

    `window`: the count is not known yet and comes from the page query itself (`COUNT(*) OVER ()`), as for a name
    search, whose ranked order sorts every match anyway: counting apart would read the trigram index a second time.
    Only a page beyond the last (no row to carry the count) counts apart. The count is then cached as `cached_count`
    caches it, so the next page of the same search is the page query alone. `keep_count=False`: a `window` list
    counts in every page query, nothing looked up or kept — for a search that ranks every match anyway, where the
    count comes nearly free and keeping it costs its cache key (the query compiled once more, the data version read).
    """

    def __init__(self, *args, version: str | None = None, known: int | None = None, window: bool = False,
                 defer_joins: bool = False, compiled=None, keep_count: bool = True, **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.version, self.known, self.window, self.defer_joins = version, known, window, defer_joins
        self.compiled, self.keep_count = compiled, keep_count

    def _get_page(self, object_list, *args, **kwargs):
        """`defer_joins`: the page's rows picked by their ids first (`pk IN (SELECT id … LIMIT n OFFSET m)`), then
        joined to what they show. A page read as one query joins every row it skips before OFFSET drops them: the
        list page's latest custody, 950 index probes for page 38 of 25 (15 ms of 17 at 20,000 cases), growing with
        the page's depth.

        `compiled`: a key under which that query's SQL is kept once compiled (`common.sql.page_of`), for a list whose
        query differs from page to page by its slice alone (the caller's promise)."""
        if self.defer_joins and isinstance(object_list, QuerySet) and object_list.query.is_sliced:
            query = object_list.query
            if self.compiled is not None and query.high_mark is not None:
                rows = page_of(self.object_list, self.compiled, query.low_mark, query.high_mark)
                if rows is not None:
                    return super()._get_page(rows, *args, **kwargs)
            ids = self.object_list.values("pk")[query.low_mark : query.high_mark]
            object_list = self.object_list.filter(pk__in=ids)
        return super()._get_page(object_list, *args, **kwargs)

    @cached_property
    def count(self) -> int:
        if self.known is not None:
            return self.known
        return cached_count(self.object_list, self.version)

    def get_page(self, number):
        """As Django's: a number that is not one gives the first page, one beyond the last the last page; without
        counting first when the page query counts."""
        if not self._counts_in_page():
            return super().get_page(number)
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)

    def page(self, number):
        if not self._counts_in_page():
            return super().page(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().page(number)  # Django's own message for a page that is not a number
        if number < 1:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        # The orphans rule needs the count before the slice; the lists here keep no orphans.
        rows = list(self.object_list.annotate(**{WINDOW_TOTAL: Window(Count("pk"))})[bottom : bottom + self.per_page])
        if not rows:
            if number == 1:
                self.__dict__["count"] = 0
                self._remember(0)
            return super().page(number)  # beyond the last page: counted apart, and Django says so
        first = rows[0]
        total = first[WINDOW_TOTAL] if isinstance(first, dict) else getattr(first, WINDOW_TOTAL)
        for row in rows:
            if isinstance(row, dict):
                del row[WINDOW_TOTAL]
        self.__dict__["count"] = total
        self._remember(total)
        return self._get_page(rows, number, self)

    def _counts_in_page(self) -> bool:
        if not self.window or self.known is not None or "count" in self.__dict__ or self.orphans:
            return False
        if not isinstance(self.object_list, QuerySet):
            return False
        if not self.keep_count:
            self._count_key = None
            return True
        key = count_key(self.object_list, self.version)
        if key is None:
            return False
        cached = cache.get(key)
        if cached is not None:  # counted already under this data version: the page query need not count
            self.__dict__["count"] = cached
            return False
        self._count_key = key
        return True

    def _remember(self, total: int) -> None:
        if self._count_key is not None:
            cache.set(self._count_key, total, 600)


def public_response_key(request, *parts) -> str | None:
    """The cache key of a public response, or None when it must not be cached: for signed-in users (who may see
    drafts) and when PAGE_CACHE_SECONDS is 0. It holds the data version, the full address with its query string,
    the day (documents count days in custody; pages print the date) and the active language (the address names it
    for pages; an API answer's words follow Accept-Language)."""
    from django.conf import settings
    from django.utils import timezone, translation

    if not settings.PAGE_CACHE_SECONDS or request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return None
    if getattr(request, "data_version", None) is None:
        request.data_version = data_version()
    key = (request.data_version, request.build_absolute_uri(), timezone.localdate().isoformat(),
           translation.get_language(), *parts)  # fmt: skip
    return "public:" + hashlib.sha1(repr(key).encode()).hexdigest()
