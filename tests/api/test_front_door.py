"""The API's front door: a root listing every resource, the dump, deletions and docs; docs grouped by resource,
served quickly and with no outside request."""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from config.api_root import RESOURCES, CachedSchemaView
from config.api_urls import router

pytestmark = pytest.mark.django_db

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_root_answers_scripts_with_json_naming_every_resource_and_the_extras(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    data = response.json()
    registered = {prefix for prefix, _, _ in router.registry}
    assert registered <= set(data), registered - set(data)
    assert {name for name, _ in RESOURCES} == registered | {"flows", "census"}  # the descriptions cover every list
    assert data["detainees"] == "http://testserver/api/v1/detainees/"  # the stock root's shape is kept
    assert data["dump"].endswith("/api/v1/dump/") and data["deletions"].endswith("/api/v1/deletions/")
    assert data["changes"].endswith("/api/v1/changes/") and data["releases"].endswith("/api/v1/releases/")
    assert data["docs"].endswith("/api/docs/") and data["schema"].endswith("/api/schema/")
    assert all(r["csv"].endswith("?format=csv") and r["description"] for r in data["resources"])


def test_root_is_a_page_of_the_site_in_a_browser(client):
    response = client.get("/api/v1/", HTTP_ACCEPT=BROWSER)
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "<h1>API, version 1</h1>" in html and '<footer class="site-footer">' in html
    for name, _ in RESOURCES:
        assert f'href="http://testserver/api/v1/{name}/"' in html
    for path in ["/api/v1/dump/", "/api/v1/deletions/", "/api/v1/changes/", "/api/v1/releases/", "/api/docs/",
                 "/api/redoc/", "/api/schema/"]:  # fmt: skip
        assert f'href="http://testserver{path}"' in html


def test_operations_are_grouped_by_resource(client):
    spec = client.get("/api/schema/", {"format": "json"}).json()
    tags = {tag for path in spec["paths"].values() for op in path.values() for tag in op["tags"]}
    assert "v1" not in tags and {"detainees", "exchanges", "sources"} <= tags
    assert spec["paths"]["/api/v1/detainees/"]["get"]["tags"] == ["detainees"]


def test_the_schema_is_generated_once_not_per_visit(client, monkeypatch):
    CachedSchemaView._schemas.clear()
    calls = []
    original = SchemaGenerator.get_schema
    monkeypatch.setattr(SchemaGenerator, "get_schema", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    first = client.get("/api/schema/", {"format": "json"}).content
    second = client.get("/api/schema/", {"format": "json"}).content
    assert first == second and len(calls) == 1


def test_swagger_ui_opens_folded_with_a_filter(client):
    script = client.get("/api/docs/", {"script": ""}).content.decode()
    assert '"docExpansion": "none"' in script and '"filter": true' in script


def test_redoc_makes_no_outside_request_and_runs_no_inline_script(client):
    html = client.get("/api/redoc/").content.decode()
    assert not re.search(r"(src|href)=\"https?://", html) and "googleapis" not in html
    assert re.findall(r"<script[^>]*>(.*?)</script>", html, re.S) == [""]  # one script, loaded from a file


def test_the_schema_is_found_where_a_script_looks_for_it_under_the_api_version(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 301 and response["Location"] == "/api/schema/?format=json"
    assert client.get(response["Location"]).json()["openapi"].startswith("3.")


def test_a_browser_asking_for_favicon_ico_gets_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("/img/favicon.svg")


def test_the_csp_lets_redoc_build_its_search_index_in_a_worker_from_its_own_bundle(client):
    policy = client.get("/api/redoc/")["Content-Security-Policy"]
    worker = next(part.split()[1:] for part in policy.split(";") if part.split()[:1] == ["worker-src"])
    assert set(worker) == {"'self'", "blob:"}  # not any outside host (tests/e2e/test_browser.py searches in it)
