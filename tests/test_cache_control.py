"""Who may keep a response: public ones for a CDN (short, stale-while-revalidate, keyed by data version), nothing
signed-in, written or failed."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle

from changes.publisher import publish
from common.cache import data_version
from tests.factories import DetaineeFactory

pytestmark = pytest.mark.django_db

PUBLIC = "public, max-age=60, stale-while-revalidate=600, stale-if-error=600"


@pytest.mark.parametrize("cached", [False, True], ids=["rendered", "from the page cache"])
def test_public_pages_and_api_reads_may_be_kept_by_a_cdn_keyed_by_data_version(cached):
    person = DetaineeFactory(is_published=True)
    publish()  # written outside a request: published here, as the write request would have (a read would, later)
    client = Client()
    for url in ["/", "/detainees/", person.get_absolute_url(), "/api/v1/detainees/", f"/api/v1/detainees/{person.pk}/",
                "/api/v1/outlets/"]:  # fmt: skip
        if cached:
            client.get(url)
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == PUBLIC, url
        assert {"Cookie", "Authorization"} <= {v.strip() for v in response["Vary"].split(",")}, url
        version = data_version(public=True)  # an anonymous request's: the change feed's
        assert response["X-Data-Version"] == version, url
        assert response["Surrogate-Key"].split() == ["public", f"data-{version}"], url


def test_the_version_header_moves_with_the_data():
    person = DetaineeFactory(is_published=True)
    before = Client().get(person.get_absolute_url())["X-Data-Version"]
    person.description = "corrected"
    person.save()
    after = Client().get(person.get_absolute_url())
    assert after["X-Data-Version"] != before and after["Surrogate-Key"] == f"public data-{after['X-Data-Version']}"


def test_a_missing_page_is_public_too_but_health_and_errors_are_not_kept():
    client = Client()
    assert client.get("/detainees/nobody/")["Cache-Control"] == PUBLIC
    assert client.get("/healthz")["Cache-Control"] == "no-store"
    assert client.get("/api/v1/detainees/", {"bogus": "1"})["Cache-Control"] == "no-store"  # 400


def test_a_throttled_answer_is_not_kept(monkeypatch):
    monkeypatch.setitem(AnonRateThrottle.THROTTLE_RATES, "anon", "1/day")
    client = Client()
    client.get("/api/v1/outlets/")
    response = client.get("/api/v1/outlets/")
    assert response.status_code == 429 and response["Cache-Control"] == "no-store"


def test_signed_in_responses_are_private_and_never_stored(editor):
    person = DetaineeFactory(is_published=True)
    client = Client()
    client.get(person.get_absolute_url())  # in the public page cache
    client.force_login(editor)
    for url in ["/", person.get_absolute_url(), "/api/v1/detainees/", "/admin/"]:
        response = client.get(url)
        assert response["Cache-Control"] == "private, no-store", url
        assert "Surrogate-Key" not in response and "X-Data-Version" not in response, url
    token = Token.objects.create(user=editor).key
    response = Client().get(f"/api/v1/detainees/{person.pk}/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_the_admin_login_and_writes_are_never_stored():
    client = Client()
    assert client.get("/admin/login/")["Cache-Control"] == "private, no-store"
    assert client.post("/api/v1/outlets/", {}, content_type="application/json")["Cache-Control"] == "private, no-store"
