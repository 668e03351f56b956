"""An exchange and its people agree (issue 24, item 2).

The rule: a completed, published exchange cannot have released someone whose custody on file is still open at its
date. It is refused, naming the conflict and what to do, on every path: the admin's exchange form and its inline, the
API (exchange and detention), the one-screen case entry and the dataset import. Nothing is closed behind the editor's
back: ending the custody is theirs to do, citing the exchange's sources.
"""

import datetime

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from exchanges.models import Exchange, ExchangeParticipant
from tests.admin_helpers import add_inline_rows, form_errors, inline_management_data, inline_prefix
from tests.factories import DetentionFactory, ExchangeFactory, ParticipantFactory, SourceFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def held():
    """Held by Iran since 1 March 2025, custody still open on file."""
    detention = DetentionFactory(detainee__name="Craig Foreman", held_by="IR", detained_on=D(2025, 3, 1))
    detention.sources.add(SourceFactory())
    detention.detainee.sources.add(SourceFactory())
    return detention


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    return client


def exchange_body(person, **extra):
    return {
        "name": "December 2025 release", "date": "2025-12-01", "status": "completed", "is_published": True,
        "sources": [SourceFactory().pk],
        "participants": [{"detainee": person.pk, "released_by": "IR", "received_by": "GB"}], **extra,
    }  # fmt: skip


def test_api_refuses_a_completed_published_exchange_of_someone_still_held(editor_api, held):
    response = editor_api.post("/api/v1/exchanges/", exchange_body(held.detainee), format="json")
    assert response.status_code == 400, response.content
    message = response.json()["participants"][0]
    assert "Craig Foreman is still held by Iran since 1 March 2025" in message and "exchanged" in message
    assert not Exchange.objects.exists()


def test_api_accepts_it_once_the_custody_is_ended_and_a_proposed_exchange_at_once(editor_api, held):
    proposed = editor_api.post("/api/v1/exchanges/", exchange_body(held.detainee, status="proposed"), format="json")
    assert proposed.status_code == 201, proposed.content
    held.released_on, held.end_reason = D(2025, 12, 1), "exchanged"
    held.save()
    completed = editor_api.post("/api/v1/exchanges/", exchange_body(held.detainee, name="Other"), format="json")
    assert completed.status_code == 201, completed.content


def test_api_refuses_completing_an_exchange_whose_participant_is_still_held(editor_api, held):
    exchange = ExchangeFactory(status="proposed", date=D(2025, 12, 1))
    exchange.sources.add(SourceFactory())
    ParticipantFactory(exchange=exchange, detainee=held.detainee, released_by="IR", received_by="GB")
    response = editor_api.patch(f"/api/v1/exchanges/{exchange.pk}/", {"status": "completed"}, format="json")
    assert response.status_code == 400, response.content
    assert "still held by Iran" in response.json()["status"][0]
    exchange.refresh_from_db()
    assert exchange.status == "proposed"


def test_custody_that_began_after_the_exchange_may_stay_open(editor_api):
    detention = DetentionFactory(held_by="IR", detained_on=D(2026, 2, 1))
    detention.detainee.sources.add(SourceFactory())
    response = editor_api.post("/api/v1/exchanges/", exchange_body(detention.detainee), format="json")
    assert response.status_code == 201, response.content


def test_api_refuses_reopening_the_custody_of_someone_exchanged(editor_api, held):
    held.released_on, held.end_reason = D(2025, 12, 1), "exchanged"
    held.save()
    exchange = ExchangeFactory(date=D(2025, 12, 1))
    exchange.sources.add(SourceFactory())
    ParticipantFactory(exchange=exchange, detainee=held.detainee, released_by="IR", received_by="GB")
    response = editor_api.patch(f"/api/v1/detentions/{held.pk}/", {"released_on": None, "end_reason": ""},
                                format="json")  # fmt: skip
    assert response.status_code == 400, response.content
    assert "completed exchange" in response.json()["released_on"][0]


def test_admin_refuses_adding_someone_still_held_to_a_completed_published_exchange(editor_client, held):
    add_url = reverse("admin:exchanges_exchange_add")
    page = editor_client.get(add_url)
    data = inline_management_data(page)
    data.update({
        "name": "December 2025 release", "status": "completed", "date": "1 December 2025", "date_precision": "day",
        "place": "", "place_country": "", "description": "", "is_published": "on",
        "sources": [str(SourceFactory().pk)],
    })  # fmt: skip
    add_inline_rows(data, inline_prefix(page, "exchangeparticipant"), [
        {"detainee": str(held.detainee.pk), "released_by": "IR", "received_by": "GB"},
    ])  # fmt: skip
    response = editor_client.post(add_url, data)
    assert response.status_code == 200, form_errors(response)
    assert "is still held by Iran since 1 March 2025" in response.content.decode()
    assert not ExchangeParticipant.objects.exists()


@pytest.mark.slow  # merges the whole demo document up to its conflict
def test_dataset_import_refuses_the_conflict():
    """The demo dataset with Griner's custody left open though the Griner–Bout exchange released her."""
    from dataset.backup import DatasetError, merge_dataset
    from dataset.demo import demo_document

    document = demo_document()
    records = document["records"]
    griner = next(r["id"] for r in records["detainees.detainee"] if r["fields"]["name"] == "Brittney Griner")
    detention = next(r for r in records["detainees.detention"] if r["fields"]["detainee"] == griner)
    detention["fields"].update(released_on=None, end_reason="")
    with pytest.raises(DatasetError) as refused:
        merge_dataset(document)
    assert "Brittney Griner is still held by Russia" in str(refused.value)
    assert not ExchangeParticipant.objects.exists()
