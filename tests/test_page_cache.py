"""Public pages are rendered once per data version for anonymous visitors, never for editors."""

import datetime

import pytest
from django.test import Client, override_settings

from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db


def test_a_page_is_served_from_the_cache_until_any_record_changes():
    person = DetaineeFactory(name="Paul Whelan", is_published=True)
    client = Client()
    first = client.get(person.get_absolute_url())
    assert first["X-Page-Cache"] == "miss" and "Status unknown" in first.content.decode()
    again = client.get(person.get_absolute_url())
    assert again["X-Page-Cache"] == "hit" and again.content == first.content
    assert again["Content-Security-Policy"]  # headers still come from the middleware on every response
    DetentionFactory(detainee=person, held_by="RU", detained_on=datetime.date(2018, 12, 28))
    fresh = client.get(person.get_absolute_url())
    assert fresh["X-Page-Cache"] == "miss" and "Held by Russia since 28 December 2018" in fresh.content.decode()
    person.delete()
    assert client.get(person.get_absolute_url()).status_code == 404


def test_query_strings_are_pages_of_their_own():
    DetaineeFactory(name="Anna Orlova", is_published=True)
    client = Client()
    assert "Anna Orlova" in client.get("/detainees/").content.decode()
    assert "Anna Orlova" not in client.get("/detainees/", {"q": "whelan"}).content.decode()


def test_editors_never_get_a_cached_page(editor):
    person = DetaineeFactory(name="Secret Lead", is_published=True)
    Client().get(person.get_absolute_url())  # cached for the public
    person.is_published = False
    person.save()
    assert Client().get(person.get_absolute_url()).status_code == 404
    staff = Client()
    staff.force_login(editor)
    response = staff.get(person.get_absolute_url())
    assert response.status_code == 200 and "X-Page-Cache" not in response and "Draft" in response.content.decode()


@override_settings(PAGE_CACHE_SECONDS=0)
def test_the_cache_can_be_turned_off():
    person = DetaineeFactory(is_published=True)
    assert "X-Page-Cache" not in Client().get(person.get_absolute_url())
