"""A write answers from what it validated and wrote (h56, issue 21 item 5): a new record's citations are the sources its
ids were checked against (one query for all of them, kept in the order the record's own read gives), and the
published-means-sourced check learns where a charge belongs from the statement that moves its person's time. The
answers stay those a read of the record gives next, byte for byte, and the errors those DRF gave."""

import datetime

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from common import integrity
from common.integrity import UnsourcedFacts, checked_writes
from detainees.models import Charge, Detainee, Detention
from tests.factories import DetaineeFactory, DetentionFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    return client


def sources_on_many_days() -> list[int]:
    """Sources whose order (newest first, undated last, then by id downwards) is not the order of their ids."""
    days = [datetime.date(2021, 5, 1), None, datetime.date(2023, 1, 9), datetime.date(2021, 5, 1), None]
    return [SourceFactory(published_on=day).pk for day in days]


@pytest.mark.parametrize("order", ["as_created", "reversed", "repeated"])
def test_a_posted_charge_answers_what_a_read_of_it_answers_next(api, demo, settings, order):
    settings.REVIEW_REQUIRED = True
    person = Detainee.objects.get(slug="paul-whelan")
    ids = sources_on_many_days() + [person.sources.first().pk]
    ids = {"as_created": ids, "reversed": ids[::-1], "repeated": ids + ids[:2]}[order]
    body = {"detention": person.detentions.first().pk, "category": "espionage", "statute": f"Answered {order}",
            "sources": ids}  # fmt: skip
    settings.AFTER_WRITE_IN_REQUEST = False  # the write alone (the worker then reads what became public)
    reset_queries()  # the request starts a new log (`request_started`): the capture counts from its start
    with CaptureQueriesContext(connection) as queries:
        posted = api.post("/api/v1/charges/", body, format="json")
    statements = [q["sql"] for q in queries.captured_queries]  # now: the next request clears the log
    assert posted.status_code == 201, posted.content
    read = api.get(posted.json()["url"])
    assert posted.content == read.content  # byte for byte: the same citations, in the same order
    assert sorted(posted.json()["sources"]) == sorted(set(ids))
    reads = [s for s in statements if s.startswith('SELECT "sources_source"."id",')]
    assert len(reads) == 1, reads  # the ids checked in one query, and the answer read none


def test_a_patched_charge_answers_what_a_read_of_it_answers_next(api, demo):
    person = Detainee.objects.get(slug="paul-whelan")
    charge = Charge.objects.filter(detention__detainee=person).first()
    ids = sources_on_many_days()
    patched = api.patch(f"/api/v1/charges/{charge.pk}/", {"sources": ids[::-1]}, format="json")
    assert patched.status_code == 200, patched.content
    read = api.get(f"/api/v1/charges/{charge.pk}/")
    assert patched.content == read.content
    assert patched["ETag"] == read["ETag"]


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ([999_999_999], 'Invalid pk "999999999" - object does not exist.'),
        ("first", 'Expected a list of items but got type "str".'),
        ([True], "An id is a whole number"),
        ([1.5], "An id is a whole number"),
    ],
)
def test_a_charge_citing_what_is_not_there_is_refused_naming_sources(api, demo, sources, message):
    person = Detainee.objects.get(slug="paul-whelan")
    first = person.sources.first().pk
    given = [first, *sources] if isinstance(sources, list) else sources
    body = {"detention": person.detentions.first().pk, "category": "espionage", "statute": "Refused",
            "sources": given}  # fmt: skip
    response = api.post("/api/v1/charges/", body, format="json")
    assert response.status_code in (400, 409), response.content
    assert list(response.json()) == ["sources"]
    assert response.json()["sources"][0].startswith(message)
    assert not Charge.objects.filter(statute="Refused").exists()


def test_the_first_missing_source_is_the_one_named(api, demo):
    person = Detainee.objects.get(slug="paul-whelan")
    body = {"detention": person.detentions.first().pk, "category": "espionage", "statute": "Refused",
            "sources": [person.sources.first().pk, 999_999_998, 999_999_997]}  # fmt: skip
    response = api.post("/api/v1/charges/", body, format="json")
    assert response.json() == {"sources": ['Invalid pk "999999998" - object does not exist.']}


def test_a_charge_is_checked_in_the_case_its_detention_belongs_to_now():
    """The check learns the charge's person from the database after the save (the statement moving that person's
    time), not from the detention the writer holds: a detention moved to another published person meanwhile (a merge
    committed between the writer's read and its lock) puts the unsourced charge in that person's case, refused."""
    held = DetentionFactory()
    held.sources.add(SourceFactory())
    other = DetentionFactory(detainee__is_published=True)
    other.detainee.sources.add(SourceFactory())
    other.sources.add(SourceFactory())
    stale = Detention.objects.get(pk=held.pk)
    Detention.objects.filter(pk=held.pk).update(detainee=other.detainee)  # the merge, committed
    Detainee.objects.filter(pk=held.detainee_id).update(is_published=False)  # the old person: nothing to check
    before = Detainee.objects.get(pk=other.detainee_id).updated_at
    with pytest.raises(UnsourcedFacts) as refusal, checked_writes():
        Charge.objects.create(detention=stale, category="espionage", statute="Uncited")
    assert {(p.case_id, p.record_label) for p in refusal.value.problems} == {(other.detainee_id, "detainees.charge")}
    assert not Charge.objects.filter(statute="Uncited").exists()
    with checked_writes():
        charge = Charge.objects.create(detention=stale, category="espionage", statute="Cited")
        charge.sources.add(SourceFactory())
    assert Detainee.objects.get(pk=other.detainee_id).updated_at > before  # the person it landed with moved


def test_a_case_read_with_its_lock_answers_the_reviews_read_until_it_is_saved():
    """A PATCH reads the person with the case's lock (`lock_on_read`); the review's read of whether it was public is
    answered from that row, without a statement, and only until the person is saved: a later save reads again."""
    person = DetaineeFactory(is_published=False)
    with checked_writes():
        read = integrity.lock_on_read(Detainee.objects.all()).get(pk=person.pk)
        integrity.read_locked(read)
        with CaptureQueriesContext(connection) as queries:
            assert integrity.lock_and_read(read, "is_published") is False
        assert queries.captured_queries == []
        read.description = "Saved once"
        read.save()
        assert integrity.lock_and_read(read, "is_published") is integrity.NOT_READ  # the caller reads it afresh
    assert integrity.lock_and_read(read, "is_published") is integrity.NOT_READ  # no block: nothing held


def test_a_patch_of_a_draft_by_an_account_still_awaits_review(api, demo, settings):
    """The review's rule reads the state the person was in before the write from the row read with the lock: a draft
    published by an account awaits a second editor, and a published person edited stays published."""
    settings.REVIEW_REQUIRED = True
    person = Detainee.objects.get(slug="paul-whelan")
    Detainee.objects.filter(pk=person.pk).update(is_published=False)
    response = api.patch(f"/api/v1/detainees/{person.pk}/", {"is_published": True}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["is_published"], response.json()["review_state"]) == (False, "awaiting_review")
    Detainee.objects.filter(pk=person.pk).update(is_published=True, awaiting_review=False)
    response = api.patch(f"/api/v1/detainees/{person.pk}/", {"description": "Still public"}, format="json")
    assert (response.json()["is_published"], response.json()["review_state"]) == (True, "published")
