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
"""

from contextvars import ContextVar

from django.conf import settings
from django.db import connections

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


class ReplicaReadMiddleware:
    """After AuthenticationMiddleware: picks the read alias for the whole request (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        alias = REPLICA if has_replica() and reads_may_use_replica(request) else "default"
        token = read_alias.set(alias)
        try:
            response = self.get_response(request)
        finally:
            read_alias.reset(token)
        if settings.DB_ALIAS_HEADER:
            response["X-Read-Database"] = alias
        return response
