"""Model rules: constraints, validation, derived status, partial dates, slugs, search keys."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from common.models import format_partial_date, truncate_date
from detainees.models import Detainee, Detention, Sentence
from tests.factories import (
    ChargeFactory,
    DesignationFactory,
    DetaineeFactory,
    DetentionFactory,
    SentenceFactory,
    TransferFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def status_of(detainee):
    return Detainee.objects.with_status().get(pk=detainee.pk)


# ---- partial dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "precision", "shown"),
    [
        (D(2022, 2, 17), "day", "17 February 2022"),
        (D(2022, 2, 1), "month", "February 2022"),
        (D(2008, 1, 1), "year", "2008"),
        (None, "day", ""),
    ],
)
def test_partial_date_is_shown_only_as_precisely_as_known(value, precision, shown):
    assert format_partial_date(value, precision) == shown


def test_partial_date_is_stored_as_first_of_month_or_year():
    assert truncate_date(D(2019, 8, 15), "month") == D(2019, 8, 1)
    assert truncate_date(D(2011, 6, 30), "year") == D(2011, 1, 1)
    detention = DetentionFactory.build(detained_on=D(2019, 8, 15), detained_on_precision="month")
    detention.detainee.save()
    detention.detainee_id = detention.detainee.pk
    detention.full_clean()
    assert detention.detained_on == D(2019, 8, 1)
    assert detention.partial_date("detained_on") == "August 2019"


def test_unknown_precision_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        DetentionFactory(detained_on_precision="week")


# ---- detentions ----------------------------------------------------------------------------


def test_release_before_detention_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        DetentionFactory(detained_on=D(2022, 2, 17), released_on=D(2022, 1, 1), end_reason="released")


def test_release_before_detention_gets_a_clear_form_error():
    detention = DetentionFactory.build(
        detainee=DetaineeFactory(), detained_on=D(2022, 2, 17), released_on=D(2022, 1, 1), end_reason="released"
    )
    with pytest.raises(ValidationError) as exc:
        detention.full_clean()
    assert exc.value.message_dict["released_on"][0].startswith("Release cannot come before detention.")


def test_release_needs_a_reason_and_a_reason_needs_a_release():
    detention = DetentionFactory.build(detainee=DetaineeFactory(), released_on=D(2022, 12, 8))
    with pytest.raises(ValidationError) as exc:
        detention.full_clean()
    assert "end_reason" in exc.value.message_dict
    detention = DetentionFactory.build(detainee=DetaineeFactory(), end_reason="exchanged")
    with pytest.raises(ValidationError) as exc:
        detention.full_clean()
    assert "released_on" in exc.value.message_dict


def test_unknown_end_reason_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        DetentionFactory(released_on=D(2023, 1, 1), end_reason="vanished")


def test_a_handover_may_end_undated_but_a_release_may_not():
    person = DetaineeFactory()
    handed = DetentionFactory.build(detainee=person, held_by="LR", detained_on=D(2010, 5, 28), end_reason="handed_over")
    handed.full_clean()
    released = DetentionFactory.build(detainee=person, held_by="LR", detained_on=D(2010, 5, 28), end_reason="released")
    with pytest.raises(ValidationError) as exc:
        released.full_clean()
    assert "released_on" in exc.value.message_dict


def test_extradition_without_the_next_custody_leaves_the_person_held_by_nobody_known():
    person = DetaineeFactory()
    DetentionFactory(detainee=person, held_by="TH", detained_on=D(2008, 3, 6), released_on=D(2010, 11, 16),
                     end_reason="extradited")  # fmt: skip
    person.refresh_status_from_db()
    assert (person.status, person.held_by) == ("held", "")
    DetentionFactory(detainee=person, held_by="US", detained_on=D(2010, 11, 16))
    person.refresh_status_from_db()
    assert (person.status, person.held_by.code) == ("held", "US")


def test_transfer_before_detention_is_refused():
    transfer = TransferFactory.build(detention=DetentionFactory(detained_on=D(2022, 2, 17)), moved_on=D(2021, 1, 1))
    with pytest.raises(ValidationError) as exc:
        transfer.full_clean()
    assert "moved_on" in exc.value.message_dict


# ---- sentences -----------------------------------------------------------------------------


def test_term_months_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        SentenceFactory(term_months=0)


def test_life_sentence_has_no_term():
    with pytest.raises(IntegrityError), transaction.atomic():
        SentenceFactory(is_life=True, term_months=120)


def test_fine_needs_a_currency():
    sentence = SentenceFactory.build(detention=DetentionFactory(), fine_amount=1_000_000, fine_currency="")
    with pytest.raises(ValidationError) as exc:
        sentence.full_clean()
    assert "fine_currency" in exc.value.message_dict


def test_sentence_covers_only_charges_of_its_own_detention():
    sentence = SentenceFactory()
    own = ChargeFactory(detention=sentence.detention)
    other = ChargeFactory()
    sentence.validate_charges([own])
    with pytest.raises(ValidationError) as exc:
        sentence.validate_charges([own, other])
    assert "charges" in exc.value.message_dict


@pytest.mark.parametrize(
    ("kwargs", "shown"),
    [
        ({"term_months": 108, "fine_amount": 1_000_000, "fine_currency": "RUB"}, "9 years, fine of 1,000,000 RUB"),
        ({"term_months": 42}, "3 years 6 months"),
        ({"term_months": None, "is_life": True}, "Life imprisonment"),
    ],
)
def test_sentence_term_reads_as_a_person_would_say_it(kwargs, shown):
    assert Sentence(**kwargs).term_display() == shown


def test_designation_withdrawn_before_designated_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        DesignationFactory(designated_on=D(2022, 5, 1), withdrawn_on=D(2021, 1, 1))


# ---- derived status ------------------------------------------------------------------------


def test_person_with_no_detention_has_unknown_status():
    detainee = status_of(DetaineeFactory())
    assert (detainee.status, detainee.held_by) == ("unknown", None)


def test_open_detention_means_held_by_that_country():
    detention = DetentionFactory(held_by="RU")
    detainee = status_of(detention.detainee)
    assert (detainee.status, detainee.held_by) == ("held", "RU")


@pytest.mark.parametrize(
    ("end_reason", "status"),
    [
        ("exchanged", "exchanged"),
        ("died_in_custody", "deceased"),
        ("pardoned", "released"),
        ("sentence_served", "released"),
        ("deported", "released"),
        ("escaped", "released"),
    ],
)
def test_ended_detention_gives_status_and_no_holder(end_reason, status):
    detention = DetentionFactory(released_on=D(2022, 12, 8), end_reason=end_reason)
    detainee = status_of(detention.detainee)
    assert (detainee.status, detainee.held_by) == (status, None)


def test_latest_detention_decides_status():
    person = DetaineeFactory()
    DetentionFactory(detainee=person, held_by="US", detained_on=D(2008, 3, 6), released_on=D(2022, 12, 8),
                     end_reason="exchanged")  # fmt: skip
    DetentionFactory(detainee=person, held_by="BY", detained_on=D(2024, 1, 1))
    assert (status_of(person).status, status_of(person).held_by) == ("held", "BY")
    assert Detainee.objects.with_status().filter(status="held").count() == 1


def test_days_held_adds_every_detention_up_to_today():
    person = DetaineeFactory()
    DetentionFactory(detainee=person, detained_on=D(2020, 1, 1), released_on=D(2020, 1, 11), end_reason="released")
    DetentionFactory(detainee=person, detained_on=D(2021, 1, 1))
    assert person.days_held(today=D(2021, 1, 6)) == 10 + 5


# ---- identity ------------------------------------------------------------------------------


def test_slug_is_kept_when_the_name_is_edited():
    person = DetaineeFactory(name="Brittney Griner")
    assert person.slug == "brittney-griner"
    person.name = "Brittney Yevette Griner"
    person.save()
    person.refresh_from_db()
    assert person.slug == "brittney-griner"


def test_slugs_of_namesakes_differ_and_cyrillic_names_get_latin_slugs():
    assert DetaineeFactory(name="Ivan Petrov").slug == "ivan-petrov"
    assert DetaineeFactory(name="Ivan Petrov").slug == "ivan-petrov-2"
    assert DetaineeFactory(name="Виктор Бут").slug == "viktor-but"


@pytest.mark.parametrize("query", ["Бут", "Victor Bout", "viktor bout", "VIKTOR", "Bout"])
def test_search_finds_a_name_in_any_script_and_spelling(query):
    bout = DetaineeFactory(name="Viktor Bout", name_original="Виктор Бут", aliases=["Victor Bout"])
    DetaineeFactory(name="Brittney Griner", name_original="Бриттни Грайнер")
    assert list(Detainee.objects.search(query)) == [bout]


def test_search_matches_accents_and_aliases():
    person = DetaineeFactory(name="Jose Muñoz", aliases=["Pepe Munoz"])
    assert list(Detainee.objects.search("muñoz")) == [person]
    assert list(Detainee.objects.search("pepe")) == [person]


def test_aliases_must_be_a_list_of_names():
    person = DetaineeFactory.build(aliases="Victor Bout")
    with pytest.raises(ValidationError) as exc:
        person.full_clean()
    assert "aliases" in exc.value.message_dict


def test_wikidata_id_is_validated_and_unique():
    person = DetaineeFactory.build(wikidata_id="7137")
    with pytest.raises(ValidationError):
        person.full_clean()
    DetaineeFactory(wikidata_id="Q7137")
    DetaineeFactory(wikidata_id="")
    DetaineeFactory(wikidata_id="")
    with pytest.raises(IntegrityError), transaction.atomic():
        DetaineeFactory(wikidata_id="Q7137")


def test_published_queryset_hides_drafts():
    public = DetaineeFactory(is_published=True)
    DetaineeFactory(is_published=False)
    assert list(Detainee.objects.published()) == [public]


def test_history_is_kept_for_every_change():
    person = DetaineeFactory(name="Trevor Reed")
    person.description = "former US Marine"
    person.save()
    assert [h.history_type for h in person.history.all()] == ["~", "+"]
    detention = DetentionFactory(detainee=person)
    detention_id = detention.pk
    detention.delete()
    assert Detention.history.filter(id=detention_id, history_type="-").exists()
