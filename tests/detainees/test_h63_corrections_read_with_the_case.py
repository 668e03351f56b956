"""h63: a case page's corrections (the public change log, eight history tables) are read with the case, in the one
statement of `documents.load_case`, instead of a statement of their own: the same entries, dates and order as the
query of their own gives, and one statement less a cold page."""

import datetime

import pytest
from django.test import override_settings

from detainees.documents import load_case
from detainees.models import Detainee
from detainees.selectors import public_change_log
from tests.factories import ChargeFactory, DesignationFactory, DetaineeFactory, DetentionFactory, SourceFactory

pytestmark = pytest.mark.django_db


def corrected(record, reason: str) -> None:
    record._change_reason = reason
    record.save()


def case_with_corrections() -> Detainee:
    person = DetaineeFactory(name="Erik Corrected", is_published=False)
    person.sources.add(SourceFactory())
    detention = DetentionFactory(detainee=person, held_by="RU", detained_on=datetime.date(2020, 1, 2))
    corrected(detention, "Draft-time fix")  # before publication: never shown
    corrected(person, "Published")
    Detainee.objects.filter(pk=person.pk).update(is_published=True)
    person = Detainee.objects.get(pk=person.pk)
    corrected(person, "Published")  # the history row that marks the first publication
    corrected(detention, "Corrected the place")
    charge = ChargeFactory(detention=detention)
    corrected(charge, "Corrected the article")
    corrected(DesignationFactory(detainee=person), "Added the designation")
    other = DetentionFactory(detainee=DetaineeFactory(name="Someone Else"), held_by="BY")
    corrected(other, "Not this case")
    return person


def test_the_corrections_read_with_the_case_are_those_of_their_own_query():
    person = case_with_corrections()
    alone = public_change_log(Detainee.objects.get(pk=person.pk))
    loaded = load_case(Detainee.objects.get(pk=person.pk))
    assert "correction" in loaded.case_extras
    with_the_case = public_change_log(loaded)
    assert with_the_case == alone
    reasons = [entry["reason"] for entry in with_the_case]
    assert {"Corrected the place", "Corrected the article", "Added the designation"} <= set(reasons)
    assert "Draft-time fix" not in reasons and "Not this case" not in reasons
    assert all(entry["date"].tzinfo == datetime.UTC for entry in with_the_case)


@override_settings(PAGE_CACHE_SECONDS=0, CASE_DOCUMENTS=False)
def test_a_case_page_shows_them_in_two_statements(client, django_assert_num_queries):
    person = case_with_corrections()
    client.get(DetaineeFactory(name="Warm Up").get_absolute_url())  # the page's SQL compiled first
    # the person; the records with everything the page shows, its corrections among them (three before h63)
    with django_assert_num_queries(2):
        html = client.get(person.get_absolute_url()).content.decode()
    assert '<h2 id="changes-h">Corrections</h2>' in html
    assert "Corrected the article" in html and "Draft-time fix" not in html
