"""Dates typed as sources give them: one text box sets the date and its precision; ambiguity is refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from common.models import format_partial_date, truncate_date
from common.partial_dates import parse_partial_date
from detainees.models import Detention
from tests.admin_helpers import add_inline_rows, inline_management_data, inline_prefix
from tests.factories import DetaineeFactory


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2 May 2024", (datetime.date(2024, 5, 2), "day")),
        ("2024-05-02", (datetime.date(2024, 5, 2), "day")),
        ("May 2024", (datetime.date(2024, 5, 1), "month")),
        ("may 2024", (datetime.date(2024, 5, 1), "month")),
        ("2024-05", (datetime.date(2024, 5, 1), "month")),
        ("2008", (datetime.date(2008, 1, 1), "year")),
        ("Sept. 2019", (datetime.date(2019, 9, 1), "month")),
        ("December 8, 2022", (datetime.date(2022, 12, 8), "day")),
        ("17/02/2022", (datetime.date(2022, 2, 17), "day")),  # only one reading is a date
        ("05/05/2024", (datetime.date(2024, 5, 5), "day")),  # both readings are the same day
    ],
)
def test_dates_as_sources_give_them(typed, expected):
    assert parse_partial_date(typed) == expected


def test_a_day_first_or_month_first_date_is_refused_showing_both_readings():
    with pytest.raises(ValidationError) as refused:
        parse_partial_date("05/02/2024")
    message = refused.value.messages[0]
    assert "5 February 2024" in message and "2 May 2024" in message


@pytest.mark.parametrize("typed", ["30 February 2024", "2024-13", "yesterday", "13/13/2024"])
def test_what_is_not_a_date_is_refused_in_words(typed):
    with pytest.raises(ValidationError):
        parse_partial_date(typed)


@given(st.dates(min_value=datetime.date(1000, 1, 1)), st.sampled_from(["day", "month", "year"]))
def test_every_date_as_shown_reads_back_as_itself(value, precision):
    value = truncate_date(value, precision)
    assert parse_partial_date(format_partial_date(value, precision)) == (value, precision)


@pytest.mark.django_db
def test_editor_types_may_2010_and_2011_and_the_case_page_shows_them_so(editor_client, client):
    person = DetaineeFactory(name="Partial Person", is_published=False)
    url = reverse("admin:detainees_detainee_change", args=[person.pk])
    page = editor_client.get(url)
    data = inline_management_data(page)
    data.update({"name": "Partial Person", "name_original": "", "aliases": "", "description": "x",
                 "citizenships": ["US"], "born_on": "1970", "wikidata_id": ""})  # fmt: skip
    add_inline_rows(data, inline_prefix(page, "detention"), [{
        "held_by": "RU", "detained_on": "May 2010", "released_on": "2011", "end_reason": "released",
    }])  # fmt: skip
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    detention = Detention.objects.get(detainee=person)
    assert (detention.detained_on, detention.detained_on_precision) == (datetime.date(2010, 5, 1), "month")
    assert (detention.released_on, detention.released_on_precision) == (datetime.date(2011, 1, 1), "year")
    person.refresh_from_db()
    assert person.born_on_precision == "year"
    html = editor_client.get(person.get_absolute_url()).content.decode()  # a draft: the editor previews it
    assert "May 2010" in html and "1 May 2010" not in html and "2011" in html


@pytest.mark.django_db
def test_an_ambiguous_date_in_the_admin_is_a_form_error_and_nothing_is_saved(editor_client):
    person = DetaineeFactory(is_published=False)
    url = reverse("admin:detainees_detainee_change", args=[person.pk])
    page = editor_client.get(url)
    data = inline_management_data(page)
    data.update({"name": person.name, "description": "x", "citizenships": ["US"], "born_on": "05/02/1980"})
    response = editor_client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200 and "5 February 1980" in html and "2 May 1980" in html
    person.refresh_from_db()
    assert person.born_on is None and person.description == "test person"
