"""The lean read path of /api/v1/detainees/ gives exactly what the serializer gives, in a fixed number of queries."""

import datetime
import json

import pytest
from django.core.management import call_command
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from changes.publisher import publish
from common.api import representation_etag
from detainees.models import Detainee
from detainees.selectors import case_queryset
from detainees.serializers import DetaineeSerializer
from tests.factories import (
    ChargeFactory,
    DesignationFactory,
    DetaineeFactory,
    DetentionFactory,
    SentenceFactory,
    SourceFactory,
    TransferFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _assembled(settings):
    """The assembler is what is measured here: what editors read, and what a list or a first visit gets where no
    stored document is current. Stored documents are tested in tests/test_case_documents.py."""
    settings.CASE_DOCUMENTS = False
D = datetime.date


def serializer_output(pk: int, query: dict | None = None, user=None) -> dict:
    """The reference: the full serializer on the full prefetching queryset, rendered to JSON and read back."""
    from django.contrib.auth.models import AnonymousUser

    raw = APIRequestFactory().get(f"/api/v1/detainees/{pk}/", query or {})
    raw.user = user or AnonymousUser()
    request = Request(raw)
    obj = case_queryset(raw.user).get(pk=pk)
    return json.loads(JSONRenderer().render(DetaineeSerializer(obj, context={"request": request}).data))


def awkward_case() -> Detainee:
    """Everything that differs between backends or types: undated sources and designations, money, booleans,
    extradition, several citizenships, two detentions, a sentence change."""
    person = DetaineeFactory(name="Виктор Бут", aliases=["Victor Bout", "Viktor Bout"], citizenships=["RU", "UA"],
                             is_published=True, born_on=D(1967, 1, 1), born_on_precision="year")  # fmt: skip
    person.sources.add(SourceFactory(published_on=None), SourceFactory(published_on=D(2008, 3, 7)), SourceFactory())
    DetentionFactory(detainee=person, held_by="TH", detained_on=D(2008, 3, 6), released_on=D(2010, 11, 16),
                     end_reason="extradited")  # fmt: skip
    first = DetentionFactory(detainee=person, held_by="US", detained_on=D(2010, 11, 16), released_on=D(2022, 12, 8),
                             end_reason="exchanged")  # fmt: skip
    first.sources.add(SourceFactory(published_on=None), SourceFactory(published_on=D(2010, 1, 1)))
    charges = [ChargeFactory(detention=first, category=c, charged_on=None) for c in ("arms_trafficking", "terrorism")]
    charges[0].sources.add(SourceFactory())
    sentence = SentenceFactory(detention=first, sentenced_on=D(2012, 4, 5), term_months=300,
                               fine_amount="15000000.50", fine_currency="USD")  # fmt: skip
    sentence.charges.add(*charges)
    sentence.sources.add(SourceFactory())
    SentenceFactory(detention=first, sentenced_on=D(2011, 4, 5), term_months=None, is_life=True)
    change = sentence.changes.create(kind="appeal_rejected", changed_on=D(2013, 9, 27), court="2nd Circuit")
    change.sources.add(SourceFactory())
    TransferFactory(detention=first, moved_on=D(2012, 5, 1), facility_name="USP Marion").sources.add(SourceFactory())
    DetentionFactory(detainee=person, held_by="RU", detained_on=D(2024, 1, 1), detained_on_precision="month")
    DesignationFactory(detainee=person, designated_on=None)
    DesignationFactory(detainee=person, designated_on=D(2020, 1, 1), withdrawn_on=D(2021, 6, 1),
                       authority_country="").sources.add(SourceFactory())  # fmt: skip
    return person


@pytest.mark.slow  # a differential test over the demo and 40 generated cases
def test_every_document_equals_the_serializers(demo):
    awkward_case()
    call_command("generate_synthetic", detainees=40, seed=5, stdout=open("/dev/null", "w"),
                 stderr=open("/dev/null", "w"))  # fmt: skip
    api = APIClient()
    listed = api.get("/api/v1/detainees/", {"page_size": 500}).json()["results"]
    published = Detainee.objects.published().order_by("name", "id")
    assert [d["id"] for d in listed] == list(published.values_list("pk", flat=True))
    for document in listed:
        expected = serializer_output(document["id"])
        assert document == expected
        assert api.get(f"/api/v1/detainees/{document['id']}/").json() == expected


def test_field_selection_and_etag_match_the_serializer_path(demo):
    person = awkward_case()
    api = APIClient()
    query = {"fields": "name,status,detentions.held_by,detentions.sentences.charges"}
    response = api.get(f"/api/v1/detainees/{person.pk}/", query)
    assert response.json() == serializer_output(person.pk, query)
    assert set(response.json()) == {"name", "status", "detentions"}
    whole = api.get(f"/api/v1/detainees/{person.pk}/")
    assert whole["ETag"] == representation_etag(serializer_output(person.pk))  # as a write's If-Match computes it
    assert api.get(f"/api/v1/detainees/{person.pk}/", HTTP_IF_NONE_MATCH=whole["ETag"]).status_code == 304
    bad = api.get("/api/v1/detainees/", {"fields": "name,nope"})
    assert bad.status_code == 400 and "nope" in bad.json()["fields"][0]


def test_drafts_stay_hidden_on_the_lean_path(editor):
    draft = DetaineeFactory(is_published=False)
    api = APIClient()
    assert api.get(f"/api/v1/detainees/{draft.pk}/").status_code == 404
    assert api.get("/api/v1/detainees/abc/").status_code == 404
    assert api.get("/api/v1/detainees/").json()["count"] == 0
    api.force_authenticate(editor)
    assert api.get(f"/api/v1/detainees/{draft.pk}/").json() == serializer_output(draft.pk, user=editor)


def big_case(rows: int) -> Detainee:
    person = DetaineeFactory(is_published=True)
    for i in range(rows):
        detention = DetentionFactory(detainee=person, detained_on=D(2000 + i % 20, 1, 1 + i % 28),
                                     released_on=D(2021, 1, 1), end_reason="released")  # fmt: skip
        detention.sources.add(SourceFactory())
        ChargeFactory(detention=detention).sources.add(SourceFactory())
        SentenceFactory(detention=detention, sentenced_on=D(2021, 1, 1))
        TransferFactory(detention=detention, moved_on=D(2020, 12, 1))
        DesignationFactory(detainee=person)
    return person


@pytest.mark.parametrize("rows", [1, 50])
def test_detail_costs_three_queries_for_1_or_50_related_rows(django_assert_num_queries, rows):
    person = big_case(rows)
    publish()  # written outside a request: published here, as the write request would have
    api = APIClient()
    # data version; the person; every nested record, citation and link (one statement since h64); its last event in
    # the change feed
    with django_assert_num_queries(4):
        body = api.get(f"/api/v1/detainees/{person.pk}/").json()
    assert len(body["detentions"]) == rows and len(body["designations"]) == rows
    with django_assert_num_queries(2):  # kept for anonymous readers until the data changes; Last-Modified
        assert api.get(f"/api/v1/detainees/{person.pk}/").json() == body


def test_signed_in_readers_always_get_fresh_documents(editor, django_assert_num_queries):
    person = big_case(1)
    api = APIClient()
    api.force_authenticate(editor)
    api.get(f"/api/v1/detainees/{person.pk}/")
    # no cache for them (they may see drafts): the person; the records with their links (one statement since h64);
    # the feed's Last-Modified
    with django_assert_num_queries(3):
        api.get(f"/api/v1/detainees/{person.pk}/")


def test_list_costs_four_queries_at_any_page_size(django_assert_num_queries):
    from django.core.cache import cache

    for _ in range(50):  # made once for the three page sizes
        big_case(1)
    api = APIClient()
    for page_size in (1, 20, 50):
        cache.clear()  # each page size starts as its own test did
        with django_assert_num_queries(4):  # data version; count; page; nested records and links (one since h64)
            body = api.get("/api/v1/detainees/", {"page_size": page_size}).json()
        assert len(body["results"]) == page_size and body["count"] == 50
        with django_assert_num_queries(1):  # the data version: the response is kept until the data changes
            body = api.get("/api/v1/detainees/", {"page_size": page_size}).json()
        assert len(body["results"]) == page_size and body["count"] == 50


def test_cached_counts_follow_creation_edits_and_deletion():
    people = [DetaineeFactory(is_published=True) for _ in range(3)]
    api = APIClient()

    def count(**query):
        return api.get("/api/v1/detainees/", query).json()["count"]

    assert count() == 3 and count(status="held") == 0
    DetentionFactory(detainee=people[0])
    assert count(status="held") == 1
    people[1].is_published = False
    people[1].save()
    assert count() == 2
    people[2].delete()
    assert count() == 1
    Detainee.objects.bulk_create([Detainee(name="Bulk", slug="bulk", is_published=True)])
    assert count() == 2


@pytest.mark.django_db(transaction=True)  # the data must outlive the session
def test_reads_survive_a_new_database_session(settings):
    """Prepared statements belong to a session; after a reconnect they are prepared again, not assumed."""
    from django.db import connection

    settings.PAGE_CACHE_SECONDS = 0  # every read runs its queries

    person = big_case(2)
    api = APIClient()
    first = api.get(f"/api/v1/detainees/{person.pk}/").json()
    connection.close()
    assert api.get(f"/api/v1/detainees/{person.pk}/").json() == first
    if connection.vendor == "postgresql":  # the new session prepared its own: the nested records with the links (one
        with connection.cursor() as cursor:  # statement since h64), and the feed's last event (Last-Modified, h55)
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'doc_%%'")
            assert cursor.fetchone()[0] == 2


def test_documents_are_the_same_without_prepared_statements(settings):
    person = big_case(3)
    api = APIClient()
    prepared = api.get(f"/api/v1/detainees/{person.pk}/").json()
    settings.DB_PREPARED_STATEMENTS = False
    settings.PAGE_CACHE_SECONDS = 0
    assert api.get(f"/api/v1/detainees/{person.pk}/").json() == prepared


def test_the_fast_renderer_writes_the_bytes_drf_writes():
    """orjson renders the API's JSON (FastJSONRenderer); it must not change a byte of what DRF's renderer wrote."""
    from decimal import Decimal

    from django.utils.translation import gettext_lazy

    from common.api import FastJSONRenderer

    data = {
        "name": 'Виктор Бут, "Merchant of Death" </script> \u2028\u2029 ✓',
        "values": [1, -2, 10**15, None, True, False, "", []],
        "amount": Decimal("12.50"),
        "on": D(2024, 1, 2),
        "at": datetime.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.UTC),
        "label": gettext_lazy("Held"),
        "nested": {"é": {"deeper": [{"x": "y"}]}},
    }
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)
    assert FastJSONRenderer().render(data, "application/json; indent=2") == JSONRenderer().render(
        data, "application/json; indent=2"
    )


def test_a_page_of_documents_is_rendered_as_drf_would(client):
    person = DetaineeFactory(name="Ольга O'Neil", description="line\u2028break")
    DetentionFactory(detainee=person)
    response = APIClient().get("/api/v1/detainees/", {"q": "neil"})
    assert response.status_code == 200 and response.json()["count"] == 1
    assert response.content == JSONRenderer().render(response.json())
