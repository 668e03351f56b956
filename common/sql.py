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
