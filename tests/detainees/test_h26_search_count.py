"""A name search counts its matches inside the page query (`COUNT(*) OVER ()`), not in a second query that reads the
trigram index again: on the HTML list (`?q=`) and on the API (`?q=`)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db


def counts_apart(queries) -> list[str]:
    """The queries that count the list's matches on their own: a `.count()` of the searched list (the facets' counts,
    and the count of those without custody, are other figures)."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith('SELECT COUNT(*) AS "__count"') and "search_key" in q["sql"] and "EXISTS" not in q["sql"]
    ]


def people(n: int, stem: str = "Whelan"):
    for i in range(n):
        DetentionFactory(detainee=DetaineeFactory(name=f"Paul {stem} {i:02d}"))


def test_html_search_counts_inside_the_page_query(client, django_assert_num_queries):
    people(30)
    DetaineeFactory(name="Paul Whelan 99", is_published=False)  # a draft: neither listed nor counted
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("detainees:detainee-list"), {"q": "whelan"})
    assert response.context["paginator"].count == 30 and len(response.context["object_list"]) == 25
    assert not counts_apart(captured.captured_queries)
    assert [q for q in captured.captured_queries if " OVER " in q["sql"].upper()]
    # the second page knows the count from the cache (same data version), and reads only its own rows
    page2 = client.get(reverse("detainees:detainee-list"), {"q": "whelan", "page": 2})
    assert page2.context["paginator"].count == 30 and len(page2.context["object_list"]) == 5


def test_html_search_query_count(client, django_assert_num_queries):
    people(5)
    # data version, the page with its count in one query (no separate COUNT), the filtered facets in one query from
    # the stored facet rows (h50; were six GROUP BYs and two more), and the stored counts
    with django_assert_num_queries(4):
        client.get(reverse("detainees:detainee-list"), {"q": "whelan"})


def test_html_search_beyond_the_last_page_shows_the_last(client):
    people(30)
    response = client.get(reverse("detainees:detainee-list"), {"q": "whelan", "page": 9})
    # the last page, under a 404 that says page 9 does not exist (h67)
    assert response.status_code == 404 and response.context["page_obj"].number == 2
    assert response.context["page_refused"].startswith("There is no page 9: these results fill 2 pages")
    assert len(response.context["object_list"]) == 5


def test_html_search_finding_nothing_counts_nothing(client):
    people(3)
    response = client.get(reverse("detainees:detainee-list"), {"q": "zzzz"})
    assert response.status_code == 200 and response.context["paginator"].count == 0


def test_api_search_counts_inside_the_page_query(client, settings):
    settings.CASE_DOCUMENTS = False
    people(12)
    DetaineeFactory(name="Paul Whelan 77", is_published=False)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("api:detainee-list"), {"q": "whelan", "page_size": 5})
    body = response.json()
    assert response.status_code == 200 and body["count"] == 12 and len(body["results"]) == 5
    assert "_page_total" not in body["results"][0]
    assert not counts_apart(captured.captured_queries)
    assert [q for q in captured.captured_queries if " OVER " in q["sql"].upper()]
    last = client.get(reverse("api:detainee-list"), {"q": "whelan", "page_size": 5, "page": 3}).json()
    assert last["count"] == 12 and len(last["results"]) == 2 and last["next"] is None


def test_api_search_page_beyond_the_end_is_a_400_naming_page(client):
    people(3)
    response = client.get(reverse("api:detainee-list"), {"q": "whelan", "page": 5})
    assert response.status_code == 400 and "page" in response.json()


def test_api_search_counts_the_same_as_before_with_a_filter(client):
    people(4)
    DetaineeFactory(name="Paul Whelan solo")  # no detention: status unknown
    body = client.get(reverse("api:detainee-list"), {"q": "whelan", "custody": "on_file"}).json()
    assert body["count"] == 4 and len(body["results"]) == 4
