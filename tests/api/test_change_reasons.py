"""Reasons travel with every API write: the header `X-Change-Reason` or the body field `change_reason` (the field
wins), recorded in history as the admin records its reason, and shown in the public corrections list."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from detainees.models import Detainee, Detention
from exchanges.models import Exchange
from tests.factories import DetaineeFactory, DetentionFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    return client


def published_case():
    source = SourceFactory()
    person = DetaineeFactory(description="basketball player", is_published=False)
    person.sources.add(source)
    detention = DetentionFactory(detainee=person, place="Moscow")
    detention.sources.add(source)
    person.is_published = True
    person.save()
    return person, detention


def corrections(client, person) -> str:
    return client.get(reverse("detainees:detainee-detail", args=[person.slug])).content.decode()


def test_a_reason_in_the_header_is_recorded_and_shown_to_the_public(editor_api, editor, client):
    person, _ = published_case()
    response = editor_api.patch(reverse("api:detainee-detail", args=[person.pk]), {"description": "WNBA centre"},
                                format="json", HTTP_X_CHANGE_REASON="Corrected the occupation per ESPN")  # fmt: skip
    assert response.status_code == 200, response.content
    latest = person.history.first()
    assert (latest.history_user, latest.history_change_reason) == (editor, "Corrected the occupation per ESPN")
    assert "Corrected the occupation per ESPN" in corrections(client, person)


def test_a_reason_in_the_body_is_recorded_on_a_nested_record_and_the_field_wins(editor_api, client):
    person, detention = published_case()
    response = editor_api.patch(reverse("api:detention-detail", args=[detention.pk]),
                                {"place": "IK-2 Yavas", "change_reason": "Moved to a penal colony (Reuters)"},
                                format="json", HTTP_X_CHANGE_REASON="the header loses")  # fmt: skip
    assert response.status_code == 200, response.content
    assert "change_reason" not in response.json()
    assert Detention.history.filter(id=detention.pk).first().history_change_reason == (
        "Moved to a penal colony (Reuters)"
    )
    page = corrections(client, person)
    assert "Moved to a penal colony (Reuters)" in page and "the header loses" not in page


def test_every_row_of_a_nested_write_carries_the_reason(editor_api):
    source = SourceFactory()
    a, b = DetaineeFactory(is_published=False), DetaineeFactory(is_published=False)
    response = editor_api.post(reverse("api:exchange-list"), {
        "name": "Test swap", "date": "2024-08-01", "status": "completed", "sources": [source.pk],
        "participants": [{"detainee": a.pk, "released_by": "RU", "received_by": "US"},
                         {"detainee": b.pk, "released_by": "US", "received_by": "RU"}],
        "change_reason": "Entered from the White House statement",
    }, format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    exchange = Exchange.objects.get(pk=response.json()["id"])
    assert exchange.history.first().history_change_reason == "Entered from the White House statement"
    participants = exchange.participants.model.history.filter(exchange_id=exchange.pk)
    assert participants.count() == 2
    assert set(participants.values_list("history_change_reason", flat=True)) == {
        "Entered from the White House statement"
    }


def test_a_deletion_carries_its_reason(editor_api):
    person = DetaineeFactory(is_published=False)
    response = editor_api.delete(reverse("api:detainee-detail", args=[person.pk]),
                                 HTTP_X_CHANGE_REASON="Entered twice")  # fmt: skip
    assert response.status_code == 204
    assert Detainee.history.filter(id=person.pk, history_type="-").get().history_change_reason == "Entered twice"


def test_non_latin_reasons_come_through_the_header(editor_api):
    person = DetaineeFactory(is_published=False)
    url = reverse("api:detainee-detail", args=[person.pk])
    encoded = "UTF-8''%D0%98%D1%81%D0%BF%D1%80%D0%B0%D0%B2%D0%BB%D0%B5%D0%BD%D0%BE"  # "Исправлено"
    assert editor_api.patch(url, {"description": "a"}, format="json", HTTP_X_CHANGE_REASON=encoded).status_code == 200
    assert person.history.first().history_change_reason == "Исправлено"


@pytest.mark.parametrize(
    ("body", "header", "field"),
    [
        ({"change_reason": "x" * 101}, None, "change_reason"),
        ({"change_reason": 5}, None, "change_reason"),
        ({}, "y" * 101, "X-Change-Reason"),
        ({}, "UTF-8''%FF%FE", "X-Change-Reason"),
    ],
)
def test_a_reason_that_cannot_be_recorded_is_a_400_naming_it_and_nothing_is_saved(editor_api, body, header, field):
    person = DetaineeFactory(description="before", is_published=False)
    extra = {"HTTP_X_CHANGE_REASON": header} if header else {}
    response = editor_api.patch(reverse("api:detainee-detail", args=[person.pk]), {"description": "after", **body},
                                format="json", **extra)  # fmt: skip
    assert response.status_code == 400
    assert list(response.json()) == [field]
    person.refresh_from_db()
    assert person.description == "before"


def test_a_reason_of_exactly_the_limit_is_kept_whole(editor_api):
    person = DetaineeFactory(is_published=False)
    reason = "z" * 100
    response = editor_api.patch(reverse("api:detainee-detail", args=[person.pk]),
                                {"description": "after", "change_reason": reason}, format="json")  # fmt: skip
    assert response.status_code == 200
    assert person.history.first().history_change_reason == reason


def test_the_schema_documents_the_header(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    patch = schema["paths"]["/api/v1/detainees/{id}/"]["patch"]
    assert any(p["name"] == "X-Change-Reason" and p["in"] == "header" for p in patch["parameters"])
