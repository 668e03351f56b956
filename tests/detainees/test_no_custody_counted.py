"""People with no custody on file are counted honestly (issue 24, item 3)."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import DetaineeFactory, DetentionFactory, ExchangeFactory, ParticipantFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    """One person held by Russia with custody on file; one known only from an exchange in which Russia released
    him (as Ilya Yashin is in the demo)."""
    held = DetentionFactory(detainee__name="Held Person", held_by="RU").detainee
    exchange = ExchangeFactory(name="Ankara exchange", date=datetime.date(2024, 8, 1))
    exchange.sources.add(SourceFactory())
    known = DetaineeFactory(name="Exchanged Only")
    ParticipantFactory(exchange=exchange, detainee=known, released_by="RU", received_by="DE")
    return held, known


def test_custody_none_finds_the_people_with_no_custody_on_file_in_the_api_and_on_the_page(client, people):
    held, known = people
    api = client.get("/api/v1/detainees/", {"custody": "none", "fields": "name"}).json()
    assert [r["name"] for r in api["results"]] == ["Exchanged Only"]
    on_file = client.get("/api/v1/detainees/", {"custody": "on_file", "fields": "name"}).json()
    assert [r["name"] for r in on_file["results"]] == ["Held Person"]
    assert client.get("/api/v1/detainees/", {"custody": "maybe"}).status_code == 400
    page = client.get("/detainees/", {"custody": "none"}).content.decode()
    assert "Exchanged Only" in page and "Held Person" not in page


def test_the_ever_held_by_facet_says_how_many_have_no_custody_on_file_and_who_released_them(client, people):
    page = client.get("/detainees/").content.decode()
    assert "1 person with no custody on file</a>, of whom 1 exchanged by Russia" in page
    assert 'href="/detainees/?custody=none"' in page


def test_the_overview_says_how_many_cases_it_cannot_count(client, people):
    page = client.get("/").content.decode()
    assert "1 has no custody on file" in page


def test_the_desk_lists_cases_with_no_custody_on_file(editor_client, people):
    page = editor_client.get(reverse("admin:index")).content.decode()
    assert "No custody on file (1)" in page
    assert "Exchanged Only" in page and "Known from Ankara exchange" in page


def test_an_exchange_on_file_is_a_dated_event_of_the_timeline(client, people):
    _, known = people
    page = client.get(f"/detainees/{known.slug}/").content.decode()
    timeline = page[page.index('id="timeline-h"') :]
    assert "No dated event on file" not in timeline
    assert "Exchanged: released by Russia to Germany" in timeline[:2000]
