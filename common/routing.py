"""Anonymous reads from a read replica, everything else from the primary.

With `DATABASE_REPLICA_URL` set there is a second database alias, `replica` (a streaming standby of the primary).
`ReplicaReadMiddleware` decides once per request which alias reads use, and `ReplicaRouter` applies it:

- an anonymous GET/HEAD/OPTIONS (no signed-in session, no `Authorization` header) reads from `replica`: pages, API
  reads, the data version its cache keys are built from — all from one consistent snapshot of the standby;
- every write, and every read of a signed-in editor (session or token), goes to `default`, the primary, so an
  editor sees their own change at once (read-your-writes) however far the replica lags;
- outside a request (commands, migrations, tests) everything uses `default`.

Without a replica the router sends everything to `default`. `DB_ALIAS_HEADER=true` names the alias reads used in
an `X-Read-Database` response header (for the cluster test and for operators; off by default).

Neither database is a single point of failure for anonymous reads:

- the replica is checked at most once a second per process (one query: is it answering, how far behind is its
  replay); while it is unreachable or lags more than `DB_REPLICA_MAX_LAG_SECONDS` (default 10), anonymous reads
  use the primary;
- an anonymous read that fails because its database went away meanwhile (a 503 from a connection error) is
  answered again from the other database, and that one is preferred for `DB_FAILOVER_SECONDS` (default 5) — so
  when the primary is unreachable, reads keep coming from the replica, however far it lags, while writes answer
  503 with `Retry-After` (common.middleware);
- `/healthz` says which database answers: 200 `ok`, 200 `degraded` (one of them down or the replica lagging:
  the server still serves, and a load balancer must keep sending it traffic), 503 only when neither answers.
"""

import logging
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils.connection import ConnectionDoesNotExist

logger = logging.getLogger(__name__)

REPLICA = "replica"
read_alias: ContextVar[str] = ContextVar("read_alias", default="default")


def has_replica() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_alias.get()

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"  # the replica follows the primary's schema by streaming


def reads_may_use_replica(request) -> bool:
    if request.method not in ("GET", "HEAD", "OPTIONS") or request.headers.get("Authorization"):
        return False
    user = getattr(request, "user", None)  # reads the session (from the primary) only when a cookie is sent
    return not (user is not None and user.is_authenticated)


# Lag of the replica's replay: none when it has replayed all it received, else the age of the last transaction it
# replayed (on an idle primary nothing new arrives, and the replica is current however old that transaction is).
# All it received includes a WAL segment switch's padding: after a switch (the end of a pg_basebackup, an
# archive_timeout) the received position is the next segment's start while replay stops at the switch record in
# the segment before, and stays there until the primary writes again; an idle primary then read as "lagging" by
# the age of its last commit, and the replica was avoided (CI, the cluster test's healthz: "lagging 18 s").
LAG_SQL = ("SELECT CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() "
           "OR ((pg_last_wal_receive_lsn() - '0/0'::pg_lsn) % seg = 0 "
           "AND floor((pg_last_wal_replay_lsn() - '0/0'::pg_lsn) / seg) "
           "= floor((pg_last_wal_receive_lsn() - '0/0'::pg_lsn) / seg) - 1) THEN 0 "
           "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END "
           "FROM (SELECT pg_size_bytes(current_setting('wal_segment_size'))::numeric AS seg) wal")  # fmt: skip

_lock = threading.Lock()
_replica_checked_at = -1e9
_replica_state = "ok"  # "ok", "unreachable" or "lagging N s"
_down_until: dict[str, float] = {}  # alias → until when (monotonic) a failed database is avoided


def replica_state(force: bool = False) -> str:
    """"ok", "unreachable" or "lagging N s": checked at most once a second per process (`force` checks now)."""
    global _replica_checked_at, _replica_state
    now = time.monotonic()
    if not force and now - _replica_checked_at < settings.DB_REPLICA_CHECK_SECONDS:
        return _replica_state
    with _lock:
        if not force and now - _replica_checked_at < settings.DB_REPLICA_CHECK_SECONDS:
            return _replica_state
        _replica_checked_at = now
        connection = connections[REPLICA]
        try:
            with connection.cursor() as cursor:
                cursor.execute(LAG_SQL)
                lag = float(cursor.fetchone()[0] or 0)
        except DatabaseError as error:
            logger.warning("Replica unreachable: %s", error)
            _close(REPLICA)
            _replica_state = "unreachable"
        else:
            _replica_state = "ok" if lag <= settings.DB_REPLICA_MAX_LAG_SECONDS else f"lagging {lag:.0f} s"
        return _replica_state


def _close(alias: str) -> None:
    try:
        connections[alias].close()
    except (DatabaseError, ConnectionDoesNotExist):
        pass


def is_down(alias: str) -> bool:
    return _down_until.get(alias, 0) > time.monotonic()


def mark_down(alias: str) -> None:
    _down_until[alias] = time.monotonic() + settings.DB_FAILOVER_SECONDS
    _close(alias)


def anonymous_read_alias() -> str:
    """The replica while it answers and keeps up; the primary otherwise — unless the primary itself just failed."""
    if is_down("default"):
        return REPLICA
    if is_down(REPLICA) or replica_state() != "ok":
        return "default"
    return REPLICA


def failed_on_database(response, alias: str) -> bool:
    """Whether a response is the 503 of a connection error on `alias` (common.middleware's DatabaseUnavailable)."""
    return response.status_code == 503 and getattr(connections[alias], "errors_occurred", False)


class ReplicaReadMiddleware:
    """After AuthenticationMiddleware: picks the read alias for the whole request (see the module docstring), and
    answers an anonymous read again from the other database when the one it used went away meanwhile."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        anonymous_read = has_replica() and reads_may_use_replica(request)
        alias = anonymous_read_alias() if anonymous_read else "default"
        response = self.read(request, alias)
        if anonymous_read and failed_on_database(response, alias):
            mark_down(alias)
            alias = "default" if alias == REPLICA else REPLICA
            logger.warning("Reads fail over to %s for %s s", alias, settings.DB_FAILOVER_SECONDS)
            response = self.read(request, alias)
        if settings.DB_ALIAS_HEADER:
            response["X-Read-Database"] = alias
        return response

    def read(self, request, alias: str):
        token = read_alias.set(alias)
        try:
            return self.get_response(request)
        finally:
            read_alias.reset(token)
