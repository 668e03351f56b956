"""Dates as precise as their sources (issue 12, item 6)."""

from datetime import date as D

import pytest

from detainees.models import Detainee
from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db


def names(client, **params):
    return sorted(d["name"] for d in client.get("/api/v1/detainees/", params).json()["results"])


def test_held_on_counts_a_month_only_arrest_from_the_months_last_day(client, demo):
    assert "Trevor Reed" not in names(client, held_on="2019-08-15")  # "August 2019": maybe not yet
    assert "Trevor Reed" in names(client, held_on="2019-08-31")
    assert "Trevor Reed" in names(client, held_on="2019-09-01")


def test_held_on_stops_at_the_first_day_of_a_partial_release():
    person = DetaineeFactory(is_published=True, name="Partial Release")
    DetentionFactory(detainee=person, held_by="RU", detained_on=D(2015, 1, 1), detained_on_precision="year",
                     released_on=D(2018, 3, 1), released_on_precision="month", end_reason="released")  # fmt: skip
    from django.test import Client

    client = Client()
    assert "Partial Release" not in names(client, held_on="2015-06-01")
    assert "Partial Release" in names(client, held_on="2016-01-01")
    assert "Partial Release" in names(client, held_on="2018-03-01")
    assert "Partial Release" not in names(client, held_on="2018-03-02")
    person = Detainee.objects.get(pk=person.pk)
    assert person.days_held() == (D(2018, 3, 1) - D(2015, 12, 31)).days


def test_days_held_counts_certain_days_and_pages_say_at_least(client, demo):
    reed = Detainee.objects.get(slug="trevor-reed")
    assert reed.days_held() == (D(2022, 4, 27) - D(2019, 8, 31)).days
    assert client.get(f"/api/v1/detainees/{reed.pk}/").json()["days_held"] == reed.days_held()
    page = client.get("/detainees/trevor-reed/").content.decode()
    assert f"At least {reed.days_held()} days in custody" in page
    griner = client.get("/detainees/brittney-griner/").content.decode()
    assert "At least" not in griner and "294 days in custody" in griner


def test_timeline_puts_a_year_only_event_after_the_dated_ones_of_that_year(client, demo):
    page = client.get("/detainees/paul-whelan/").content.decode()
    assert page.index("Moscow City Court") < page.index("Moved to Penal colony IK-17")
    assert '<time datetime="2020">2020</time>' in page
    assert '<time datetime="2020-06-15">15 June 2020</time>' in page
    reed = client.get("/detainees/trevor-reed/").content.decode()
    assert '<time datetime="2019-08">August 2019</time>' in reed


def test_held_people_show_when_custody_was_last_confirmed(client):
    person = DetaineeFactory(is_published=True, name="Still Held")
    DetentionFactory(detainee=person, held_by="RU", detained_on=D(2021, 1, 1), last_confirmed_on=D(2024, 3, 1),
                     last_confirmed_on_precision="month")  # fmt: skip
    page = client.get(f"/detainees/{person.slug}/").content.decode()
    assert "Last confirmed held in March 2024." in page
    detention = client.get("/api/v1/detentions/", {"detainee": person.pk}).json()["results"][0]
    assert (detention["last_confirmed_on"], detention["last_confirmed_on_precision"]) == ("2024-03-01", "month")
