""" "Did you mean": a name search that finds nothing (or few) offers the nearest published names, by the matcher
reconciliation uses; on the list page as links, in the API at `/api/v1/detainees/suggest/?q=` (and a `Link` header
on the list). A draft is never offered, nor counted."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from detainees.selectors import name_suggestions
from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def whelan(db):
    person = DetaineeFactory(name="Paul Whelan", name_original="Пол Уилан", citizenships=["US", "GB"])
    DetentionFactory(detainee=person)
    DetaineeFactory(name="Brittney Griner")
    return person


def test_a_one_letter_typo_finds_nothing_but_is_offered_the_name(client, whelan):
    response = client.get(reverse("detainees:detainee-list"), {"q": "whelen"})
    assert response.context["result_count"] == 0
    html = response.content.decode()
    assert "Did you mean:" in html and ">Paul Whelan</a>" in html
    assert response.context["suggestions"] == [("Paul Whelan", "/detainees/?q=Paul+Whelan")]
    # the link finds him
    assert client.get("/detainees/?q=Paul+Whelan").context["result_count"] == 1


def test_the_link_keeps_the_other_filters_and_suggests_within_them(client, whelan):
    response = client.get(reverse("detainees:detainee-list"), {"q": "whelen", "citizenship": "US"})
    [(name, link)] = response.context["suggestions"]
    assert name == "Paul Whelan" and "citizenship=US" in link and "q=Paul+Whelan" in link
    nobody = client.get(reverse("detainees:detainee-list"), {"q": "whelen", "citizenship": "FR"})
    assert nobody.context["suggestions"] == []  # no Frenchman is near: no link to an empty list


def test_a_search_that_finds_enough_offers_nothing(client, whelan):
    for n in range(3):
        DetaineeFactory(name=f"Paul Whelan {n}")
    response = client.get(reverse("detainees:detainee-list"), {"q": "whelan"})
    assert response.context["result_count"] == 4 and response.context["suggestions"] == []
    assert "Did you mean" not in response.content.decode()


def test_nothing_near_offers_nothing(client, whelan):
    response = client.get(reverse("detainees:detainee-list"), {"q": "zzyzx"})
    assert response.context["suggestions"] == [] and "Did you mean" not in response.content.decode()


def test_a_draft_is_never_suggested_not_even_to_an_editor(editor_client, whelan):
    DetaineeFactory(name="Secret Whelon", is_published=False)
    html = Client().get(reverse("detainees:detainee-list"), {"q": "whelon"}).content.decode()
    assert "Secret" not in html and "Paul Whelan" in html
    response = editor_client.get(reverse("detainees:detainee-list"), {"q": "whelen"})
    assert [name for name, _link in response.context["suggestions"]] == ["Paul Whelan"]
    body = APIClient().get("/api/v1/detainees/suggest/", {"q": "whelon"}).json()
    assert [s["name"] for s in body["suggestions"]] == ["Paul Whelan"]
    assert "Secret Whelon" not in [p.name for p, _s in name_suggestions("secret whelon")]  # its exact name


def test_the_page_is_translated(client, whelan):
    html = client.get("/ru/detainees/", {"q": "whelen"}).content.decode()
    with translation.override("ru"):
        assert translation.gettext("Did you mean:") != "Did you mean:"
        assert translation.gettext("Did you mean:") in html


def test_the_api_suggests_and_links_from_the_list(whelan):
    client = APIClient()
    listed = client.get("/api/v1/detainees/", {"q": "whelen"})
    assert listed.status_code == 200 and listed.json()["count"] == 0
    assert set(listed.json()) == {"count", "next", "previous", "results"}  # the list keeps its shape
    assert listed["Link"] == '<http://testserver/api/v1/detainees/suggest/?q=whelen>; rel="suggestions"'
    body = client.get("/api/v1/detainees/suggest/", {"q": "  whelen "}).json()
    assert body["q"] == "whelen"
    [top] = body["suggestions"]
    assert top["id"] == whelan.pk and top["name"] == "Paul Whelan" and 0.8 <= top["score"] <= 1
    assert top["url"] == f"http://testserver/api/v1/detainees/{whelan.pk}/"
    assert top["html_url"] == f"http://testserver/detainees/{whelan.slug}/"
    assert client.get(top["search_url"]).json()["count"] == 1


def test_the_api_list_that_finds_enough_has_no_link(whelan):
    for n in range(3):
        DetaineeFactory(name=f"Paul Whelan {n}")
    assert "Link" not in APIClient().get("/api/v1/detainees/", {"q": "whelan"})


BAD = [({}, "q"), ({"q": ""}, "q"), ({"q": "x" * 201}, "q"), ({"q": "a\x00b"}, "q"),
       ({"q": "whelen", "limit": "3"}, "limit")]  # fmt: skip


@pytest.mark.parametrize("params,field", BAD)
def test_bad_suggest_requests_are_a_400_naming_the_parameter(whelan, params, field):
    response = APIClient().get("/api/v1/detainees/suggest/", params)
    assert response.status_code == 400 and field in response.json()


def test_a_blank_search_suggests_nothing(whelan):
    response = APIClient().get("/api/v1/detainees/suggest/", {"q": "   "})
    assert response.status_code == 200 and response.json() == {"q": "", "suggestions": []}


def test_the_endpoint_is_in_the_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/detainees/suggest/"]["get"]
    assert [p["name"] for p in operation["parameters"] if p["in"] == "query"] == ["q"]
    assert "suggestions" in str(operation["responses"]["200"])


def test_suggestions_cost_no_more_queries_when_asked_again(client, whelan, django_assert_max_num_queries):
    client.get(reverse("detainees:detainee-list"), {"q": "whelen"})
    with django_assert_max_num_queries(1):  # the page, and with it its suggestions, from the cache
        client.get(reverse("detainees:detainee-list"), {"q": "whelen"})
