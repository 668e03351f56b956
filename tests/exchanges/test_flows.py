"""Flows between states: one aggregation for named (and, later, counted) people; the page, JSON and CSV agree."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from exchanges.flows import Flow, aggregate_flows, sankey
from tests.factories import DetaineeFactory, DetentionFactory, ExchangeFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def person(name):
    return {"name": name, "slug": name.lower().replace(" ", "-")}


def test_rows_add_up_by_direction_named_and_counted_together():
    flows = aggregate_flows([
        ("RU", "US", 1, [person("Paul Whelan")]),
        ("US", "RU", 1, [person("Vadim Krasikov")]),
        ("RU", "US", 1, [person("Evan Gershkovich")]),
        ("RU", "US", 5, []),  # a count: five people not named one by one (SPEC 1.1)
    ])  # fmt: skip
    first = flows[0]
    assert (first.released_by, first.received_by, first.number, first.named, first.counted) == ("RU", "US", 7, 2, 5)
    assert [p["name"] for p in first.people] == ["Evan Gershkovich", "Paul Whelan"]
    assert (flows[1].released_by, flows[1].number) == ("US", 1)


def test_the_diagram_keeps_every_band_inside_its_nodes():
    flows = [Flow("RU", "US", 3), Flow("RU", "DE", 1), Flow("US", "RU", 2), Flow("DE", "RU", 1)]
    diagram = sankey(flows)
    nodes = {(n["side"], n["code"]): n for n in diagram["nodes"]}
    assert nodes[("left", "RU")]["total"] == 4 and nodes[("right", "RU")]["total"] == 3
    for n in diagram["nodes"]:
        assert n["used"] <= n["h"] + 0.1 and n["y"] >= 0 and n["y"] + n["h"] <= diagram["height"]
    assert len(diagram["bands"]) == 4


def test_the_demo_flows_name_who_went_which_way(client, demo):
    data = client.get(reverse("api:flows")).json()
    ru_us = next(f for f in data["flows"] if (f["released_by"], f["received_by"]) == ("RU", "US"))
    names = [p["name"] for p in ru_us["people"]]
    assert {"Brittney Griner", "Paul Whelan", "Trevor Reed"} <= set(names)
    assert ru_us["number"] == len(names) and ru_us["counted"] == 0
    assert data["total"] == sum(f["number"] for f in data["flows"])
    assert ru_us["people"][0]["html_url"].startswith("http://testserver/detainees/")


def test_years_and_countries_filter_the_flows(client, demo):
    only_2022 = client.get(reverse("api:flows"), {"year_from": 2022, "year_to": 2022}).json()
    names_2022 = {p["name"] for f in only_2022["flows"] for p in f["people"]}
    assert "Brittney Griner" in names_2022 and "Paul Whelan" not in names_2022  # Whelan: August 2024
    germany = client.get(reverse("api:flows"), {"country": "de"}).json()
    assert germany["flows"] and all("DE" in (f["released_by"], f["received_by"]) for f in germany["flows"])


def test_a_draft_exchange_and_a_draft_person_stay_out(client):
    shown = ExchangeFactory(name="Shown", status="completed")
    ParticipantFactory(exchange=shown, released_by="RU", received_by="US", detainee=DetaineeFactory(name="Public One"))
    ParticipantFactory(exchange=shown, released_by="RU", received_by="US",
                       detainee=DetaineeFactory(name="Secret One", is_published=False))  # fmt: skip
    hidden = ExchangeFactory(name="Hidden", is_published=False, status="completed")
    ParticipantFactory(exchange=hidden, released_by="BY", received_by="PL", detainee=DetaineeFactory(name="Other"))
    data = client.get(reverse("api:flows")).json()
    assert [(f["released_by"], f["number"]) for f in data["flows"]] == [("RU", 1)]
    html = client.get(reverse("flows")).content.decode()
    assert "Secret One" not in html and "Belarus" not in html


def test_bad_and_unknown_parameters_are_400_naming_them(client, demo):
    assert "yeer" in client.get(reverse("api:flows"), {"yeer": 2022}).json()
    assert "year_from" in client.get(reverse("api:flows"), {"year_from": "soon"}).json()
    assert "country" in client.get(reverse("api:flows"), {"country": "XX"}).json()
    page = client.get(reverse("flows"), {"year_from": "soon", "cuntry": "US"})
    html = page.content.decode()
    assert (
        page.status_code == 400 and "<strong>year_from</strong>" in html and "did you mean <code>country</code>" in html
    )


def test_csv_has_one_row_per_direction_with_the_names(client, demo):
    response = client.get(reverse("api:flows"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    json_flows = client.get(reverse("api:flows")).json()["flows"]
    assert len(rows) == len(json_flows)
    assert rows[0]["people"] == "|".join(p["name"] for p in json_flows[0]["people"])
    assert int(rows[0]["number"]) == json_flows[0]["number"]


def test_flows_page_draws_a_diagram_and_a_table_with_the_same_numbers(client, demo, django_assert_num_queries):
    with django_assert_num_queries(4):  # data version; participants and counts of the chosen exchanges; people held now
        response = client.get(reverse("flows"))
    html = response.content.decode()
    svg = re.search(r'<svg class="chart sankey".*?</svg>', html, re.S).group(0)
    assert "<a " not in svg and 'role="img"' in svg
    data = client.get(reverse("api:flows")).json()
    for flow in data["flows"]:
        assert f"{flow['released_by_name']} to {flow['received_by_name']}: {flow['number']}." in svg
    assert '<a href="/detainees/brittney-griner/">Brittney Griner</a>' in html.split('class="flow-table"')[1]
    assert 'href="/api/v1/flows/?format=csv"' in html


def test_the_map_shades_where_people_are_held_now(client):
    for name in ("Held A", "Held B"):
        DetentionFactory(detainee=DetaineeFactory(name=name), held_by="BY", detained_on=datetime.date(2024, 1, 1))
    html = client.get(reverse("flows")).content.decode()
    svg = re.search(r'<svg class="world-map".*?</svg>', html, re.S).group(0)
    assert "Belarus: 2." in svg and 'class="land level-4"' in svg and "<a " not in svg
    assert svg.count("<path") > 150  # every country drawn from the vendored Natural Earth file
    assert '?status=held&amp;held_by=BY">Belarus</a>' in html


def test_the_page_names_twelve_people_per_direction_and_counts_the_rest(client):
    exchange = ExchangeFactory(name="Big swap", status="completed")
    for i in range(14):
        ParticipantFactory(exchange=exchange, released_by="RU", received_by="UA",
                           detainee=DetaineeFactory(name=f"Person {i:02d}"))  # fmt: skip
    html = client.get(reverse("flows")).content.decode()
    table = html.split('class="flow-table"')[1].split("</table>")[0]
    assert table.count("/detainees/person-") == 12 and "and 2 more named (all in the CSV)" in table
    assert len(client.get(reverse("api:flows")).json()["flows"][0]["people"]) == 14


def test_a_counted_exchange_of_a_thousand_keeps_the_diagram_about_a_screen_tall():
    """The Shalit exchange counts 1,027 people: the diagram must not grow a pixel per person (it was 42,000 px)."""
    flows = [Flow("IL", "Hamas", 1027), Flow("Hamas", "IL", 1), Flow("RU", "US", 3)]
    diagram = sankey(flows)
    assert diagram["height"] < 700
    assert all(node["h"] >= 22 for node in diagram["nodes"])  # small ones keep room for their labels


@pytest.mark.django_db
def test_a_person_held_by_a_group_adds_no_blank_country_to_the_held_by_facet(client, demo):
    html = client.get(reverse("detainees:detainee-list")).content.decode()
    assert '<span class="label"></span>' not in html
