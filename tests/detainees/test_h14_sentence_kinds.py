"""Outcomes the starter dataset's real cases needed (issue 25 item 4): a death sentence (Rico Krieger in Belarus,
Aiden Aslin and Shaun Pinner in the self-proclaimed DPR), a suspended sentence (Michael Calvey, Philippe Delpal) and
compulsory psychiatric treatment ordered instead of a punishment (Joseph Tater)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from detainees.forms import SentenceAdminForm
from detainees.models import Charge, Sentence
from tests.factories import ChargeFactory, DetentionFactory, SentenceFactory

pytestmark = pytest.mark.django_db


def test_a_death_sentence_has_no_term_and_reads_as_one():
    sentence = SentenceFactory(term_months=None, is_death=True)
    assert sentence.term_display() == "Death sentence"
    for other in ({"term_months": 120}, {"is_life": True, "term_months": None}):
        with pytest.raises(IntegrityError), transaction.atomic():
            SentenceFactory(is_death=True, **other)
    wrong = SentenceFactory.build(detention=DetentionFactory(), term_months=120, is_death=True)
    with pytest.raises(ValidationError) as exc:
        wrong.full_clean()
    assert "is_death" in exc.value.message_dict


def test_a_suspended_sentence_needs_its_term_and_says_it_is_suspended():
    assert Sentence(term_months=66, is_suspended=True).term_display() == "5 years 6 months suspended"
    assert Sentence(term_months=66).term_display() == "5 years 6 months"
    with pytest.raises(IntegrityError), transaction.atomic():
        SentenceFactory(term_months=None, is_suspended=True)
    wrong = SentenceFactory.build(detention=DetentionFactory(), term_months=None, is_suspended=True)
    with pytest.raises(ValidationError) as exc:
        wrong.full_clean()
    assert "term_months" in exc.value.message_dict


def test_compulsory_treatment_is_an_outcome_of_its_own():
    treated = ChargeFactory(outcome=Charge.Outcome.TREATMENT)
    ChargeFactory(outcome=Charge.Outcome.CONVICTED)
    treated.full_clean()
    assert treated.get_outcome_display() == "Compulsory psychiatric treatment ordered instead of punishment"
    with pytest.raises(IntegrityError), transaction.atomic():
        ChargeFactory(outcome="cured")


def test_the_api_and_the_case_page_show_a_death_and_a_suspended_sentence(client, django_user_model):
    death = SentenceFactory(term_months=None, is_death=True, sentenced_on=datetime.date(2024, 6, 24))
    suspended = SentenceFactory(term_months=54, is_suspended=True)
    for sentence in (death, suspended):
        sentence.detention.detainee.is_published = True
        sentence.detention.detainee.save()
        sentence.sources.add(*sentence.detention.sources.all())
    body = client.get(reverse("api:sentence-detail", args=[death.pk])).json()
    assert (body["is_death"], body["is_suspended"], body["term_months"]) == (True, False, None)
    body = client.get(reverse("api:sentence-detail", args=[suspended.pk])).json()
    assert (body["is_death"], body["is_suspended"], body["term_months"]) == (False, True, 54)
    page = client.get(death.detention.detainee.get_absolute_url()).content.decode()
    assert "Death sentence" in page
    page = client.get(suspended.detention.detainee.get_absolute_url()).content.decode()
    assert "4 years 6 months suspended" in page


def test_the_admin_form_offers_both_and_refuses_a_death_sentence_with_a_term(admin_client):
    sentence = SentenceFactory(term_months=12)
    url = reverse("admin:detainees_sentence_change", args=[sentence.pk])
    form = admin_client.get(url).context["adminform"].form
    assert {"is_death", "is_suspended"} <= set(form.fields)
    data = {"detention": sentence.detention_id, "court": "", "sentenced_on": "2024-06-24",
            "sentenced_on_precision": "day", "term_months": "120", "is_death": "on",
            "sources": [s.pk for s in sentence.detention.sources.all()]}  # fmt: skip
    bound = SentenceAdminForm(data=data, instance=sentence)
    assert not bound.is_valid()
    assert "is_death" in bound.errors
    data["term_months"] = ""
    assert SentenceAdminForm(data=data, instance=sentence).is_valid()


def test_a_sentence_and_a_change_no_report_dates_are_kept_shown_as_such_and_listed_last(client):
    """Issue 25 item 4: a campaign says "sentenced to eight years" without a date, AFP that a term "was cut on appeal"
    without one; the term is worth keeping without inventing a day."""
    from detainees.models import SentenceChange

    undated = SentenceFactory(sentenced_on=None, term_months=96)
    undated.full_clean()
    detainee = undated.detention.detainee
    detainee.is_published = True
    detainee.save()
    change = SentenceChange(sentence=undated, kind=SentenceChange.Kind.REDUCED_ON_APPEAL, changed_on=None,
                            new_term_months=84)  # fmt: skip
    change.full_clean()
    change.save()
    body = client.get(reverse("api:sentence-detail", args=[undated.pk])).json()
    assert (body["sentenced_on"], body["term_months"]) == (None, 96)
    page = client.get(detainee.get_absolute_url()).content.decode()
    assert page.count("Date not reported") == 2 and "8 years" in page
    from detainees.selectors import timeline

    events = timeline(detainee)
    assert [e.kind for e in events][-2:] == ["sentenced", "appeal"]  # undated lines come last, not first
    assert events[-1].when == "Date unknown"


def test_two_undated_sentences_of_one_detention_are_both_loaded(db):
    from dataset.backup import merge_dataset

    doc = {
        "format": "prisoner-exchange-tracker/dataset", "version": 2,
        "records": {
            "detainees.detainee": [{"id": 1, "fields": {"name": "A Person", "is_published": False}}],
            "detainees.detention": [{"id": 1, "fields": {"detainee": 1, "held_by": "RU", "detained_on": "2020-05-01"}}],
            "detainees.sentence": [{"id": 1, "fields": {"detention": 1, "sentenced_on": None, "term_months": 96}},
                                   {"id": 2, "fields": {"detention": 1, "sentenced_on": None, "term_months": 120}}],
        },
    }  # fmt: skip
    merge_dataset(doc)
    merge_dataset(doc)
    assert sorted(Sentence.objects.values_list("term_months", flat=True)) == [96, 120]
