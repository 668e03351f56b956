"""Exchange, source and statement pages, the overview, sitemap and feed."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import (
    DetaineeFactory,
    ExchangeFactory,
    OutletFactory,
    ParticipantFactory,
    SourceFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


def test_exchange_page_shows_who_went_which_way(client, demo):
    html = client.get(reverse("exchanges:exchange-detail", args=["griner-bout-exchange"])).content.decode()
    assert "8 December 2022" in html and "Abu Dhabi airport" in html and "United Arab Emirates" in html
    assert "Where sources disagree" in html and "United Arab Emirates, Saudi Arabia" in html
    assert html.index("Brittney Griner") < html.index("Viktor Bout")


def test_exchange_page_with_30_people_costs_no_more_than_with_2(client, django_assert_num_queries):
    small, big = ExchangeFactory(name="Small"), ExchangeFactory(name="Big")
    for exchange, n in ((small, 2), (big, 30)):
        for i in range(n):
            ParticipantFactory(exchange=exchange, released_by="RU" if i % 2 else "US", received_by="DE")
        exchange.sources.add(SourceFactory())
    with django_assert_num_queries(7):  # the data version, then the exchange page's own six (counts included)
        client.get(small.get_absolute_url())
    with django_assert_num_queries(7):
        response = client.get(big.get_absolute_url())
    assert len(response.context["directions"]) == 2


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "AE"}, ["Griner–Bout exchange"]),
        ({"country": "de"}, ["2024 Ankara prisoner exchange"]),
        ({"year": "2022"}, ["Griner–Bout exchange", "Reed–Yaroshenko exchange"]),
        ({"q": "Yaroshenko"}, ["Reed–Yaroshenko exchange"]),
        ({"q": "Ярошенко"}, ["Reed–Yaroshenko exchange"]),
        (
            {"ordering": "date"},
            [
                "Gilad Shalit prisoner exchange",
                "Reed–Yaroshenko exchange",
                "Griner–Bout exchange",
                "2024 Ankara prisoner exchange",
            ],
        ),
    ],
)
def test_exchange_list_filters(client, demo, params, expected):
    response = client.get(reverse("exchanges:exchange-list"), params)
    got = [e.name for e in response.context["object_list"]]
    assert got == expected if "ordering" in params else sorted(got) == sorted(expected)


def test_exchange_list_year_facet(client, demo):
    years = {v: n for v, _, n, _ in client.get(reverse("exchanges:exchange-list")).context["facets"]["year"]}
    assert years == {"2024": 1, "2022": 2, "2011": 1}


def test_list_pages_cost_the_same_for_5_or_25_rows(client):
    """Each list page costs the same queries for 5 rows as for 25 (the rows are made once for the three pages)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def populate(n):
        for _ in range(n):
            exchange = ExchangeFactory()
            ParticipantFactory(exchange=exchange)
            StatementFactory(source=SourceFactory(outlet=OutletFactory())).detainees.add(DetaineeFactory())

    def queries(route):
        cache.clear()  # every request starts with an empty cache, for 5 rows as for 25
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(route)).status_code == 200
        return len(captured.captured_queries)

    routes = ["exchanges:exchange-list", "sources:source-list", "sources:statement-list"]
    populate(5)
    few = {route: queries(route) for route in routes}
    populate(20)
    many = {route: queries(route) for route in routes}
    assert few == many and max(many.values()) <= 8, (few, many)


def test_source_page_lists_the_published_cases_citing_it(client, demo):
    from sources.models import Source

    source = Source.objects.get(url="https://en.wikipedia.org/wiki/Viktor_Bout")
    html = client.get(source.get_absolute_url()).content.decode()
    assert "Viktor Bout" in html and "Griner–Bout exchange" in html
    draft = DetaineeFactory(name="Secret Lead", is_published=False)
    draft.sources.add(source)
    assert "Secret Lead" not in client.get(source.get_absolute_url()).content.decode()


def test_source_and_statement_filters(client, demo):
    tass = client.get(reverse("sources:source-list"), {"published_from": "2023-01-01"}).context["object_list"]
    assert [s.outlet.name for s in tass] == ["TASS"]
    putin = client.get(reverse("sources:statement-list"), {"speaker": "putin"}).context["object_list"]
    assert [s.speaker for s in putin] == ["Vladimir Putin"]
    us = client.get(reverse("sources:statement-list"), {"country": "US"}).context["object_list"]
    assert [s.speaker for s in us] == ["Antony Blinken"]


def test_overview_counts_held_people_by_country_and_charts_exchanges(client, demo):
    from tests.factories import DetentionFactory

    DetentionFactory(detainee=DetaineeFactory(name="Held Now"), held_by="BY", detained_on=datetime.date(2024, 1, 1))
    response = client.get("/")
    assert response.context["held_total"] == 1
    assert response.context["held_by_country"] == [("held_by", "BY", "Belarus", 1)]
    bars = {b["year"]: b["count"] for b in response.context["chart"]["bars"]}
    assert bars == {2011: 1, **dict.fromkeys(range(2012, 2022), 0), 2022: 2, 2023: 0, 2024: 1}
    html = response.content.decode()
    assert "<svg" in html and "Griner–Bout exchange" in html


def test_sitemap_and_feed_list_published_records(client, demo):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/detainees/brittney-griner/" in sitemap and "/exchanges/griner-bout-exchange/" in sitemap
    feed = client.get("/feed.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "Gilad Shalit" in feed.content.decode()  # the newest 20 records; the demo loads him last


def test_healthz(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.json() == {"status": "ok", "primary": "ok"}  # and "replica" when there is one (test_routing)


def test_overview_figures_are_cached_until_the_data_changes(client, demo, django_assert_max_num_queries):
    from tests.factories import DetentionFactory

    assert client.get("/").context["held_total"] == 0
    with django_assert_max_num_queries(1):  # the data version; the page itself is kept until the data changes
        assert client.get("/")["X-Page-Cache"] == "hit"
    DetentionFactory(detainee=DetaineeFactory(), held_by="IR")
    assert client.get("/").context["held_total"] == 1  # a save moves the data version: no stale figure


def test_facet_counts_are_cached_per_filter_and_refreshed_by_a_save(client, demo):
    from tests.factories import DetentionFactory

    url = reverse("detainees:detainee-list")
    first = {v: n for v, _, n, _ in client.get(url).context["facets"]["status"]}
    assert first["held"] == 0
    DetentionFactory(detainee=DetaineeFactory(), held_by="IR")
    again = {v: n for v, _, n, _ in client.get(url).context["facets"]["status"]}
    assert again["held"] == 1
    filtered = {v: n for v, _, n, _ in client.get(url, {"held_by": "IR"}).context["facets"]["status"]}
    assert filtered == {"held": 1, "released": 0, "exchanged": 0, "deceased": 0, "unknown": 0}


def test_overview_gives_each_latest_exchange_its_people_by_direction(client, demo):
    page = client.get("/").content.decode()
    assert "24 people" in page and "Russia → Germany: 12" in page
    assert "1,028 people" in page and "Israel → Hamas: 1,027" in page
