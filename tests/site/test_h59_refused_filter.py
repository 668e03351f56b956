"""h59: a day not in the calendar (?held_on=2024-13-45) on the case list. At 390 px the refusal sat below the
facets, where no one sees it; the heading said "118 cases match these filters" though no filter was applied; the
CSV and JSON links carried the bad value, so they answered the API's 400. Now the refusal comes first, the heading
says the filter was not applied, and the downloads carry only the filters applied."""

import pytest

from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases():
    DetentionFactory(detainee=DetaineeFactory(name="Held Person"), held_by="RU")
    DetaineeFactory(name="Other Person")


def test_a_refused_filter_is_said_before_the_facets_and_not_counted_as_applied(client, cases):
    response = client.get("/detainees/?held_on=2024-13-45")
    assert response.status_code == 400
    html = response.content.decode()
    refusal = html.index("Some filters could not be understood")
    assert refusal < html.index('<aside class="filters"')  # first thing under the heading, at any width
    assert html.count("Some filters could not be understood") == 1
    assert "match these filters" not in html and "match this filter" not in html
    assert "in all: the filter given was not applied" in html
    assert "(1 active)" not in html


def test_the_downloads_carry_only_the_filters_applied(client, cases):
    html = client.get("/detainees/?held_on=2024-13-45&status=held").content.decode()
    assert "held_on=2024-13-45&amp;format=csv" not in html and "held_on=2024-13-45&format=csv" not in html
    assert '/api/v1/detainees/?status=held&amp;format=csv"' in html
    assert "matches the filters that could be applied" in html  # one case
    csv = client.get("/api/v1/detainees/?status=held&format=csv")
    assert csv.status_code == 200  # the link answers the file, not the API's 400
    alone = client.get("/detainees/?held_on=2024-13-45").content.decode()
    assert '/api/v1/detainees/?format=csv"' in alone


def test_a_valid_filter_still_reads_as_before(client, cases):
    html = client.get("/detainees/?status=held").content.decode()
    assert "match this filter" in html or "matches these filters" in html or "match these filters" in html
    assert "Some filters could not be understood" not in html
