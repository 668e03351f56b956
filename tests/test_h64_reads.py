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
