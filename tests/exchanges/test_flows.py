"""Flows between states: one aggregation for named (and, later, counted) people; the page, JSON and CSV agree."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from casedocs import census_store
from casedocs.models import CensusMark
from exchanges.flows import LAYOUTS, aggregate_flows, sankey
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
    diagram = sankey([("RU", "US", 3), ("RU", "DE", 1), ("US", "RU", 2), ("DE", "RU", 1)], **LAYOUTS["wide"])
    nodes = {(n["side"], n["code"]): n for n in diagram["nodes"]}
    assert nodes[("left", "RU")]["total"] == 4 and nodes[("right", "RU")]["total"] == 3
    for n in diagram["nodes"]:
        assert abs(n["used"] - n["h"]) < 0.05 and n["y"] >= 0 and n["y"] + n["h"] <= diagram["height"]
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
    # data version; participants and counts of the chosen exchanges; the census of today for the map, as stored by
    # build_census (the stored day, and the people marked since: none)
    CensusMark.objects.update(at=timezone.now() - datetime.timedelta(hours=1))  # as after the demo settled
    census_store.build_all([timezone.localdate()])
    with django_assert_num_queries(5):
        response = client.get(reverse("flows"))
    html = response.content.decode()
    named = re.search(r'<svg class="chart sankey sankey-wide".*?</svg>', html, re.S).group(0)
    assert "<a " not in named and 'role="img"' in named
    data = client.get(reverse("api:flows")).json()
    for flow in data["flows"]:
        if flow["named"]:
            assert f"{flow['released_by_name']} to {flow['received_by_name']}: {flow['named']}." in named
    assert '<a href="/detainees/brittney-griner/">Brittney Griner</a>' in html.split('class="flow-table"')[1]
    assert 'href="/api/v1/flows/?format=csv"' in html


def test_the_map_shades_where_people_are_held_now(client):
    for name in ("Held A", "Held B"):
        DetentionFactory(detainee=DetaineeFactory(name=name), held_by="BY", detained_on=datetime.date(2024, 1, 1))
    html = client.get(reverse("flows")).content.decode()
    svg = re.search(r'<svg class="world-map".*?</svg>', html, re.S).group(0)
    assert "Belarus: 2." in svg and 'class="land level-4"' in svg and "<a " not in svg
    assert svg.count("<path") > 150  # every country drawn from the vendored Natural Earth file
    today = timezone.localdate().isoformat()
    assert f'?held_on={today}&amp;held_by=BY">Belarus</a>' in html


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
    for layout in LAYOUTS.values():
        diagram = sankey([("IL", "Hamas", 1027), ("Hamas", "IL", 1), ("RU", "US", 3)], **layout)
        assert diagram["height"] < 700


def test_the_map_of_today_says_why_it_is_empty_and_links_to_the_census(client, demo):
    """The demo people are all free today: the map said nothing of why it was empty."""
    html = client.get(reverse("flows")).content.decode()
    section = html.split('id="held-map"')[1]
    assert "No one on file was certainly in custody on" in section and "so no state is shaded" in section
    assert 'href="/census/?on=' in section


def test_the_map_shows_who_held_people_on_a_chosen_day_as_the_census_counts_them(client, demo):
    html = client.get(reverse("flows"), {"on": "2019-08-15"}).content.decode()
    section = html.split('id="held-map"')[1]
    svg = re.search(r'<svg class="world-map".*?</svg>', section, re.S).group(0)
    census = client.get(reverse("api:census"), {"on": "2019-08-15"}).json()
    for row in census["by_holder"]:
        assert f"{row['name']}: {row['held']}." in svg
    assert "Where people were held on 15 August 2019" in section
    assert "and 1 whose custody may have covered that date" in section  # Trevor Reed, detained in August 2019
    assert '?held_on=2019-08-15&amp;held_by=RU">Russia</a>' in section
    bad = client.get(reverse("flows"), {"on": "2019-02-30"})
    assert bad.status_code == 400 and "<strong>on</strong>" in bad.content.decode()


def node_heights(svg: str) -> list[tuple[float, int]]:
    """(height, people) of every node of a drawn diagram, read from the SVG as a browser would draw it."""
    pairs = re.findall(r'<rect class="node" [^>]*height="([\d.]+)"[^>]*/>\s*<text.*?class="value">([\d,]+)<', svg,
                       re.S)  # fmt: skip
    return [(float(h), int(n.replace(",", ""))) for h, n in pairs]


def test_nodes_are_as_tall_as_their_number_of_people(client, demo):
    """Russia released 17 named people and Poland 1: they were drawn the same height, under a legend saying that
    widths are proportional."""
    html = client.get(reverse("flows")).content.decode()
    svgs = re.findall(r'<svg class="chart sankey.*?</svg>', html, re.S)
    assert svgs
    for svg in svgs:
        heights = node_heights(svg)
        assert len(heights) >= 2
        units = [h / n for h, n in heights]
        assert max(units) - min(units) < 0.02, heights  # one unit per person, to the rounding of the drawing
        scale = re.search(r'class="node scale-key"[^>]*height="([\d.]+)" data-people="(\d+)"', svg)
        assert abs(float(scale[1]) / int(scale[2]) - units[0]) < 0.02  # the legend's bar is on the same scale


def test_named_people_are_not_hairlines_beside_a_counted_thousand(client, demo):
    """The Shalit exchange's 1,027 counted people filled ~70% of the picture and the 29 named were hairlines."""
    html = client.get(reverse("flows")).content.decode()
    named = re.search(r'<figure class="flow-figure" id="flows-named">.*?</figure>', html, re.S).group(0)
    counted = re.search(r'<figure class="flow-figure" id="flows-counted">.*?</figure>', html, re.S).group(0)
    assert "1,027" not in named and "1,027" in counted
    widths = [float(w) for w in re.findall(r'class="band"[^>]*data-width="([\d.]+)" data-people="1"', named)]
    assert widths and min(widths) >= 5  # one named person is a band, not a hairline
    assert "own scale" in counted and "bar at the foot standing for" in named


@pytest.mark.parametrize("layout", LAYOUTS)
def test_labels_stand_outside_the_bands_and_apart_from_each_other(layout):
    flows = [("RU", "DE", 12), ("RU", "US", 5), ("US", "RU", 5), ("SI", "RU", 2), ("BY", "DE", 1), ("DE", "RU", 1),
             ("Hamas", "IL", 1), ("NO", "RU", 1), ("PL", "RU", 1)]  # fmt: skip
    diagram = sankey(flows, **LAYOUTS[layout])
    font, line_h = diagram["font"], diagram["line_h"]
    band_left = min(n["x"] for n in diagram["nodes"]) + diagram["node_w"]
    band_right = max(n["x"] for n in diagram["nodes"])
    for side in ("left", "right"):
        boxes = []
        for n in (n for n in diagram["nodes"] if n["side"] == side):
            chars = max(len(line) for line in [*n["lines"][:-1], f"{n['lines'][-1]} {n['number']}"])
            width = chars * font * 0.6
            if side == "left":
                assert n["label_x"] <= band_left - diagram["node_w"] and n["label_x"] - width >= 0
            else:
                assert n["label_x"] >= band_right + diagram["node_w"] and n["label_x"] + width <= diagram["width"]
            top = n["label_y"] - font / 2
            boxes.append((top, top + line_h * (len(n["lines"]) - 1) + font))
        boxes.sort()
        assert all(a[1] <= b[0] for a, b in zip(boxes, boxes[1:], strict=False)), boxes  # no two labels overlap


@pytest.mark.django_db
def test_a_person_held_by_a_group_adds_no_blank_country_to_the_held_by_facet(client, demo):
    html = client.get(reverse("detainees:detainee-list")).content.decode()
    assert '<span class="label"></span>' not in html


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_band_leaves_and_reaches_its_nodes_within_their_height(layout):
    """A band is a ribbon filled between its two nodes' edges, never taller than where it starts and ends: drawn as
    a thick stroked curve it bulged past the nodes on a phone, where the columns stand close."""
    flows = [("RU", "RU", 26), ("RU", "US", 4), ("US", "DE", 13), ("US", "RU", 4), ("BY", "DE", 1)]
    diagram = sankey(flows, **LAYOUTS[layout])
    top, bottom = min(n["y"] for n in diagram["nodes"]), max(n["y"] + n["h"] for n in diagram["nodes"])
    for band in diagram["bands"]:
        assert band["d"].endswith("Z"), "a band is a closed ribbon, not a stroked line"
        ys = [float(v) for v in re.findall(r"-?[\d.]+", band["d"])][1::2]
        assert top - 0.01 <= min(ys) and max(ys) <= bottom + 0.01, band  # every control point within the nodes
        # M, C(3 points) along the top edge, then L down the right node: the ribbon there is as tall as its people
        assert abs((ys[4] - ys[3]) - band["w"]) < 0.02


def test_the_page_says_groups_take_part_as_well_as_states(client, demo):
    """Hamas stands among the sides (the Shalit exchange): the page is not 'between states' only."""
    html = client.get(reverse("flows")).content.decode()
    assert "<h1>Flows between states and groups</h1>" in html and "Hamas" in html


def test_the_country_menu_offers_only_states_and_each_choice_answers(client, demo):
    """A new user chose "Hamas" (a group) in the flows page's Country menu and got a 400: groups and a side not on
    file are no country the filter takes, so the menu offers states only, and every option it offers works."""
    page = client.get("/flows/")
    options = [code for code, _name, _selected in page.context["country_options"]]
    assert options and all(re.fullmatch(r"[A-Z]{2}", code) for code in options), options
    for code in options:
        assert client.get("/flows/", {"country": code}).status_code == 200, code
