"""The stored status, holder and latest detention of a detainee stay equal to what their detentions say.

The status is stored so that lists filter and count on an index; these tests check that every way a detention can
change keeps it current, against a rule written out here in Python, independently of the SQL that maintains it.
"""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from detainees.models import Detainee, Detention, Status
from detainees.services import merge_detainees
from tests.factories import DetaineeFactory, DetentionFactory
from tests.hypothesis_profiles import examples

D = datetime.date


def expected(detainee: Detainee) -> tuple[str, str, int | None]:
    """The rule, in Python: the latest detention (by start, then id) decides."""
    detentions = sorted(Detention.objects.filter(detainee=detainee), key=lambda d: (d.detained_on, d.pk))
    if not detentions:
        return "unknown", "", None
    latest = detentions[-1]
    if latest.end_reason == "exchanged":
        status = "exchanged"
    elif latest.end_reason == "died_in_custody":
        status = "deceased"
    elif latest.released_on is None:
        return "held", latest.held_by.code, latest.pk
    else:
        status = "released"
    return status, "", latest.pk


def stored(detainee: Detainee) -> tuple[str, str, int | None]:
    row = Detainee.objects.get(pk=detainee.pk)
    assert row.latest_detained_on == (row.latest_detention.detained_on if row.latest_detention else None)
    return row.status, row.held_by.code, row.latest_detention_id


def assert_current(*people):
    for person in people:
        assert stored(person) == expected(person)
    assert not Detainee.objects.stale_status().exists()


operation = st.one_of(
    st.tuples(
        st.just("add"),
        st.integers(0, 2),
        st.integers(0, 3000),
        st.sampled_from(["", "released", "exchanged", "died_in_custody", "pardoned"]),
        st.sampled_from(["RU", "US", "BY"]),
    ),  # fmt: skip
    st.tuples(st.just("close"), st.integers(0, 50), st.sampled_from(["released", "exchanged", "died_in_custody"])),
    st.tuples(st.just("reopen"), st.integers(0, 50)),
    st.tuples(st.just("redate"), st.integers(0, 50), st.integers(0, 3000)),
    st.tuples(st.just("move"), st.integers(0, 50), st.integers(0, 2)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
)


@pytest.mark.slow
class StatusUnderAnyEditsTests(HypothesisTestCase):
    @settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(operation, min_size=1, max_size=12))
    def test_any_sequence_of_edits_keeps_the_stored_status_current(self, ops):
        people = [DetaineeFactory(name=f"Person {i}") for i in range(3)]
        start = D(2000, 1, 1)
        for op in ops:
            detentions = list(Detention.objects.order_by("pk"))
            if op[0] == "add":
                _, who, offset, reason, holder = op
                day = start + datetime.timedelta(days=offset)
                Detention.objects.create(detainee=people[who], held_by=holder, detained_on=day, end_reason=reason,
                                         released_on=day + datetime.timedelta(days=30) if reason else None)  # fmt: skip
            elif not detentions:
                continue
            else:
                detention = detentions[op[1] % len(detentions)]
                if op[0] == "close":
                    detention.released_on, detention.end_reason = detention.detained_on + datetime.timedelta(1), op[2]
                    detention.save()
                elif op[0] == "reopen":
                    detention.released_on, detention.end_reason = None, ""
                    detention.save()
                elif op[0] == "redate":
                    detention.detained_on = start + datetime.timedelta(days=op[2])
                    detention.released_on = detention.released_on and detention.detained_on + datetime.timedelta(9)
                    detention.save()
                elif op[0] == "move":
                    detention.detainee = people[op[2]]
                    detention.save()
                else:
                    detention.delete()
            assert_current(*people)


@pytest.mark.django_db
def test_a_stale_copy_of_the_person_cannot_write_its_status_back():
    person = DetaineeFactory()
    copy = Detainee.objects.get(pk=person.pk)  # loaded while nothing is on file: status unknown
    DetentionFactory(detainee=person, held_by="IR")
    copy.description = "engineer"
    copy.save()
    assert stored(person)[:2] == ("held", "IR")
    assert Detainee.objects.get(pk=person.pk).description == "engineer"


@pytest.mark.django_db
def test_merging_moves_the_status_with_the_detentions():
    keep, remove = DetaineeFactory(name="Ivan Petrov", is_published=False), DetaineeFactory(name="Ivan Petroff")
    DetentionFactory(detainee=remove, held_by="BY", detained_on=D(2024, 5, 1))
    merge_detainees(keep=keep, remove=remove)
    assert stored(keep)[:2] == ("held", "BY")


@pytest.mark.django_db
def test_a_detention_written_through_the_api_changes_the_status_the_api_shows(editor_client):
    person = DetaineeFactory(is_published=False)  # a published case would need the detention sourced
    detail = reverse("api:detainee-detail", args=[person.pk])
    assert editor_client.get(detail).json()["status"] == "unknown"
    response = editor_client.post(reverse("api:detention-list"), {
        "detainee": person.pk, "held_by": "VE", "detained_on": "2023-03-01", "detained_on_precision": "day",
    }, content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    body = editor_client.get(detail).json()
    assert (body["status"], body["held_by"]) == ("held", "VE")
    editor_client.delete(reverse("api:detention-detail", args=[response.json()["id"]]))
    body = editor_client.get(detail).json()
    assert (body["status"], body["held_by"]) == ("unknown", None)


@pytest.mark.django_db
def test_generated_data_has_current_statuses():
    call_command("generate_synthetic", detainees=60, seed=3, stdout=open("/dev/null", "w"),
                 stderr=open("/dev/null", "w"))  # fmt: skip
    assert Detainee.objects.exclude(status="unknown").count() == 60
    assert not Detainee.objects.stale_status().exists()
    for person in Detainee.objects.order_by("pk")[:20]:
        assert stored(person) == expected(person)


@pytest.mark.django_db
def test_stale_status_finds_a_row_written_behind_the_rules_back():
    person = DetentionFactory(held_by="RU").detainee
    Detainee.objects.filter(pk=person.pk).update(status="released", held_by="")
    assert list(Detainee.objects.stale_status()) == [person]
    Detainee.objects.all().refresh_status()
    assert stored(person)[:2] == ("held", "RU")


@pytest.mark.django_db
def test_closing_a_detention_inline_in_the_admin_updates_the_status(editor_client):
    from tests.admin_helpers import form_errors, inline_management_data, inline_prefix

    detention = DetentionFactory(held_by="RU", detained_on=D(2022, 2, 17), detainee__is_published=False)
    person = detention.detainee
    url = reverse("admin:detainees_detainee_change", args=[person.pk])
    page = editor_client.get(url)
    data = inline_management_data(page)
    form = page.context["adminform"].form
    data.update({name: form[name].value() for name in form.fields if form[name].value() not in (None, False)})
    data["aliases"] = "\n".join(person.aliases)
    data["loaded_version"] = form["loaded_version"].value() if "loaded_version" in form.fields else ""
    data["change_reason"] = "Released in the exchange"
    prefix = inline_prefix(page, "detention")
    data.update({f"{prefix}-0-released_on": "2022-12-08", f"{prefix}-0-end_reason": "exchanged"})
    response = editor_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    assert stored(person) == ("exchanged", "", detention.pk)


@pytest.mark.django_db
def test_a_person_with_no_custody_on_file_is_exchanged_by_a_published_completed_exchange():
    from exchanges.models import ExchangeParticipant
    from tests.factories import ExchangeFactory

    person = DetaineeFactory()
    exchange = ExchangeFactory(is_published=False, status="completed")
    participation = ExchangeParticipant.objects.create(exchange=exchange, detainee=person, released_by="RU",
                                                       received_by="US")  # fmt: skip

    def status():
        assert not Detainee.objects.stale_status().exists()  # the stored status is what the rule says
        person.refresh_status_from_db()
        return person.status

    assert status() == Status.UNKNOWN  # a draft exchange changes no one's status
    exchange.is_published = True
    exchange.save()
    assert status() == Status.EXCHANGED
    exchange.status = "proposed"
    exchange.save()
    assert status() == Status.UNKNOWN
    exchange.status = "completed"
    exchange.save()
    participation.delete()
    assert status() == Status.UNKNOWN
    ExchangeParticipant.objects.create(exchange=exchange, detainee=person, released_by="RU", received_by="US")
    assert status() == Status.EXCHANGED
    from detainees.selectors import status_sentence

    sentence = status_sentence(Detainee.objects.with_status().get(pk=person.pk))
    assert sentence == f"Exchanged on {exchange.partial_date('date')} in the {exchange.name} (custody not on file)"
