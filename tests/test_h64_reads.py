"""The API's reads (h64, issue 21 items 3 and 4): a cold API detail answered before its document is stored."""

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections


@pytest.mark.django_db
def test_a_cold_detail_is_answered_before_its_document_is_stored(demo, settings):
    """The build's store is left to the response's closing (the WSGI server closes it once sent): the answer is
    complete before it, and the document is stored, current, when it is closed."""
    from django.test import RequestFactory

    from casedocs import services
    from casedocs.models import CaseDocument
    from detainees.api import DetaineeViewSet
    from detainees.models import Detainee

    settings.PAGE_CACHE_SECONDS = 0
    person = Detainee.objects.published().get(slug="paul-whelan")
    CaseDocument.objects.filter(pk=person.pk).delete()
    view = DetaineeViewSet.as_view({"get": "retrieve"})
    response = view(RequestFactory().get(f"/api/v1/detainees/{person.pk}/"), pk=str(person.pk))
    response.render()
    assert response.status_code == 200 and response.data["id"] == person.pk
    assert not services.current().filter(pk=person.pk).exists()  # not yet: the answer is what waited
    request_finished.disconnect(close_old_connections)  # as the test client closes a response: the test's
    try:  # transaction keeps its connection
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert services.current().filter(pk=person.pk).exists()
    fresh = view(RequestFactory().get(f"/api/v1/detainees/{person.pk}/"), pk=str(person.pk))
    fresh.render()
    assert fresh.content == response.content


@pytest.mark.django_db
def test_a_cold_detail_answered_304_still_stores_its_document(demo, client, settings):
    from casedocs import services
    from casedocs.models import CaseDocument
    from detainees.models import Detainee

    settings.PAGE_CACHE_SECONDS = 0
    person = Detainee.objects.published().get(slug="paul-whelan")
    etag = client.get(f"/api/v1/detainees/{person.pk}/")["ETag"]
    CaseDocument.objects.filter(pk=person.pk).delete()
    assert client.get(f"/api/v1/detainees/{person.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert services.current().filter(pk=person.pk).exists()


@pytest.fixture
def people(db):
    """Seven people still held (by two states), four released, two with no custody on file."""
    import datetime

    from tests.factories import DetaineeFactory, DetentionFactory

    for n in range(7):
        DetentionFactory(detainee=DetaineeFactory(), held_by="RU" if n % 3 else "BY",
                         detained_on=datetime.date(2020, 1 + n, 1))  # fmt: skip
    for n in range(4):
        DetentionFactory(detainee=DetaineeFactory(), detained_on=datetime.date(2019, 1, 1 + n),
                         released_on=datetime.date(2021, 1, 1), end_reason="released")  # fmt: skip
    DetaineeFactory(), DetaineeFactory()


URLS = ["/api/v1/detainees/?status=held&page_size=3&page=1", "/api/v1/detainees/?status=held&page_size=3&page=3",
        "/api/v1/detainees/?held_by=RU&page_size=2&page=2", "/api/v1/detainees/?held_by=BY",
        "/api/v1/detainees/?custody=none&page_size=1", "/api/v1/detainees/?status=released&fields=id,days_held",
        "/api/v1/detainees/?page=2&page_size=4&ordering=-name"]  # fmt: skip


def test_filtered_lists_serve_stored_documents_as_computed(people, client, settings):
    """The API list by page number (h64: the page's ids, then stored documents, then the rows of those not stored):
    bodies and ETags equal to those computed without stored documents, all stored, some, or none."""
    from casedocs import services
    from casedocs.models import CaseDocument
    from detainees.models import Detainee

    settings.PAGE_CACHE_SECONDS = 0
    ids = sorted(Detainee.objects.published().values_list("pk", flat=True))
    settings.CASE_DOCUMENTS = False
    computed = [client.get(url) for url in URLS]
    assert all(r.status_code == 200 and r.json()["results"] for r in computed), [r.content for r in computed]
    settings.CASE_DOCUMENTS = True
    for stored in (ids, ids[::2], []):
        CaseDocument.objects.all().delete()
        services.build(stored, pages=False)
        for url, expected in zip(URLS, computed, strict=True):
            served = client.get(url)
            assert served.status_code == 200 and served.content == expected.content, url
            assert served["ETag"] == expected["ETag"], url


def test_a_stored_list_page_reads_no_rows_of_people_it_has_documents_for(people, client, settings):
    """A warm page: its size (stored counts), its ids, its documents: three statements on PostgreSQL, and no row of
    the people's own columns read (their documents hold them)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casedocs import services
    from detainees.models import Detainee

    settings.PAGE_CACHE_SECONDS = 0
    services.build(list(Detainee.objects.published().values_list("pk", flat=True)), pages=False)
    url = "/api/v1/detainees/?status=held&page_size=5"
    client.get(url)  # prepared statements, per-process caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    sent = [q["sql"] for q in captured if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert not any("aliases" in sql for sql in sent), sent
    if connection.vendor == "postgresql":
        assert len(sent) == 3, "\n".join(sent)


def test_a_stored_day_count_is_what_it_is_made_of_and_served_for_the_day(people, client, settings):
    """A document of someone still held stores what `days_held` is made of ("FIXED START,…"), one of someone no longer
    held the count itself; served, each equals the count computed that day, today as in a year."""
    import datetime
    from unittest import mock

    import orjson
    from django.utils import timezone

    from casedocs import services
    from casedocs.models import CaseDocument
    from detainees.documents import days_held_of
    from detainees.models import Detainee

    settings.PAGE_CACHE_SECONDS = 0
    ids = list(Detainee.objects.published().values_list("pk", flat=True))
    services.build(ids, pages=False)
    kinds = set()
    for document in CaseDocument.objects.filter(pk__in=ids):
        stored = orjson.loads(document.api)
        kinds.add(type(stored["days_held"]))
        assert isinstance(stored["days_held"], str) == document.daily, document.pk
        for day in (timezone.localdate(), timezone.localdate() + datetime.timedelta(days=365)):
            served = services._served(orjson.loads(document.api), day)
            assert served["days_held"] == days_held_of(served, day), (document.pk, day)
    assert kinds == {int, str}
    later = timezone.localdate() + datetime.timedelta(days=365)
    held = CaseDocument.objects.filter(pk__in=ids, daily=True).values_list("pk", flat=True).first()
    with mock.patch("django.utils.timezone.localdate", return_value=later):
        settings.CASE_DOCUMENTS = False
        computed = client.get(f"/api/v1/detainees/{held}/").json()["days_held"]
        settings.CASE_DOCUMENTS = True
        served = client.get(f"/api/v1/detainees/{held}/").json()["days_held"]
    assert served == computed and computed > 365


ACCEPTS = [
    ("*/*", ""), ("application/json", ""), ("application/json; indent=4", ""), ("text/html", ""),
    ("text/csv", ""), ("image/png", ""), ("*/*", "csv"), ("*/*", "api"), ("*/*", "nope"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ""),
]  # fmt: skip


def test_a_remembered_negotiation_answers_as_drfs_own(people, client, settings):
    """Each Accept header and format, asked twice (DRF's negotiation, then the one remembered): the same status,
    Content-Type and body shape; refusals (406, an unknown format) stay refusals."""
    from common.api import RememberedNegotiationMixin

    settings.PAGE_CACHE_SECONDS = 0
    RememberedNegotiationMixin._negotiated.clear()
    url = "/api/v1/detainees/?status=held&page_size=2"
    for accept, fmt in ACCEPTS:
        answers = []
        for _ in range(2):
            response = client.get(url + (f"&format={fmt}" if fmt else ""), HTTP_ACCEPT=accept)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            answers.append((response.status_code, response.get("Content-Type"), body.count(b"\n") > 3))
        assert answers[0] == answers[1], (accept, fmt, answers)
    assert len(RememberedNegotiationMixin._negotiated) == 8  # the answers chosen, remembered; never a refusal
    assert client.get(url, HTTP_ACCEPT="image/png").status_code == 406
    assert client.get(url + "&format=nope").status_code == 404
    indented = client.get(url, HTTP_ACCEPT="application/json; indent=4")
    assert indented.content.startswith(b"{\n    ") and indented["Content-Type"].startswith("application/json")
