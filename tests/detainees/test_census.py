"""The census (`/census/`, `/api/v1/census/`): people held on a day, by holder, citizenship, charge and designation.

Its figures must agree with the lists (the same people as `/api/v1/detainees/?held_on=D&...`), with a brute-force
count over the days of every span of a random dataset, and with the records after any write (no stale cache).
"""

import csv
import datetime
import io
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from common.models import span_last_day, truncate_date
from detainees.census import compute_census, compute_december, december_days
from detainees.models import Charge, Designation, Detainee, Detention, Group
from tests.factories import DesignationFactory, DetaineeFactory, DetentionFactory, SourceFactory
from tests.hypothesis_profiles import examples

pytestmark = pytest.mark.django_db
D = datetime.date


def api_count(client, **params) -> int:
    response = client.get(reverse("api:detainee-list"), params)
    assert response.status_code == 200, response.content
    return response.json()["count"]


def census_of(client, day: str) -> dict:
    response = client.get(reverse("api:census"), {"on": day})
    assert response.status_code == 200, response.content
    return response.json()


# ---- agreement with the lists, on the demo cases -----------------------------------------------------------------


def test_every_census_figure_is_the_count_of_the_list_it_links_to(client, demo):
    for day in ["2010-12-01", "2019-08-15", "2019-12-01", "2022-03-01", "2024-08-01", "2025-01-01"]:
        check_against_lists(client, day)


def check_against_lists(client, day: str) -> None:
    data = census_of(client, day)
    assert data["held"] == api_count(client, held_on=day)
    assert data["list_url"] == f"http://testserver/api/v1/detainees/?held_on={day}"
    for dimension in ("by_holder", "by_citizenship", "by_charge_category", "by_designation"):
        for row in data[dimension]:
            if row["list_url"] is None:
                continue
            listed = client.get(row["list_url"]).json()
            assert row["held"] == listed["count"], (dimension, row)
            assert sorted(row["people"]) == sorted(p["id"] for p in listed["results"])


def test_a_start_known_only_to_the_month_is_counted_apart_until_the_month_ends(client, demo):
    """Trevor Reed: detained in August 2019 (month precision), held by Russia until April 2022."""
    reed = Detainee.objects.get(slug="trevor-reed")
    mid_august = census_of(client, "2019-08-15")
    russia = next(r for r in mid_august["by_holder"] if r["held_by"] == "RU")
    assert reed.pk in russia["uncertain_people"] and reed.pk not in russia["people"]
    assert mid_august["uncertain"] == 1 and reed.pk not in [p["id"] for p in mid_august["people"] if p["certain"]]
    assert api_count(client, held_on="2019-08-15", held_by="RU") == russia["held"]
    september = census_of(client, "2019-09-01")
    assert reed.pk in next(r for r in september["by_holder"] if r["held_by"] == "RU")["people"]
    assert september["uncertain"] == 0
    html = client.get(reverse("census"), {"on": "2019-08-15"}).content.decode()
    assert "and 1 whose custody may have covered that date" in html and "/detainees/trevor-reed/" in html


def test_the_december_series_covers_every_year_on_file(client, demo):
    data = census_of(client, "2022-12-01")
    years = [row["year"] for row in data["december"]]
    first = Detention.objects.order_by("detained_on").first().detained_on.year
    assert years[0] == first and years == list(range(first, years[-1] + 1))
    for row in data["december"]:
        assert row["held"] == api_count(client, held_on=row["on"])
    assert next(r for r in data["december"] if r["year"] == 2022)["held"] == data["held"]


def test_charges_count_in_the_custody_of_the_day_as_the_list_filter_reads_them(client):
    """Charged with drugs in 2010, held again in 2023 for espionage: the 2023 census and list say espionage only."""
    person = DetaineeFactory(name="Twice Held")
    first = DetentionFactory(detainee=person, detained_on=D(2010, 1, 1), released_on=D(2011, 1, 1),
                             end_reason="released")  # fmt: skip
    Charge.objects.create(detention=first, category="drugs")
    second = DetentionFactory(detainee=person, detained_on=D(2023, 1, 1))
    Charge.objects.create(detention=second, category="espionage")
    data = census_of(client, "2023-06-01")
    assert [r["charge_category"] for r in data["by_charge_category"]] == ["espionage"]
    assert api_count(client, held_on="2023-06-01", charge_category="drugs") == 0
    assert api_count(client, held_on="2023-06-01", charge_category="espionage") == 1
    assert api_count(client, charge_category="drugs") == 1  # without held_on: charged with it, ever
    facets = client.get(reverse("detainees:detainee-list"), {"held_on": "2023-06-01"}).content.decode()
    assert re.search(r'charge_category=drugs[^>]*>.*?class="count">0<', facets, re.S) or "drugs" not in facets


# ---- what is counted ---------------------------------------------------------------------------------------------


def test_drafts_are_never_counted_even_for_staff(editor_client):
    client = Client()  # anonymous (the `client` fixture is the one editor_client signs in)
    DetentionFactory(detainee=DetaineeFactory(name="Public Person"), held_by="BY", detained_on=D(2024, 1, 1))
    DetentionFactory(detainee=DetaineeFactory(name="Draft Person", is_published=False), held_by="BY",
                     detained_on=D(2024, 1, 1))  # fmt: skip
    for c in (client, editor_client):
        data = c.get(reverse("api:census"), {"on": "2024-06-01"}).json()
        assert data["held"] == 1 and [p["name"] for p in data["people"]] == ["Public Person"]
        assert "Draft Person" not in c.get(reverse("census"), {"on": "2024-06-01"}).content.decode()
        csv_body = c.get(reverse("api:census"), {"on": "2024-06-01", "format": "csv"}).content.decode()
        assert "Draft Person" not in csv_body


def test_groups_and_unknown_captors_are_holders_too(client):
    hamas = Group.objects.create(name="Hamas", kind="armed_group")
    DetentionFactory(detainee=DetaineeFactory(name="Hostage One"), held_by="", held_by_group=hamas,
                     detained_on=D(2023, 10, 7))  # fmt: skip
    DetentionFactory(detainee=DetaineeFactory(name="Unknown Captor"), held_by="", detained_on=D(2023, 10, 7))
    data = census_of(client, "2024-01-01")
    rows = {r["name"]: r for r in data["by_holder"]}
    assert rows["Hamas"]["held_by_group"] == hamas.pk and rows["Hamas"]["held"] == 1
    assert rows["Hamas"]["held"] == api_count(client, held_on="2024-01-01", held_by_group=hamas.pk)
    assert rows["Captor not on file"]["held"] == 1 and rows["Captor not on file"]["list_url"] is None
    html = client.get(reverse("census"), {"on": "2024-01-01"}).content.decode()
    assert f'href="/groups/{hamas.slug}/"' in html and "Captor not on file" in html


# ---- errors, formats, queries, freshness -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2024-02-30", "01/02/2024", "soon", "9999-01-01"])
def test_a_bad_or_future_date_is_a_400_naming_on(client, value):
    response = client.get(reverse("api:census"), {"on": value})
    assert response.status_code == 400 and list(response.json()) == ["on"]
    assert client.get(reverse("api:census"), {"on": value, "format": "csv"}).status_code == 400
    page = client.get(reverse("census"), {"on": value})
    html = page.content.decode()
    assert page.status_code == 400 and "<strong>on</strong>" in html and 'aria-invalid="true"' in html
    assert "No custody on file" not in html  # a refused date shows no figures, not a false "nothing on file"


def test_an_unknown_parameter_is_a_400_naming_it(client):
    assert list(client.get(reverse("api:census"), {"onn": "2024-01-01"}).json()) == ["onn"]
    assert "<code>onn</code>" in client.get(reverse("census"), {"onn": "2024-01-01"}).content.decode()


def test_csv_has_one_row_per_person_held_or_maybe_held(client, demo):
    response = client.get(reverse("api:census"), {"on": "2019-08-15", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="census-2019-08-15.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    data = census_of(client, "2019-08-15")
    assert len(rows) == data["held"] + data["uncertain"]
    reed = next(r for r in rows if r["name"] == "Trevor Reed")
    assert reed["certain"] == "false" and reed["held_by"] == "RU" and reed["html_url"].endswith("/trevor-reed/")


def test_the_census_is_in_the_api_root_and_the_schema(client):
    root = client.get("/api/v1/").json()
    assert root["census"] == "http://testserver/api/v1/census/"
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/census/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"on", "format"}
    assert "by_holder" in operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"]


def test_queries_are_few_and_the_figures_are_kept_per_data_version(client, demo, django_assert_num_queries):
    # A day never counted is counted once and stored (a stored day costs 6 queries: tests/detainees/
    # test_census_stored.py); then the figures are kept per data version.
    client.get(reverse("api:census"), {"on": "2022-06-01"})
    with django_assert_num_queries(1):  # data version only
        client.get(reverse("api:census"), {"on": "2022-06-01"})
    assert client.get(reverse("census"), {"on": "2020-06-01"}).status_code == 200
    with django_assert_num_queries(1):  # the page cache, keyed by data version
        client.get(reverse("census"), {"on": "2020-06-01"})


def test_a_write_shows_at_once_in_the_census_page_and_api(editor_client, demo, settings):
    client = Client()  # anonymous, who gets the cached page
    settings.PAGE_CACHE_SECONDS = 600
    before = census_of(client, "2021-06-01")["held"]
    page = client.get(reverse("census"), {"on": "2021-06-01"}).content.decode()
    assert f'<span class="big-number">{before}</span>' in page
    assert client.get(reverse("census"), {"on": "2021-06-01"})["X-Page-Cache"] == "hit"
    person = Detainee.objects.get(slug="brittney-griner")
    response = editor_client.post(reverse("api:detention-list"), {
        "detainee": person.pk, "held_by": "RU", "detained_on": "2021-01-05", "released_on": "2021-09-01",
        "end_reason": "released", "sources": [SourceFactory().pk],
    }, content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    assert census_of(client, "2021-06-01")["held"] == before + 1
    page = client.get(reverse("census"), {"on": "2021-06-01"}).content.decode()
    assert f'<span class="big-number">{before + 1}</span>' in page


def test_the_page_names_and_links_the_people_and_draws_the_december_chart(client, demo):
    html = client.get(reverse("census"), {"on": "2022-12-01"}).content.decode()
    assert '<a href="/detainees/paul-whelan/">Paul Whelan</a>' in html
    assert '<a href="/detainees/?held_on=2022-12-01&amp;held_by=RU">Russia</a>' in html or (
        '<a href="/detainees/?held_on=2022-12-01&held_by=RU">Russia</a>' in html
    )
    svg = re.search(r'<svg class="chart".*?</svg>', html, re.S).group(0)
    assert 'role="img"' in svg and "2022: 5." in svg and "<a " not in svg
    assert 'href="/api/v1/census/?on=2022-12-01&amp;format=csv"' in html
    nav = client.get("/").content.decode()
    assert 'href="/census/"' in nav.split("</header>")[0] and 'href="/census/">Census: who was held' in nav


# ---- the differential test: brute force over the days of every span ----------------------------------------------


def days(value: D, precision: str) -> list[D]:
    first = truncate_date(value, precision)
    last = span_last_day(first, precision)
    return [first + datetime.timedelta(n) for n in range((last - first).days + 1)]


def brute_force(day: D) -> dict:
    """{person id: (certain holders, possible holders, certain charges, possible charges)} from the records, by
    enumerating every day each partial date can mean."""
    out: dict[int, tuple[set, set, set, set]] = {}
    detentions = list(Detention.objects.filter(detainee__is_published=True).order_by("detained_on", "id"))
    charges: dict[int, set] = {}
    for detention_id, category in Charge.objects.values_list("detention_id", "category"):
        charges.setdefault(detention_id, set()).add(category)
    for d in detentions:
        if d.detained_on is not None:
            starts = days(d.detained_on, d.detained_on_precision)
        else:  # no report dates the start: any day up to the first a report shows the custody under way
            shown = [
                days(v, p)[-1]
                for v, p in (
                    (d.last_confirmed_on, d.last_confirmed_on_precision),
                    (d.released_on, d.released_on_precision),
                )
                if v is not None
            ]
            starts = [D(1900, 1, 1), min(shown)]  # the earliest and the latest it can be: all the checks need
        # the next custody begun after this one (an undated start neither has nor is one: nothing orders it)
        successor = next(
            (
                n
                for n in detentions
                if n.detainee_id == d.detainee_id
                and None not in (n.detained_on, d.detained_on)
                and (n.detained_on, n.pk) > (d.detained_on, d.pk)
            ),
            None,
        )
        if d.released_on is not None:
            ends = days(d.released_on, d.released_on_precision)
            certain = all(s <= day for s in starts) and all(day <= e for e in ends)
            possible = any(s <= day <= e for s in starts for e in ends)
        elif not d.end_reason:  # open
            certain, possible = all(s <= day for s in starts), any(s <= day for s in starts)
        else:  # an end not dated: never certain; possibly until the next custody can have begun
            latest = days(successor.detained_on, successor.detained_on_precision)[-1] if successor else D.max
            certain, possible = False, any(s <= day <= latest for s in starts)
        assert possible or not certain
        if not possible:
            continue
        holder = ("group", d.held_by_group_id) if d.held_by_group_id else ("state", d.held_by.code or "")
        entry = out.setdefault(d.detainee_id, (set(), set(), set(), set()))
        entry[1].add(holder)
        entry[3].update(charges.get(d.pk, ()))
        if certain:
            entry[0].add(holder)
            entry[2].update(charges.get(d.pk, ()))
    return out


def figures_as_sets(figures: dict) -> dict:
    def key(row):
        if row["held_by_group"]:
            return ("group", row["held_by_group"])
        return ("state", row["held_by"] or "")

    return {
        "held": {p["id"] for p in figures["people"] if p["certain"]},
        "uncertain": {p["id"] for p in figures["people"] if not p["certain"]},
        "holders": {key(r): (set(r["held"]), set(r["uncertain"])) for r in figures["by_holder"]},
        "charges": {r["charge_category"]: (set(r["held"]), set(r["uncertain"])) for r in figures["by_charge_category"]},
        "citizenship": {r["citizenship"]: (set(r["held"]), set(r["uncertain"])) for r in figures["by_citizenship"]},
        "designation": {r["designation"]: (set(r["held"]), set(r["uncertain"])) for r in figures["by_designation"]},
    }


def expected_sets(day: D) -> dict:
    found = brute_force(day)
    held = {pid for pid, (ch, _, _, _) in found.items() if ch}
    maybe = set(found) - held
    holders, charges, citizenship, designation = {}, {}, {}, {}
    for pid, (ch, ph, cc, pc) in found.items():
        for h in ph:
            bucket = holders.setdefault(h, (set(), set()))
            (bucket[0] if h in ch else bucket[1]).add(pid)
        for c in pc:
            bucket = charges.setdefault(c, (set(), set()))
            (bucket[0] if c in cc else bucket[1]).add(pid)
    for person in Detainee.objects.filter(pk__in=list(found)):
        for code in person.citizenships:
            bucket = citizenship.setdefault(code.code, (set(), set()))
            (bucket[0] if person.pk in held else bucket[1]).add(person.pk)
    for pid, kind in Designation.objects.filter(detainee_id__in=list(found)).values_list("detainee_id", "kind"):
        bucket = designation.setdefault(kind, (set(), set()))
        (bucket[0] if pid in held else bucket[1]).add(pid)
    return {"held": held, "uncertain": maybe, "holders": holders, "charges": charges, "citizenship": citizenship,
            "designation": designation}  # fmt: skip


date_in_range = st.dates(min_value=D(2019, 11, 1), max_value=D(2021, 12, 31))
precision = st.sampled_from(["day", "month", "year"])
detention = st.fixed_dictionaries({
    "who": st.integers(0, 3),
    "holder": st.sampled_from(["RU", "US", "", "group"]),
    "start": date_in_range, "start_precision": precision,
    "end": st.one_of(st.none(), st.integers(0, 500)), "end_precision": precision,
    "end_reason": st.sampled_from(["released", "exchanged", "extradited", "handed_over"]),
    "undated": st.booleans(),
    "charge": st.sampled_from([None, "drugs", "espionage"]),
    # no report dates the start: known by the day a report confirmed it (offset from "start") or its release
    "start_unknown": st.booleans(), "confirmed": st.one_of(st.none(), st.integers(0, 300)),
    "confirmed_precision": precision,
})  # fmt: skip


def undated_start(row: dict, released: D | None, released_precision: str) -> tuple[D | None, str]:
    """(last_confirmed_on, its precision) for a generated custody: a confirmation only where no report dates the
    start, never after the release, and always one when nothing else dates the custody (the model requires it)."""
    if not row["start_unknown"]:
        return None, "day"
    offset = row["confirmed"]
    if offset is None and released is None:
        offset = 0
    if offset is None:
        return None, "day"
    confirmed = truncate_date(row["start"] + datetime.timedelta(days=offset), row["confirmed_precision"])
    if released is not None and confirmed > released:
        return released, released_precision
    return confirmed, row["confirmed_precision"]


class CensusEqualsBruteForceTests(HypothesisTestCase):
    @settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(detention, min_size=1, max_size=7),
        st.lists(st.sets(st.sampled_from(["RU", "US", "BY"]), max_size=2), min_size=4, max_size=4),
        st.lists(st.sampled_from([None, "hostage", "political_prisoner"]), min_size=4, max_size=4),
        st.lists(date_in_range, min_size=1, max_size=3),
    )
    @example(  # Vadim Ostanin's: no report dates his arrest; freed on a known day, held that day
        [{"who": 0, "holder": "RU", "start": D(2020, 7, 22), "start_precision": "day", "end": 10,
          "end_precision": "day", "end_reason": "exchanged", "undated": False, "charge": None, "start_unknown": True,
          "confirmed": None, "confirmed_precision": "day"}],
        [set(), set(), set(), set()], [None, None, None, None], [D(2020, 7, 1)],
    )  # fmt: skip
    def test_the_census_of_any_day_equals_a_count_over_the_days_of_every_span(self, rows, citizens, kinds, asked):
        cache.clear()  # ids repeat from one example to the next on SQLite, and with them the data version
        group = Group.objects.create(name="A Group", kind="armed_group")
        people = [Detainee.objects.create(name=f"Person {i}", citizenships=sorted(citizens[i]), is_published=i != 3)
                  for i in range(4)]  # fmt: skip
        for person, kind in zip(people, kinds, strict=True):
            if kind:
                DesignationFactory(detainee=person, kind=kind)
        for row in rows:
            start = truncate_date(row["start"], row["start_precision"])
            released, released_precision, reason = None, "day", ""
            if row["end"] is not None:
                reason = row["end_reason"]
                if not row["undated"]:
                    end = row["start"] + datetime.timedelta(days=row["end"])
                    released_precision = row["end_precision"]
                    released = truncate_date(end, released_precision)
                    if released < start:  # the database refuses it; a day-precise end keeps the case
                        released, released_precision = max(end, start), "day"
                elif reason not in ("extradited", "handed_over"):
                    reason = "handed_over"
            confirmed, confirmed_precision = undated_start(row, released, released_precision)
            made = Detention.objects.create(
                detainee=people[row["who"]], held_by=row["holder"] if row["holder"] != "group" else "",
                held_by_group=group if row["holder"] == "group" else None,
                detained_on=None if row["start_unknown"] else start, detained_on_precision=row["start_precision"],
                released_on=released, released_on_precision=released_precision, end_reason=reason,
                last_confirmed_on=confirmed, last_confirmed_on_precision=confirmed_precision,
            )  # fmt: skip
            if row["charge"]:
                Charge.objects.create(detention=made, category=row["charge"])
            if row["start_unknown"] and released is not None and released not in asked:
                asked.append(released)  # the day an undated custody ended: the one day it may be certain
        for day in asked:
            expected = expected_sets(day)
            assert figures_as_sets(compute_census(day)) == expected, day
            listed = self.client.get(reverse("api:detainee-list"), {"held_on": day.isoformat(), "page_size": 500})
            assert {p["id"] for p in listed.json()["results"]} == expected["held"]
        today = D(2021, 12, 31)
        series = compute_december(today)
        assert [r["on"] for r in series] == [d.isoformat() for d in december_days(today)]
        for row in series:
            expected = expected_sets(D.fromisoformat(row["on"]))
            assert (row["held"], row["uncertain"]) == (len(expected["held"]), len(expected["uncertain"])), row
