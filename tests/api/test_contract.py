"""Issue 13: the API contract a script author can trust — no 500s, errors in JSON, CSV that is complete and safe,
stable paging, sync that misses nothing, filters that combine, search as one types."""

import csv
import io

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import (
    DetaineeFactory,
    ExchangeFactory,
    OutletFactory,
    ParticipantFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    return client


def body_of(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body_of(response).lstrip("\ufeff"))))


# ---- 1. no 500, every error in JSON ---------------------------------------------------------------------------


def test_deleting_a_referenced_record_is_a_409_naming_what_refers_to_it(editor_api):
    outlet = OutletFactory()
    source = SourceFactory(outlet=outlet)
    response = editor_api.delete(f"/api/v1/outlets/{outlet.pk}/")
    assert response.status_code == 409 and response["Content-Type"] == "application/json"
    assert response.json()["referenced_by"] == [{"resource": "sources", "ids": [source.pk]}]
    person = DetaineeFactory()
    exchange = ExchangeFactory()
    participant = ParticipantFactory(exchange=exchange, detainee=person)
    response = editor_api.delete(f"/api/v1/detainees/{person.pk}/")
    assert response.status_code == 409
    assert response.json()["referenced_by"] == [{"resource": "exchange participants", "ids": [participant.pk]}]
    assert "detail" in response.json()


@pytest.mark.parametrize("path", ["/api/v1/detainees/", "/api/v1/exchanges/", "/api/v1/sources/"])
def test_a_deeply_nested_body_is_a_400_not_a_500(editor_api, path):
    response = editor_api.generic("POST", path, "[" * 5000, content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()


def test_unknown_api_paths_are_json_404(api):
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_server_error_under_api_is_json(monkeypatch):
    from detainees.api import DetaineeViewSet

    def explode(self, request, *args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(DetaineeViewSet, "list", explode)
    client = APIClient(raise_request_exception=False)
    response = client.get("/api/v1/detainees/")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    html = APIClient(raise_request_exception=False).get("/no-such-page/")
    assert html.status_code == 404 and html["Content-Type"].startswith("text/html")
