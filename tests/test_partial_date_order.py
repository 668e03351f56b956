"""Partial dates are spans in every ordering rule (issue 24, item 1): only what is certainly out of order is refused.

One function, `certainly_before`, decides; every rule (charge, sentence, transfer, sentence change against their
detention or sentence, release against detention, a designation's withdrawal, a custody chain's successor) uses it.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from common.models import certainly_before, truncate_date
from detainees.models import Charge, Designation, Detention, SentenceChange, Transfer
from tests.factories import (
    DetaineeFactory,
    DetentionFactory,
    SentenceFactory,
    SourceFactory,
)

D = datetime.date
PRECISIONS = st.sampled_from(["day", "month", "year"])


def days_of(value: datetime.date, precision: str) -> list[datetime.date]:
    """Every day a partial date can mean, walked one by one (independent of the code under test)."""
    first = truncate_date(value, precision)
    days, day = [], first
    while day.year == first.year and (precision == "year" or day.month == first.month):
        days.append(day)
        if precision == "day":
            break
        day += datetime.timedelta(days=1)
    return days


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=D(2019, 11, 1), max_value=D(2021, 2, 28)), PRECISIONS,
    st.dates(min_value=D(2019, 11, 1), max_value=D(2021, 2, 28)), PRECISIONS,
)  # fmt: skip
def test_certainly_before_agrees_with_brute_force_over_the_days_of_both_spans(a, a_precision, b, b_precision):
    a, b = truncate_date(a, a_precision), truncate_date(b, b_precision)
    every_a, every_b = days_of(a, a_precision), days_of(b, b_precision)
    brute = all(x < y for x in every_a for y in every_b)  # every day of one span against every day of the other
    assert certainly_before(a, a_precision, b, b_precision) == brute


@pytest.fixture
def griner(db):
    return DetentionFactory(detained_on=D(2022, 2, 17), held_by="RU")


@pytest.mark.django_db
def test_a_charge_dated_february_2022_fits_a_detention_begun_17_february_2022(griner):
    Charge(detention=griner, category="drugs", charged_on=D(2022, 2, 1), charged_on_precision="month").full_clean()


@pytest.mark.django_db
def test_a_charge_certainly_before_the_detention_is_refused_saying_both_dates(griner):
    with pytest.raises(ValidationError) as refused:
        Charge(detention=griner, category="drugs", charged_on=D(2022, 1, 1), charged_on_precision="month").full_clean()
    message = refused.value.message_dict["charged_on"][0]
    assert "January 2022" in message and "17 February 2022" in message


@pytest.mark.django_db
def test_year_only_transfer_sentence_and_change_in_the_first_year_are_accepted(griner):
    Transfer(detention=griner, moved_on=D(2022, 1, 1), moved_on_precision="year", facility_name="SIZO-1",
             facility_kind="pre_trial_centre").full_clean()  # fmt: skip
    sentence = SentenceFactory(detention=griner, sentenced_on=D(2022, 8, 4))
    SentenceChange(sentence=sentence, kind="appeal_rejected", changed_on=D(2022, 8, 1),
                   changed_on_precision="month").full_clean()  # fmt: skip
    from detainees.models import Sentence

    Sentence(detention=griner, sentenced_on=D(2022, 1, 1), sentenced_on_precision="year", term_months=12).full_clean()
    with pytest.raises(ValidationError):
        SentenceChange(sentence=sentence, kind="appeal_rejected", changed_on=D(2022, 7, 1),
                       changed_on_precision="month").full_clean()  # fmt: skip


@pytest.mark.django_db
def test_release_known_only_as_the_year_of_detention_is_accepted_by_the_model_and_the_database(griner):
    griner.released_on, griner.released_on_precision, griner.end_reason = D(2022, 1, 1), "year", "released"
    griner.full_clean()
    griner.save()  # the database constraint compares spans too
    griner.released_on = D(2021, 1, 1)
    with pytest.raises(ValidationError) as refused:
        griner.full_clean()
    assert "released_on" in refused.value.message_dict


@pytest.mark.django_db
def test_a_transfer_after_a_release_known_only_to_the_month_is_accepted_when_the_month_is_the_same(griner):
    griner.released_on, griner.released_on_precision, griner.end_reason = D(2022, 12, 1), "month", "exchanged"
    griner.save()
    Transfer(detention=griner, moved_on=D(2022, 12, 5), facility_name="IK-2", facility_kind="penal_colony").full_clean()
    with pytest.raises(ValidationError):
        Transfer(detention=griner, moved_on=D(2023, 1, 2), facility_name="IK-2",
                 facility_kind="penal_colony").full_clean()  # fmt: skip


@pytest.mark.django_db
def test_withdrawal_in_the_month_of_the_designation_is_accepted_by_model_and_database():
    person = DetaineeFactory()
    designation = Designation(
        detainee=person,
        authority="Memorial",
        kind="political_prisoner",
        designated_on=D(2023, 5, 20),
        withdrawn_on=D(2023, 5, 1),
        withdrawn_on_precision="month",
    )
    designation.full_clean()
    designation.save()


@pytest.mark.django_db
def test_a_successor_certainly_before_the_handover_is_refused_one_in_its_span_is_accepted():
    first = DetentionFactory(held_by="TH", detained_on=D(2008, 3, 6), released_on=D(2010, 11, 16),
                             end_reason="extradited")  # fmt: skip
    Detention(detainee=first.detainee, held_by="US", detained_on=D(2010, 11, 1), detained_on_precision="month",
              ).full_clean()  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        Detention(detainee=first.detainee, held_by="US", detained_on=D(2010, 10, 1),
                  detained_on_precision="month").full_clean()  # fmt: skip
    assert "detained_on" in refused.value.message_dict


@pytest.mark.django_db
def test_api_accepts_the_griner_charge_dated_february_2022(griner, editor):
    griner.sources.add(SourceFactory())
    griner.detainee.sources.add(SourceFactory())
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    response = api.post("/api/v1/charges/", {
        "detention": griner.pk, "category": "drugs", "charged_on": "2022-02-01", "charged_on_precision": "month",
        "outcome": "convicted", "sources": [SourceFactory().pk],
    }, format="json")  # fmt: skip
    assert response.status_code == 201, response.content
