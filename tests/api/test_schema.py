"""The OpenAPI schema and its docs; schemathesis' generated requests against it are in test_schemathesis.py.

schemathesis is imported by the one test that reads the schema with it: importing it costs seconds of CPU in every
test process that collects this module, and `make check` runs without its pytest plugin."""

import pytest


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


def test_the_schema_links_every_created_record_to_its_operations(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    created = paths["/api/v1/detainees/"]["post"]["responses"]["201"]["links"]
    assert {name: link["operationId"] for name, link in created.items() if "Detainees" in name} == {
        "GetDetainees": "detainees_retrieve", "ReplaceDetainees": "detainees_update",
        "ChangeDetainees": "detainees_partial_update", "DeleteDetainees": "detainees_destroy"}  # fmt: skip
    assert created["ListDetentionsOfDetainee"]["parameters"] == {"detainee": "$response.body#/id"}
    for path, item in paths.items():
        if "post" in item and f"{path}{{id}}/" in paths:
            assert item["post"]["responses"]["201"]["links"], path


@pytest.mark.slow  # imports schemathesis (seconds of CPU), which the unit tier otherwise never loads
def test_schemathesis_loads_the_schemas_links(client):
    import schemathesis

    assert loaded_links(schemathesis.openapi.from_dict(client.get("/api/schema/", {"format": "json"}).json())) > 0


def loaded_links(loaded) -> int:
    machine = loaded.as_state_machine()
    return sum(len(op.outgoing) for op in machine._transitions.operations.values())
