"""Which database a request reads from (the cluster test drives the real replica; this is the rule itself)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from common.routing import ReplicaRouter, read_alias, reads_may_use_replica
from tests.factories import UserFactory

factory = RequestFactory()


def anonymous(request):
    request.user = AnonymousUser()
    return request


def test_only_anonymous_reads_may_use_the_replica(db):
    assert reads_may_use_replica(anonymous(factory.get("/detainees/")))
    assert reads_may_use_replica(anonymous(factory.head("/api/v1/detainees/")))
    assert not reads_may_use_replica(anonymous(factory.post("/api/v1/outlets/")))
    assert not reads_may_use_replica(anonymous(factory.get("/api/v1/outlets/", HTTP_AUTHORIZATION="Token abc")))
    signed_in = factory.get("/detainees/")
    signed_in.user = UserFactory()
    assert not reads_may_use_replica(signed_in)


def test_the_router_reads_where_the_request_says_and_always_writes_to_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(None) == "default"  # outside a request
    token = read_alias.set("replica")
    try:
        assert router.db_for_read(None) == "replica" and router.db_for_write(None) == "default"
    finally:
        read_alias.reset(token)
    assert router.allow_migrate("default", "detainees") and not router.allow_migrate("replica", "detainees")


@pytest.mark.django_db
def test_without_a_replica_everything_reads_from_the_primary(client, settings):
    settings.DB_ALIAS_HEADER = True
    assert client.get("/api/v1/outlets/")["X-Read-Database"] == "default"
    settings.DB_ALIAS_HEADER = False
    assert "X-Read-Database" not in client.get("/api/v1/outlets/")


# ---- neither database a single point of failure (the cluster test stops the real ones) ---------


@pytest.fixture
def with_replica(monkeypatch, settings):
    """A replica alias in name only: `replica_state` is what a check of it would say."""
    from common import routing

    settings.DB_ALIAS_HEADER = True
    monkeypatch.setattr(routing, "has_replica", lambda: True)
    monkeypatch.setattr(routing, "_down_until", {})
    state = {"replica": "ok"}
    monkeypatch.setattr(routing, "replica_state", lambda force=False: state["replica"])
    return state


@pytest.mark.parametrize("replica", ["unreachable", "lagging 30 s"])
def test_anonymous_reads_use_the_primary_while_the_replica_is_unreachable_or_lags(with_replica, replica):
    from common.routing import anonymous_read_alias

    assert anonymous_read_alias() == "replica"
    with_replica["replica"] = replica
    assert anonymous_read_alias() == "default"


def test_a_read_whose_database_fails_meanwhile_is_answered_from_the_other(with_replica, monkeypatch):
    from django.http import HttpResponse

    from common import routing

    monkeypatch.setattr(routing, "failed_on_database", lambda response, alias: response.status_code == 503)
    seen = []

    def view(request):  # the replica goes away after the check said it was fine
        seen.append(read_alias.get())
        return HttpResponse(status=503 if read_alias.get() == "replica" else 200)

    response = routing.ReplicaReadMiddleware(view)(anonymous(factory.get("/api/v1/detainees/")))
    assert (response.status_code, response["X-Read-Database"], seen) == (200, "default", ["replica", "default"])
    assert routing.anonymous_read_alias() == "default"  # avoided for DB_FAILOVER_SECONDS

    routing._down_until.clear()
    routing.mark_down("default")  # the primary failed: reads stay on the replica, even a lagging one
    with_replica["replica"] = "lagging 30 s"
    assert routing.anonymous_read_alias() == "replica"


@pytest.mark.django_db
def test_healthz_says_degraded_and_stays_200_while_one_database_answers(client, with_replica, monkeypatch):
    from django.db import OperationalError

    assert (client.get("/healthz").status_code, client.get("/healthz").json()) == (
        200, {"status": "ok", "primary": "ok", "replica": "ok"})  # fmt: skip
    with_replica["replica"] = "unreachable"
    response = client.get("/healthz")
    assert (response.status_code, response.json()["status"], response.json()["replica"]) == (200, "degraded",
                                                                                            "unreachable")  # fmt: skip

    def refused(*args, **kwargs):
        raise OperationalError("connection refused")

    with_replica["replica"] = "ok"
    from config import views

    monkeypatch.setattr(views.connection, "cursor", refused)
    monkeypatch.setattr(views.connection, "close", lambda: None)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "degraded", "primary": "unreachable",
                                                                "replica": "ok"}  # fmt: skip
    with_replica["replica"] = "unreachable"
    response = client.get("/healthz")
    assert response.status_code == 503 and response["Retry-After"]


@pytest.mark.django_db
def test_a_write_while_the_primary_is_unreachable_is_503_with_retry_after(editor_client, monkeypatch):
    from django.db import OperationalError, transaction

    def refused(self):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(transaction.Atomic, "__enter__", refused)  # the write's block cannot even begin
    response = editor_client.post("/api/v1/outlets/", {"name": "Written while down"}, content_type="application/json")
    monkeypatch.undo()
    assert response.status_code == 503 and response["Retry-After"] == "5"
