"""Running hot SQL cheaply."""

import hashlib
import re

from django.conf import settings


def execute_prepared(connection, key, sql: str, params: list | tuple = ()) -> list[tuple]:
    """Run `sql` (Django's %s placeholders) and return its rows; on PostgreSQL as a prepared statement.

    For a few hot queries whose planning costs several times more than running them (a fifteen-part UNION, thirty
    MAX() subqueries): a server-side prepared statement, per database session, is planned once and then reused
    (persistent connections keep it). PREPARE goes in the same round trip as the first EXECUTE, so query counts do
    not change. `key` names the statement; the same key must always mean the same SQL. Behind a pooler that
    shares sessions between clients (PgBouncer in transaction mode), set DB_PREPARED_STATEMENTS=false.
    """
    params = list(params)
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    name = "doc_" + hashlib.sha1(repr(key).encode()).hexdigest()[:16]
    with connection.cursor() as cursor:
        # The session is known only once the cursor is open: opening it runs Django's health check, which replaces
        # a connection the server closed (a restart, `pg_terminate_backend`) with a new one that knows no statements.
        session, prepared = getattr(connection, "_tracker_prepared", (None, set()))
        if session is not connection.connection:  # a new database session knows none of them
            prepared = set()
            connection._tracker_prepared = (connection.connection, prepared)
        execute = f"EXECUTE {name} ({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"
        if name not in prepared:
            numbered = iter(range(1, len(params) + 1))
            body = re.sub(r"%s", lambda m: f"${next(numbered)}", sql)  # "%%" stays: the driver unescapes it
            reset = "DEALLOCATE ALL; " * (not prepared and session is not None)
            execute = f"{reset}PREPARE {name} AS {body}; {execute}"
        try:
            cursor.execute(execute, params)
        except Exception:
            prepared.clear()  # whatever was prepared, start again cleanly on the next call
            raise
        prepared.add(name)
        return cursor.fetchall()


_BUILT: dict[tuple, tuple[str, tuple, dict[int, tuple[str, int]]]] = {}


def rows_for_ids(connection, key, build, ids, values=()) -> list[tuple]:
    """The rows of `build(ids, *values)`, a queryset whose only inputs that vary are these ids and values, built and
    compiled once per `key`, database, number of ids and kinds of values, then sent with the ids and values in place
    (a prepared statement: `execute_prepared`).

    For a query on every write whose ORM construction costs more than the database's answer (the published-means-
    sourced check: eight joined parts in a UNION ALL; the API token with its account's permissions). The SQL is the
    ORM's own: it is compiled with stand-ins (negative numbers no row has, text no one sends), and each parameter
    equal to a stand-in becomes the id or value it stands for. `key` must always mean the same `build`."""
    ids, values = sorted({int(i) for i in ids}), list(values)
    kinds = tuple(type(value).__name__ for value in values)
    cache_key = (key, connection.alias, len(ids), kinds)
    built = _BUILT.get(cache_key)
    if built is None:
        id_ins = [-(2**40) - n for n in range(len(ids))]
        value_ins = [f"\x1fstand-in {n}\x1f" if isinstance(v, str) else -(2**41) - n for n, v in enumerate(values)]
        sql, params = build(id_ins, *value_ins).query.get_compiler(connection=connection).as_sql()
        places = {}
        for position, param in enumerate(params):
            if isinstance(param, int | str) and not isinstance(param, bool):
                if param in id_ins:
                    places[position] = ("id", id_ins.index(param))
                elif param in value_ins:
                    places[position] = ("value", value_ins.index(param))
        found = {place for place in places.values()}
        if found != {("id", n) for n in range(len(ids))} | {("value", n) for n in range(len(values))}:
            raise ValueError(f"{key}: the ids or values are not parameters of the compiled query")
        built = _BUILT.setdefault(cache_key, (sql, tuple(params), places))
    sql, params, places = built
    given = {"id": ids, "value": values}
    params = [given[places[n][0]][places[n][1]] if n in places else value for n, value in enumerate(params)]
    return execute_prepared(connection, (key, len(ids), kinds), sql, params)


# Stand-ins for a page's LIMIT and OFFSET while its SQL is compiled (no list is that long)
_LIMIT, _OFFSET = 987_654_321, 876_543_219
_PAGES: dict[tuple, tuple | None] = {}


def instance_maker(compiler, using: str):
    """A function of the rows a compiled query read (`compiler`, after `as_sql()`) to the instances the ORM's
    ModelIterable makes of them: converters applied, `select_related` records and annotations set. For SQL the ORM
    compiled once and a caller runs itself (`page_of`, `detainees.views.published_person`)."""
    from django.db.models.query import get_related_populators

    klass_info, select = compiler.klass_info, compiler.select
    model, start, end = klass_info["model"], klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, using)
    annotations = list(compiler.annotation_col_map.items())

    def instances(rows) -> list:
        objects = []
        for row in compiler.results_iter([rows]):
            obj = model.from_db(using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    return instances


def _compiled_page(queryset, key):
    """(SQL with `LIMIT {limit} OFFSET {offset}` left to fill in, the function making its rows' instances), or None
    when the query has parameters (then the ORM compiles each page as usual)."""
    ids = queryset.values("pk")[_OFFSET : _OFFSET + _LIMIT]
    compiler = queryset.filter(pk__in=ids).query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()  # fills compiler.select, klass_info, annotation_col_map
    slot = f"LIMIT {_LIMIT} OFFSET {_OFFSET}"
    if params or sql.count(slot) != 1 or any(c in sql for c in "{}%"):
        return None
    return sql.replace(slot, "LIMIT {limit} OFFSET {offset}"), instance_maker(compiler, queryset.db)


def page_of(queryset, key, low: int, high: int) -> list | None:
    """The instances of `queryset.filter(pk__in=queryset.values("pk")[low:high])` (a list page's rows picked by id,
    then joined: common.cache.CachedCountPaginator's `defer_joins`), the same ones the ORM makes, from SQL the ORM
    compiled once per `key` and database instead of once per page: compiling that query cost a list page more than
    the database took to answer it (h65). `key` must always mean the same query but for the slice; a query with
    parameters, prefetches or known related objects is not kept (None: the caller asks the ORM)."""
    if queryset._prefetch_related_lookups or queryset._known_related_objects or queryset._fields is not None:
        return None
    from django.db import connections

    cache_key = (key, queryset.db)
    if cache_key not in _PAGES:
        _PAGES[cache_key] = _compiled_page(queryset, key)
    compiled = _PAGES[cache_key]
    if compiled is None:
        return None
    sql, instances = compiled
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql.format(limit=int(high) - int(low), offset=int(low)))
        return instances(cursor.fetchall())
