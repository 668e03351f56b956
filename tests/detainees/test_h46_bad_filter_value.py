"""A bad filter value on a list page: the error names the field as the page labels it, and the facets stay."""

import datetime

import pytest

from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def held():
    person = DetaineeFactory(name="Held In Russia", is_published=True)
    DetentionFactory(detainee=person, held_by="RU", detained_on=datetime.date(2020, 1, 1))
    return person


def test_a_bad_day_is_named_by_its_label_not_its_code_name(client, held):
    response = client.get("/detainees/", {"held_on": "2024-13-45"})
    assert response.status_code == 400
    errors = response.content.decode().split('class="errors"')[1].split("</div>")[0]
    assert "In custody on" in errors
    assert "held_on" not in errors


def test_a_bad_day_is_named_in_russian_on_the_russian_page(client, held):
    response = client.get("/ru/detainees/", {"held_on": "2024-13-45"})
    errors = response.content.decode().split('class="errors"')[1].split("</div>")[0]
    assert "Под стражей на дату" in errors and "held_on" not in errors


def test_a_bad_day_keeps_the_facets_counted_without_it_and_says_so(client, held):
    response = client.get("/detainees/", {"held_on": "2024-13-45", "held_by": "RU"})
    assert response.status_code == 400
    facets = response.context["facets"]
    assert facets, "the facets disappeared"
    holders = {value: count for value, _label, count, _selected in facets["held_by"]}
    assert holders["RU"] == 1
    assert response.context["result_count"] == 1  # the other filters still apply
    assert "not applied" in response.content.decode()


def test_the_bad_day_message_is_in_the_pages_language(client, held):
    russian = client.get("/ru/detainees/", {"held_on": "2024-13-45"}).content.decode()
    errors = russian.split('class="errors"')[1].split("</div>")[0]
    assert "ГГГГ-ММ-ДД" in errors and "Enter a date" not in errors
    english = client.get("/detainees/", {"held_on": "2024-02-30"}).content.decode()  # the form is right, the day not
    assert "Enter a date that exists, as YYYY-MM-DD" in english.split('class="errors"')[1].split("</div>")[0]
    api = client.get("/api/v1/detainees/", {"held_on": "2024-13-45"})  # the API speaks as Accept-Language asks
    assert api.status_code == 400
    assert api.json()["held_on"] == ["Enter a date that exists, as YYYY-MM-DD, e.g. 2024-08-01."]
