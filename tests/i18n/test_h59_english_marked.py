"""h59: on /ru/ pages, text on file in English only (a place, a statute, a facility, a lawyer's name, an authority, a
court, a group's name, a speaker, a source's headline) is marked `lang="en"`, so that a screen reader reads it as
English and the browser does not hyphenate it by Russian rules. Text on file in Cyrillic is not marked; English pages
are as they were."""

from html.parser import HTMLParser

import pytest

from detainees.models import Counsel, Group
from tests.factories import (
    ChargeFactory,
    DesignationFactory,
    DetaineeFactory,
    DetentionFactory,
    ExchangeFactory,
    ParticipantFactory,
    SentenceFactory,
    SourceFactory,
    StatementFactory,
    TransferFactory,
)

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Langs(HTMLParser):
    """The language in force (the nearest `lang` attribute) at each run of text in <body>."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, str | None]] = []
        self.runs: list[tuple[str, str]] = []
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.in_body and data.strip():
            lang = next((lang for _tag, lang in reversed(self.stack) if lang), "")
            self.runs.append((data, lang))


def languages_of(html: str, text: str) -> set[str]:
    parser = _Langs()
    parser.feed(html)
    found = {lang for data, lang in parser.runs if text in data}
    assert found, f"{text!r} is not on the page"
    return found


def case_with_english_facts():
    source = SourceFactory(title="Whelan appeal rejected", outlet__name="The Moscow Times")
    group = Group.objects.create(name="Kataib Hezbollah Test")
    person = DetaineeFactory(name="Paul Whelan Test", aliases=["P. Whelan", "Пол Уилан"])
    detention = DetentionFactory(detainee=person, place="Sheremetyevo airport", circumstances="sting operation")
    DetentionFactory(detainee=person, held_by="", held_by_group=group, place="Baghdad",
                     detained_on="2023-03-21", released_on="2023-09-01", end_reason="released")  # fmt: skip
    detention.sources.add(source)
    ChargeFactory(detention=detention, statute="Criminal Code art. 276").sources.add(source)
    SentenceFactory(detention=detention, court="Moscow City Court").sources.add(source)
    SentenceFactory(detention=detention, court="Лефортовский районный суд", sentenced_on="2022-09-01")
    TransferFactory(detention=detention, facility_name="Penal colony IK-17, Mordovia").sources.add(source)
    Counsel.objects.create(detention=detention, name="Olga Karlova")
    DesignationFactory(detainee=person, authority="US State Department Test").sources.add(source)
    StatementFactory(speaker="Antony Blinken Test", speaker_role="Secretary of State", quote="We want him home.",
                     source=source).detainees.add(person)  # fmt: skip
    return person


ENGLISH_ON_A_CASE = [
    "Paul Whelan Test",  # no Russian name on file: the heading is the English name
    "P. Whelan",
    "Sheremetyevo airport",
    "sting operation".capitalize(),
    "Kataib Hezbollah Test",
    "Criminal Code art. 276",
    "Moscow City Court",
    "Penal colony IK-17, Mordovia",
    "Olga Karlova",
    "US State Department Test",
    "Antony Blinken Test",
    "Secretary of State",
    "We want him home.",
    "Whelan appeal rejected",
    "The Moscow Times",
]


@pytest.mark.parametrize("text", ENGLISH_ON_A_CASE)
def test_english_only_facts_on_a_russian_case_page_are_marked_english(client, text):
    person = case_with_english_facts()
    html = client.get("/ru" + person.get_absolute_url()).content.decode()
    assert languages_of(html, text) == {"en"}


def test_cyrillic_facts_on_a_russian_case_page_stay_russian_and_the_english_page_is_unmarked(client):
    person = case_with_english_facts()
    ru = client.get("/ru" + person.get_absolute_url()).content.decode()
    assert languages_of(ru, "Лефортовский районный суд") == {"ru"}
    assert languages_of(ru, "Пол Уилан") == {"ru"}
    en = client.get(person.get_absolute_url()).content.decode()
    assert languages_of(en, "Sheremetyevo airport") == {"en"}  # the page's own language
    assert 'lang="en">Sheremetyevo airport' not in en


def test_english_only_facts_on_a_russian_exchange_page_are_marked_english(client):
    source = SourceFactory(title="Prisoner swap completed", outlet__name="Reuters Test")
    exchange = ExchangeFactory(place="Ankara airport")
    exchange.sources.add(source)
    ParticipantFactory(exchange=exchange, detainee=DetaineeFactory(name="Evan Gershkovich Test"))
    StatementFactory(speaker="Jake Sullivan Test", speaker_role="National Security Adviser",
                     quote="A feat of diplomacy.", source=source).exchanges.add(exchange)  # fmt: skip
    html = client.get("/ru" + exchange.get_absolute_url()).content.decode()
    for text in ("Ankara airport", "Evan Gershkovich Test", "Jake Sullivan Test", "National Security Adviser",
                 "A feat of diplomacy.", "Prisoner swap completed", "Reuters Test"):  # fmt: skip
        assert languages_of(html, text) == {"en"}, text


def test_a_russian_headline_is_marked_russian_on_the_english_page(client):
    source = SourceFactory(title="Приговор оставлен в силе", language="ru")
    person = DetaineeFactory(name="Someone Test")
    DetentionFactory(detainee=person).sources.add(source)
    en = client.get(person.get_absolute_url()).content.decode()
    assert languages_of(en, "Приговор оставлен в силе") == {"ru"}
    ru = client.get("/ru" + person.get_absolute_url()).content.decode()
    assert languages_of(ru, "Приговор оставлен в силе") == {"ru"}


def test_an_editors_description_of_a_source_is_english_whatever_the_source_speaks(client):
    """A source whose headline is not on file shows the editors' English description in its place: it is marked
    English (on a Russian page), never with the source's language (a new user found `lang="bg"` on English words)."""
    source = SourceFactory(title="Report of the sentence", language="bg", headline_on_file=False)
    person = DetaineeFactory(name="Someone Else Test")
    DetentionFactory(detainee=person).sources.add(source)
    ru = client.get("/ru" + person.get_absolute_url()).content.decode()
    assert languages_of(ru, "Report of the sentence") == {"en"}
    en = client.get(person.get_absolute_url()).content.decode()
    assert "bg" not in languages_of(en, "Report of the sentence")
