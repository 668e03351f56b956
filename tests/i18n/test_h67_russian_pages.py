"""English left unmarked on /ru/ pages, as a new user read them (h67): a disputed value ("Grodno", "none",
"2020-07-28"), the source's language ("Язык: Bulgarian"), group names on /ru/flows/ and the exchanges list, officials'
roles, the screen-reader text of a selected filter, "[source needed]". Words of the site are translated; text on file
in English is marked lang="en"."""

import datetime

import pytest
from django.core.cache import cache
from django.test import override_settings

from detainees.models import Detainee, Group
from exchanges.models import ExchangeParticipant
from sources.models import Claim, Official
from tests.factories import DetaineeFactory, DetentionFactory, ExchangeFactory, SourceFactory

pytestmark = pytest.mark.django_db


def flat(html: str) -> str:
    return " ".join(html.split())


@override_settings(PAGE_CACHE_SECONDS=0, CASE_DOCUMENTS=False)
def test_disputed_values_are_in_the_pages_language_or_marked_english(client):
    person = DetaineeFactory(name="Vitali Shkliarov", is_published=True)
    person.sources.add(SourceFactory())
    detention = DetentionFactory(detainee=person, held_by="BY", detained_on=datetime.date(2020, 7, 29),
                                 released_on=datetime.date(2020, 10, 31), end_reason="released")  # fmt: skip
    detention.sources.add(SourceFactory())
    for field, value in (("place", "Grodno"), ("place", "Minsk"), ("detained_on", "2020-07-28"),
                         ("detained_on", "2020-07")):  # fmt: skip
        Claim.objects.create(record=detention, field=field, value=value, source=SourceFactory())
    exchange = ExchangeFactory(is_published=True, mediators=["AE"])
    exchange.sources.add(SourceFactory())
    for value in ("AE, SA", "none"):
        Claim.objects.create(record=exchange, field="mediators", value=value, source=SourceFactory())
    cache.clear()
    page = flat(client.get(f"/ru/detainees/{person.slug}/").content.decode())
    assert 'Спорно: <span lang="en">Grodno</span>' in page and '<span lang="en">Minsk</span>' in page
    assert "28 июля 2020 г." in page and "июль 2020 г." in page and "2020-07-28" not in page
    english = flat(client.get(f"/detainees/{person.slug}/").content.decode())
    assert "Disputed: 28 July 2020" in english and "Grodno" in english and 'lang="en"' not in english.split(
        "Disputed:", 1)[1][:200]  # fmt: skip
    shown = flat(client.get(f"/ru/exchanges/{exchange.slug}/").content.decode())
    assert "Спорно: Объединенные Арабские Эмираты, Саудовская Аравия" in shown
    assert "none" not in shown.split("Спорно:", 1)[1].split("</dd>", 1)[0]
    assert "; нет" in shown and "<strong>Посредники</strong>: нет" in shown
    assert "; none" in flat(client.get(f"/exchanges/{exchange.slug}/").content.decode())


@override_settings(PAGE_CACHE_SECONDS=0)
def test_a_sources_language_is_named_in_the_pages_language(client):
    source = SourceFactory(language="bg")
    assert "<dd>болгарский</dd>" in client.get(f"/ru/sources/{source.pk}/").content.decode()
    assert "<dd>Bulgarian</dd>" in client.get(f"/sources/{source.pk}/").content.decode()


@override_settings(PAGE_CACHE_SECONDS=0)
def test_group_names_and_officials_roles_are_marked_english_on_russian_pages(client):
    group = Group.objects.create(name="Donetsk People's Republic", kind="armed_group")
    person = DetaineeFactory(name="Aiden Aslin", is_published=True)
    DetentionFactory(detainee=person, held_by="", held_by_group=group, detained_on=datetime.date(2022, 4, 12))
    exchange = ExchangeFactory(is_published=True, status="completed", date=datetime.date(2022, 9, 21))
    ExchangeParticipant.objects.create(exchange=exchange, detainee=person, released_by_group=group, received_by="SA")
    Detainee.objects.filter(pk=person.pk).refresh_status()
    Official.objects.create(name="Antony Blinken", country="US", role="Secretary of State")
    cache.clear()
    named = '<span lang="en">Donetsk People&#x27;s Republic</span>'
    assert f'<th scope="row">{named} <span aria-hidden="true">' in client.get("/ru/flows/").content.decode()
    assert f"{named} → Саудовская Аравия" in client.get("/ru/exchanges/").content.decode()
    assert f"под стражей ({named})" in client.get("/ru/detainees/").content.decode()
    assert '<span lang="en">Secretary of State</span>' in client.get("/ru/officials/").content.decode()
    english = client.get("/flows/").content.decode()
    assert '<th scope="row">Donetsk People&#x27;s Republic <span' in english


@override_settings(PAGE_CACHE_SECONDS=0)
def test_the_selected_filters_screen_reader_text_and_source_needed_are_russian(client):
    DetentionFactory(detainee=DetaineeFactory(is_published=True), held_by="RU", detained_on=datetime.date(2022, 1, 1))
    cache.clear()
    page = client.get("/ru/detainees/", {"status": "held"}).content.decode()
    assert '<span class="visually-hidden">, выбрано: снять этот фильтр</span>' in page
    assert "remove this filter" not in page
    from django.utils import translation

    from common.templatetags.tracker import cite_html

    class NoCitations:
        def refs(self, sources):
            return []

    with translation.override("ru"):
        assert cite_html(NoCitations(), SourceFactory()) == (
            '<sup class="cite cite-missing" title="Источник не внесён">[нужен источник]</sup>'
        )
    with translation.override("en"):
        assert "[source needed]" in cite_html(NoCitations(), SourceFactory())
