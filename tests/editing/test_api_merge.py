"""PATCH with a stale If-Match is a three-way merge: it passes when the fields it sends were not changed since the
version the ETag named, and answers 412 naming the fields that were (issue 26, item 2)."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from detainees.models import Detainee, Detention
from tests.factories import DetaineeFactory, DetentionFactory, EditorFactory

pytestmark = pytest.mark.django_db


def api_client():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=EditorFactory()).key}")
    return client


def test_a_stale_patch_of_other_fields_passes_and_keeps_both_changes():
    detention = DetentionFactory(detainee=DetaineeFactory(is_published=False), place="Evin prison", circumstances="")
    url = reverse("api:detention-detail", args=[detention.pk])
    one, two = api_client(), api_client()
    etag_one, etag_two = one.get(url)["ETag"], two.get(url)["ETag"]
    assert one.patch(url, {"place": "Evin prison, ward 2A"}, format="json", HTTP_IF_MATCH=etag_one).status_code == 200
    response = two.patch(url, {"circumstances": "Arrested at the airport"}, format="json", HTTP_IF_MATCH=etag_two)
    assert response.status_code == 200, response.json()
    detention.refresh_from_db()
    assert (detention.place, detention.circumstances) == ("Evin prison, ward 2A", "Arrested at the airport")
    assert response["ETag"] == two.get(url)["ETag"]


def test_a_stale_patch_of_a_field_changed_since_is_412_naming_it_and_saves_nothing():
    person = DetaineeFactory(description="businessman", name_original="", is_published=False)
    url = reverse("api:detainee-detail", args=[person.pk])
    one, two = api_client(), api_client()
    etag_one, etag_two = one.get(url)["ETag"], two.get(url)["ETag"]
    assert one.patch(url, {"description": "consultant"}, format="json", HTTP_IF_MATCH=etag_one).status_code == 200
    response = two.patch(url, {"description": "oil executive", "name_original": "سیامک نمازی"}, format="json",
                         HTTP_IF_MATCH=etag_two)  # fmt: skip
    assert response.status_code == 412
    assert response.json()["fields"] == ["description"] and "description" in response.json()["detail"]
    person.refresh_from_db()
    assert (person.description, person.name_original) == ("consultant", "")


def test_a_field_sent_as_it_was_loaded_keeps_the_newer_value():
    detention = DetentionFactory(detainee=DetaineeFactory(is_published=False), place="Evin prison", circumstances="")
    url = reverse("api:detention-detail", args=[detention.pk])
    one, two = api_client(), api_client()
    etag_one, etag_two = one.get(url)["ETag"], two.get(url)["ETag"]
    assert one.patch(url, {"place": "Qarchak"}, format="json", HTTP_IF_MATCH=etag_one).status_code == 200
    response = two.patch(url, {"place": "Evin prison", "circumstances": "Detained on arrival"}, format="json",
                         HTTP_IF_MATCH=etag_two)  # fmt: skip
    assert response.status_code == 200
    assert Detention.objects.get(pk=detention.pk).place == "Qarchak"


def test_an_etag_never_served_and_a_stale_delete_are_still_refused():
    person = DetaineeFactory(is_published=False)
    url = reverse("api:detainee-detail", args=[person.pk])
    client = api_client()
    etag = client.get(url)["ETag"]
    assert client.patch(url, {"description": "x"}, format="json", HTTP_IF_MATCH='"made-up"').status_code == 412
    assert client.patch(url, {"description": "changed"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    assert client.delete(url, HTTP_IF_MATCH=etag).status_code == 412
    assert Detainee.objects.filter(pk=person.pk).exists()
