"""The OpenAPI schema, and a property-based run of schemathesis against it."""

import pytest
import schemathesis
import schemathesis.checks as checks
from hypothesis import HealthCheck, settings

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@schema.hook
def map_query(context, query):
    """Parameters whose 400s a schema cannot express, each tested on its own in test_api.py and test_contract.py:
    `fields` names serializer fields (unknown ones are a 400), `page` past the last page is a 400, as the contract
    asks, and a `cursor` is an opaque token from a `next` link (an empty one starts)."""
    if query:
        query.pop("fields", None)
        query.pop("page", None)
        if "cursor" in query:
            query["cursor"] = ""
    return query


def test_schema_and_docs_are_served_offline(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    params = {p["name"] for p in spec["paths"]["/api/v1/detainees/"]["get"]["parameters"]}
    contract = {"q", "citizenship", "held_by", "held_on", "status", "charge_category", "designation",
                "detained_from", "detained_to", "exchange", "updated_since", "ordering"}  # fmt: skip
    assert contract | {"page", "page_size", "fields", "format"} <= params
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()  # served from our own static files (sidecar)


@pytest.fixture
def published_data(demo):
    """The demo cases, and the real WSGI app kept from closing the test's database connection after each request
    (Django's test client does the same; on PostgreSQL the closed connection would break the test transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    from tests.factories import DetaineeFactory

    for person in DetaineeFactory.create_batch(3):  # tombstones, so /deletions/ has pages to read
        person.delete()
    yield demo
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.include(method="GET").parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_api_reads_never_fail_and_match_the_schema(case, published_data):
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path} {case.query}: {response.status_code}"
    # Reads are public by design, so "ignored_auth" does not apply, and an empty parameter means "not given"
    # (HTML forms send empty fields), which "negative_data_rejection" would call a miss. Every other check runs,
    # positive_data_acceptance included: a request the schema calls valid must not be refused.
    case.validate_response(response, excluded_checks=[checks.ignored_auth, checks.negative_data_rejection])
