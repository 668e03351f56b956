"""An undated designation is told while the person was held: before the end of their custody, not after the
exchange that freed them."""

import datetime

import pytest

from detainees.selectors import timeline
from tests.factories import DesignationFactory, DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_an_undated_designation_sits_before_the_custodys_end():
    person = DetaineeFactory(is_published=True)
    DetentionFactory(detainee=person, held_by="RU", detained_on=D(2022, 2, 17), released_on=D(2022, 12, 8),
                     end_reason="exchanged")  # fmt: skip
    DesignationFactory(detainee=person, designated_on=None)
    kinds = [e.kind for e in timeline(person)]
    assert kinds == ["detained", "designated", "exchanged"], kinds


def test_an_undated_designation_sits_before_the_latest_custodys_end_and_a_dated_one_keeps_its_date():
    person = DetaineeFactory(is_published=True)
    DetentionFactory(detainee=person, held_by="IR", detained_on=D(2015, 1, 1), released_on=D(2016, 1, 1),
                     end_reason="released")  # fmt: skip
    DetentionFactory(detainee=person, held_by="RU", detained_on=D(2020, 1, 1), released_on=D(2024, 8, 1),
                     end_reason="exchanged")  # fmt: skip
    DesignationFactory(detainee=person, designated_on=None, kind="hostage")
    DesignationFactory(detainee=person, designated_on=D(2025, 1, 1))
    events = [(e.kind, e.date) for e in timeline(person)]
    assert events == [("detained", D(2015, 1, 1)), ("released", D(2016, 1, 1)), ("detained", D(2020, 1, 1)),
                      ("designated", None), ("exchanged", D(2024, 8, 1)), ("designated", D(2025, 1, 1))], events


def test_an_undated_designation_of_someone_still_held_stays_last():
    person = DetaineeFactory(is_published=True)
    DetentionFactory(detainee=person, held_by="RU", detained_on=D(2022, 2, 17))
    DesignationFactory(detainee=person, designated_on=None)
    assert [e.kind for e in timeline(person)] == ["detained", "designated"]


def test_an_undated_designation_of_someone_known_only_from_exchanges_sits_before_the_latest():
    from tests.factories import ExchangeFactory, ParticipantFactory

    person = DetaineeFactory(is_published=True)
    later = ParticipantFactory(detainee=person, exchange=ExchangeFactory(date=D(2024, 8, 1), status="completed"))
    earlier = ParticipantFactory(detainee=person, exchange=ExchangeFactory(date=D(2010, 7, 9), status="completed"))
    DesignationFactory(detainee=person, designated_on=None)
    events = [(e.kind, e.date) for e in timeline(person, participations=[later, earlier])]
    assert events == [("exchanged", D(2010, 7, 9)), ("designated", None), ("exchanged", D(2024, 8, 1))], events
