"""/api/schema/ opened in a browser is shown as text, not downloaded; scripts still get YAML or JSON."""

import pytest
import yaml

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


def test_a_browser_is_shown_the_schema_as_text(client):
    response = client.get("/api/schema/", HTTP_ACCEPT=BROWSER)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert "Accept" in response["Vary"]
    body = response.content.decode()
    assert "/api/docs/" in body.split("\n", 1)[0]  # a first line pointing at the readable docs
    assert yaml.safe_load(body)["openapi"].startswith("3.")  # still the YAML schema


@pytest.mark.parametrize(
    "accept, content_type",
    [
        ("*/*", "application/vnd.oai.openapi"),
        ("application/json", "application/json"),
        ("application/vnd.oai.openapi+json", "application/vnd.oai.openapi+json"),
        ("application/yaml", "application/yaml"),
    ],
)
def test_scripts_get_yaml_or_json_as_they_ask(client, accept, content_type):
    response = client.get("/api/schema/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == content_type


def test_a_format_asked_for_wins_over_a_browsers_accept(client):
    response = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT=BROWSER)
    assert response["Content-Type"].split(";")[0] in {"application/json", "application/vnd.oai.openapi+json"}
    assert response.json()["openapi"].startswith("3.")
