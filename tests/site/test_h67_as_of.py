"""As of when (h67, a new user's round): "27 held now" said nothing of every one of them having been last confirmed
held more than six months ago, and the lists and the CSV did not carry the last confirmation. The overview now says
when the latest report confirming any of them is from and how many are stale; each card of someone held and the
detainees CSV carry the open custody's `last_confirmed_on`. And a card puts "the" before a country that takes it."""

import csv
import datetime
import io

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from detainees.census import months_before
from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db


def held(name: str, **fields):
    person = DetaineeFactory(name=name, is_published=True)
    DetentionFactory(detainee=person, **fields)
    return person


def as_of(html: str) -> str:
    return " ".join(html.split('class="as-of">', 1)[1].split("</p>", 1)[0].replace("<strong>", "").replace(
        "</strong>", "").split())  # fmt: skip


@override_settings(PAGE_CACHE_SECONDS=0)
def test_the_overview_says_how_old_the_reports_behind_held_now_are(client):
    today = timezone.localdate()
    held("Long Ago", held_by="RU", detained_on=datetime.date(2020, 5, 1),
         last_confirmed_on=datetime.date(2024, 1, 20))  # fmt: skip
    held("Never Confirmed", held_by="BY", detained_on=datetime.date(2021, 3, 1))
    cache.clear()
    html = client.get("/").content.decode()
    assert '<span class="big-number">2</span> held now' in html
    assert as_of(html) == (
        "Held as last reported: the most recent report confirming any of them in custody is from "
        "20 January 2024. Every one of them was last confirmed held more than 6 months ago."
    )
    # One shown in custody within the six months: a part of the figure is stale, and the latest report is named.
    recent = today - datetime.timedelta(days=10)
    held("Just Arrested", held_by="IR", detained_on=recent)
    cache.clear()
    html = client.get("/").content.decode()
    assert as_of(html).endswith("2 of them were last confirmed held more than 6 months ago.")
    assert f"is from {recent.day} {recent:%B %Y}." in as_of(html)
    ru = client.get("/ru/").content.decode()
    assert "Под стражей по последним сообщениям" in as_of(ru) and "2 из них" in as_of(ru)
    assert 'lang="en"' not in ru.split('class="as-of">', 1)[1].split("</p>", 1)[0]


@override_settings(PAGE_CACHE_SECONDS=0)
def test_a_confirmation_within_six_months_is_not_stale_even_as_a_month(client):
    since = months_before(timezone.localdate(), 6)
    held("Month", held_by="RU", detained_on=datetime.date(2020, 5, 1), last_confirmed_on=since.replace(day=1),
         last_confirmed_on_precision="month")  # fmt: skip
    cache.clear()
    text = as_of(client.get("/").content.decode())
    assert "more than" not in text and text.startswith("Held as last reported")


@override_settings(PAGE_CACHE_SECONDS=0)
def test_nobody_held_no_note(client):
    held("Freed", held_by="RU", detained_on=datetime.date(2020, 5, 1), released_on=datetime.date(2021, 1, 1),
         end_reason="released")  # fmt: skip
    assert 'class="as-of"' not in client.get("/").content.decode()


@override_settings(PAGE_CACHE_SECONDS=0)
def test_a_card_says_when_custody_was_last_confirmed_and_the_before_a_country(client):
    held("Confirmed Person", held_by="US", detained_on=datetime.date(2022, 2, 17),
         last_confirmed_on=datetime.date(2025, 5, 3))  # fmt: skip
    person = DetaineeFactory(name="Closed Person", is_published=True)
    DetentionFactory(detainee=person, held_by="NL", detained_on=datetime.date(2019, 1, 5),
                     released_on=datetime.date(2020, 1, 5), end_reason="released")  # fmt: skip
    cache.clear()
    page = " ".join(client.get("/detainees/").content.decode().split())
    assert "held by the United States of America · since 17 February 2022 · last confirmed held 3 May 2025" in page
    assert "custody by the Netherlands" in page
    ru = " ".join(client.get("/ru/detainees/").content.decode().split())
    assert "последнее подтверждение: 3 мая 2025 г." in ru and "the United" not in ru


def test_the_csv_carries_the_open_custodys_last_confirmation(client):
    confirmed = held("Confirmed Person", held_by="RU", detained_on=datetime.date(2022, 2, 17),
                     last_confirmed_on=datetime.date(2025, 5, 1), last_confirmed_on_precision="month")  # fmt: skip
    unconfirmed = held("Unconfirmed", held_by="RU", detained_on=datetime.date(2022, 2, 17))
    freed = held("Freed", held_by="RU", detained_on=datetime.date(2020, 5, 1), released_on=datetime.date(2021, 1, 1),
                 end_reason="released", last_confirmed_on=datetime.date(2020, 9, 1))  # fmt: skip
    response = client.get("/api/v1/detainees/", {"format": "csv", "ordering": "name"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = {int(r["id"]): r for r in csv.DictReader(io.StringIO(text))}
    cells = {pk: (r["last_confirmed_on"], r["last_confirmed_on_precision"]) for pk, r in rows.items()}
    assert cells == {confirmed.pk: ("2025-05-01", "month"), unconfirmed.pk: ("", ""), freed.pk: ("", "")}
    header = text.splitlines()[0].split(",")
    assert header[-3:] == ["merged_ids", "last_confirmed_on", "last_confirmed_on_precision"]  # extended, not renamed


def test_the_csv_counts_days_held_as_the_json_does_for_a_start_no_report_dates(client):
    """The CSV's `days_held` counted an undated start as no day at all; the JSON (Detention.days_held) counts it
    from the confirming report. The same figure in both."""
    person = held("Undated", held_by="RU", detained_on=None, last_confirmed_on=datetime.date(2025, 3, 1))
    text = b"".join(client.get("/api/v1/detainees/", {"format": "csv"}).streaming_content).decode("utf-8-sig")
    [row] = csv.DictReader(io.StringIO(text))
    as_json = client.get(f"/api/v1/detainees/{person.pk}/").json()["days_held"]
    assert int(row["days_held"]) == as_json > 0
