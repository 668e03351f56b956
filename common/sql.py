"""Running hot SQL cheaply."""

import contextlib
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
    with connection.cursor() as cursor:
        # The session is known only once the cursor is open: opening it runs Django's health check, which replaces
        # a connection the server closed (a restart, `pg_terminate_backend`) with a new one that knows no statements.
        _run_prepared(connection, key, sql, params, cursor.execute)
        return cursor.fetchall()


def _run_prepared(connection, key, sql: str, params: list, execute) -> None:
    """`execute(text, params)` of the statement named after `key`, prepared first in the same text if this database
    session has not prepared it yet (the cursor must be open)."""
    name = "doc_" + hashlib.sha1(repr(key).encode()).hexdigest()[:16]
    session, prepared = getattr(connection, "_tracker_prepared", (None, set()))
    if session is not connection.connection:  # a new database session knows none of them
        prepared = set()
        connection._tracker_prepared = (connection.connection, prepared)
    text = f"EXECUTE {name} ({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"
    if name not in prepared:
        numbered = iter(range(1, len(params) + 1))
        body = re.sub(r"%s", lambda m: f"${next(numbered)}", sql)  # "%%" stays: the driver unescapes it
        reset = "DEALLOCATE ALL; " * (not prepared and session is not None)
        text = f"{reset}PREPARE {name} AS {body}; {text}"
    try:
        result = execute(text, params)
    except Exception:
        prepared.clear()  # whatever was prepared, start again cleanly on the next call
        raise
    prepared.add(name)
    return result


@contextlib.contextmanager
def prepared_selects(connection):
    """Within the block, each SELECT the ORM sends on `connection` runs as a prepared statement (see
    `execute_prepared`), keyed by its SQL text: for a request made of a handful of small ORM queries (a cold case
    page) whose planning costs PostgreSQL several times what running them does. The ORM still composes each query
    and builds its objects; only planning is saved, once per session and distinct SQL text. Queries with a list of
    ids are sent as they are."""
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        yield
        return

    def wrapper(execute, sql, params, many, context):
        # not a list of ids (`IN (%s, %s, …)`, a statement per length): the session's statements stay few
        if many or not params or not sql.startswith("SELECT ") or ";" in sql or " IN (" in sql:
            return execute(sql, params, many, context)
        return _run_prepared(connection, ("orm", sql), sql, list(params),
                             lambda text, values: execute(text, values, many, context))  # fmt: skip

    with connection.execute_wrapper(wrapper):
        yield
