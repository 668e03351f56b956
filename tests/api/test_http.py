"""HTTP behaviour a client can rely on: caching headers, conflicting writes, CORS, throttling, bulk download."""

import json

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from detainees.models import Detainee
from tests.factories import DetaineeFactory, ExchangeFactory, ParticipantFactory
from tests.feed import built_dump

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    return client


def test_detail_has_etag_and_last_modified_and_answers_304(client):
    person = DetaineeFactory()
    response = client.get(f"/api/v1/detainees/{person.pk}/")
    etag = response["ETag"]
    assert etag.startswith('"') and response["Last-Modified"].endswith("GMT")
    again = client.get(f"/api/v1/detainees/{person.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and not again.content
    person.description = "changed"
    person.save()
    assert client.get(f"/api/v1/detainees/{person.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_second_editor_with_a_stale_etag_gets_412_and_nothing_is_lost(editor_api):
    person = DetaineeFactory(description="original", is_published=False)
    url = f"/api/v1/detainees/{person.pk}/"
    etag = editor_api.get(url)["ETag"]
    first = editor_api.patch(url, {"description": "first editor"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    second = editor_api.patch(url, {"description": "second editor"}, format="json", HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    assert Detainee.objects.get(pk=person.pk).description == "first editor"
    fresh = editor_api.get(url)["ETag"]
    assert editor_api.patch(url, {"description": "second, reloaded"}, format="json",
                            HTTP_IF_MATCH=fresh).status_code == 200  # fmt: skip
    assert editor_api.delete(url, HTTP_IF_MATCH=etag).status_code == 412
    assert Detainee.objects.filter(pk=person.pk).exists()


def test_cors_is_open_for_reading_only(client):
    response = client.get("/api/v1/detainees/", HTTP_ORIGIN="https://notebook.example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/v1/detainees/", HTTP_ORIGIN="https://x.example.org",
                               HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")  # fmt: skip
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")
    assert "Access-Control-Allow-Origin" not in client.get("/detainees/", HTTP_ORIGIN="https://x.example.org")


def test_anonymous_clients_are_throttled_with_retry_after(client, monkeypatch):
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "3/minute")
    statuses = [client.get("/api/v1/outlets/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/outlets/")
    assert int(response["Retry-After"]) > 0


def test_editors_are_not_throttled_as_anonymous(editor_api, monkeypatch):
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "1/minute")
    assert [editor_api.get("/api/v1/outlets/").status_code for _ in range(3)] == [200, 200, 200]


def _dump(client) -> dict:
    return built_dump(client)


def test_bulk_download_is_the_published_dataset_in_api_shape(client, demo):
    DetaineeFactory(name="Secret Lead", is_published=False)
    ExchangeFactory(name="Hidden Swap", is_published=False)
    dump = _dump(client)
    assert (dump["format"], dump["version"]) == ("prisoner-exchange-tracker/public-dump", 2)
    names = [d["name"] for d in dump["detainees"]]
    assert "Brittney Griner" in names and "Secret Lead" not in names
    assert "Hidden Swap" not in [e["name"] for e in dump["exchanges"]]
    griner = next(d for d in dump["detainees"] if d["name"] == "Brittney Griner")
    assert griner == client.get(f"/api/v1/detainees/{griner['id']}/").json()


def test_bulk_download_leaves_draft_participants_out(client):
    exchange = ExchangeFactory()
    ParticipantFactory(exchange=exchange, detainee=DetaineeFactory(is_published=False))
    shown = ParticipantFactory(exchange=exchange)
    dump = _dump(client)
    assert [p["detainee"] for p in dump["exchanges"][0]["participants"]] == [shown.detainee_id]


def test_export_public_command_writes_the_same_document(demo, tmp_path, capsys):
    path = tmp_path / "dump.json"
    call_command("export_public", str(path))
    dump = json.loads(path.read_text())
    assert len(dump["detainees"]) == 29 and len(dump["exchanges"]) == 4
    assert "Exported" in capsys.readouterr().err
