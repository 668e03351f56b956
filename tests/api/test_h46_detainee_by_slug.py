"""A script that knows a case page's address (/detainees/<slug>/) gets the case's JSON."""

import pytest
from rest_framework.test import APIClient

from tests.factories import DetaineeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_slug_filter_finds_exactly_that_case(api):
    person = DetaineeFactory(name="Paul Whelan", is_published=True)
    DetaineeFactory(name="Paul Whelan Junior", is_published=True)
    response = api.get("/api/v1/detainees/", {"slug": person.slug})
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [person.pk]


def test_slug_filter_never_finds_a_draft(api):
    draft = DetaineeFactory(name="Hidden Person", is_published=False)
    response = api.get("/api/v1/detainees/", {"slug": draft.slug})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_detail_by_slug_redirects_permanently_to_the_id_address(api):
    person = DetaineeFactory(name="Paul Whelan", is_published=True)
    response = api.get(f"/api/v1/detainees/{person.slug}/?fields=name")
    assert response.status_code == 301
    assert response["Location"].endswith(f"/api/v1/detainees/{person.pk}/?fields=name")
    assert api.get(response["Location"]).json() == {"name": "Paul Whelan"}


def test_detail_by_slug_of_a_draft_is_404_like_an_unknown_one(api):
    draft = DetaineeFactory(name="Hidden Person", is_published=False)
    assert api.get(f"/api/v1/detainees/{draft.slug}/").status_code == 404
    assert api.get("/api/v1/detainees/no-such-person/").status_code == 404
