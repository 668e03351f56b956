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
