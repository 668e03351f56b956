"""h59: "released by United States of America" lacked "the". In running English text a country whose name takes
the article has it (the United States of America, the United Kingdom, the Netherlands, the Philippines, the United
Arab Emirates, the Central African Republic, the Democratic Republic of the Congo, the Czech Republic, ...); lists,
menus and headings keep the bare name, and Russian has no article."""

import datetime

import pytest
from django.utils import translation

from common.text import in_sentence
from tests.factories import DetaineeFactory, DetentionFactory, ParticipantFactory


@pytest.mark.parametrize(
    "name",
    ["United States of America", "United Kingdom", "Netherlands", "Philippines", "United Arab Emirates",
     "Central African Republic", "Democratic Republic of the Congo", "Czech Republic", "Dominican Republic",
     "Gambia", "Maldives", "Solomon Islands", "Comoros", "Seychelles"],
)  # fmt: skip
def test_names_that_take_the_article_get_it_in_english(name):
    with translation.override("en-gb"):
        assert in_sentence(name) == f"the {name}"


@pytest.mark.parametrize("name", ["Russia", "Belarus", "Iran", "Germany", "Hamas", "Czechia", "", "United Front X"])
def test_other_names_and_groups_stay_as_they_are(name):
    with translation.override("en-gb"):
        assert in_sentence(name) == name


def test_russian_has_no_article():
    with translation.override("ru"):
        assert in_sentence("Соединённые Штаты Америки") == "Соединённые Штаты Америки"
        assert in_sentence("United States of America") == "United States of America"


@pytest.mark.django_db
def test_a_case_page_says_released_by_the_united_states(client):
    person = DetaineeFactory(name="Viktor Bout Test")
    DetentionFactory(detainee=person, held_by="US", detained_on=datetime.date(2008, 3, 6),
                     released_on=datetime.date(2022, 12, 8), end_reason="exchanged")  # fmt: skip
    ParticipantFactory(detainee=person, released_by="US", received_by="RU")
    html = client.get(person.get_absolute_url()).content.decode()
    assert "released by the United States of America to Russia" in html
    assert "released by United States of America" not in html
    assert "Held by the United States of America" not in html or "Exchanged" in html
    ru = client.get("/ru" + person.get_absolute_url()).content.decode()
    assert "the United States" not in ru


def test_the_names_are_looked_up_once_per_language_not_per_call(monkeypatch):
    """h63: each call looked up 27 country names (~11,000 look-ups a cold case page, 10% of its Python calls)."""
    import django_countries

    from common import text

    asked = []
    name = django_countries.Countries.name
    monkeypatch.setattr(django_countries.Countries, "name", lambda self, code: asked.append(code) or name(self, code))
    text._THE_BY_LANGUAGE.clear()
    with translation.override("en-gb"):
        for _ in range(50):
            assert in_sentence("Netherlands") == "the Netherlands"
            assert in_sentence("Russia") == "Russia"
    assert len(asked) <= len(text._THE_CODES)
