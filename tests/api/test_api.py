"""The REST API as scripts use it: reading, filtering, paging, CSV, errors, and editors' writes."""

import csv
import io
from datetime import date as D

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from detainees.models import Detainee
from exchanges.models import Exchange
from tests.factories import (
    ChargeFactory,
    DetaineeFactory,
    DetentionFactory,
    ExchangeFactory,
    ParticipantFactory,
    SourceFactory,
    StatementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ENDPOINTS = ["detainees", "detentions", "designations", "charges", "sentences", "transfers", "exchanges", "outlets",
             "sources", "statements", "groups", "officials", "claims", "sentence-changes"]  # fmt: skip


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    return client


def url(name, *args):
    return reverse(f"api:{name}", args=args)


def body_of(response) -> str:
    return b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


# ---- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_list_is_paginated_json_and_answers_csv(api, demo, endpoint):
    response = api.get(f"/api/v1/{endpoint}/")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] >= 1 and all("id" in row for row in data["results"])
    response = api.get(f"/api/v1/{endpoint}/", {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body_of(response).lstrip("\ufeff"))))
    assert len(rows) == data["count"]


def test_detainee_has_the_contract_fields(api, demo):
    bout = Detainee.objects.get(slug="viktor-bout")
    data = api.get(url("detainee-detail", bout.pk)).json()
    for field in ["id", "url", "html_url", "slug", "name", "name_original", "aliases", "citizenships", "born_on",
                  "born_on_precision", "description", "wikidata_id", "is_published", "sources", "status", "held_by",
                  "detentions", "days_held", "designations"]:  # fmt: skip
        assert field in data, field
    assert data["html_url"] == "http://testserver/detainees/viktor-bout/"
    assert (data["status"], data["held_by"], data["citizenships"]) == ("exchanged", None, ["RU"])
    thailand, usa = data["detentions"]
    assert (thailand["held_by"], thailand["end_reason"], thailand["released_on"]) == ("TH", "extradited", "2010-11-16")
    assert (usa["held_by"], usa["detained_on"], usa["end_reason"]) == ("US", "2010-11-16", "exchanged")
    assert {c["category"] for c in usa["charges"]} >= {"terrorism", "arms_trafficking"}
    assert usa["sentences"][0]["term_months"] == 300
    assert data["days_held"] == (D(2022, 12, 8) - D(2008, 3, 6)).days


def test_held_on_answers_who_was_in_custody_that_day(api, demo):
    names = [d["name"] for d in api.get(url("detainee-list"), {"held_on": "2022-06-01"}).json()["results"]]
    assert names == ["Brittney Griner", "Paul Whelan", "Vadim Krasikov", "Viktor Bout", "Vladimir Kara-Murza"]
    detentions = api.get(url("detention-list"), {"held_on": "2022-06-01", "held_by": "RU"}).json()["results"]
    assert len(detentions) == 3


@pytest.mark.parametrize(
    ("endpoint", "params", "count"),
    [
        ("detainees", {"q": "Бут"}, 1),
        ("detainees", {"citizenship": "us", "status": "exchanged"}, 5),  # with Alsu Kurmasheva (Ankara)
        ("detainees", {"charge_category": "drugs"}, 2),
        ("detainees", {"designation": "wrongfully_detained"}, 3),  # Griner, Gershkovich, Whelan
        ("detainees", {"detained_from": "2019-01-01", "detained_to": "2019-12-31"}, 2),
        ("detentions", {"end_reason": "exchanged", "held_by": "US"}, 2),
        ("designations", {"kind": "political_prisoner", "authority_country": "RU"}, 1),
        ("charges", {"category": "espionage", "outcome": "convicted"}, 2),
        ("sentences", {"sentenced_from": "2020-01-01", "sentenced_to": "2020-12-31"}, 2),
        ("exchanges", {"country": "TR"}, 2),
        ("exchanges", {"country": "DE", "year": "2024"}, 1),
        ("exchanges", {"date_from": "2022-01-01", "date_to": "2022-12-31", "status": "completed"}, 2),
        ("exchanges", {"q": "Griner"}, 1),
        ("outlets", {"country": "RU", "kind": "wire_agency"}, 1),
        ("sources", {"published_from": "2023-01-01"}, 1),
        ("statements", {"country": "RU", "said_from": "2023-01-01"}, 2),
        ("statements", {"speaker": "putin"}, 1),
    ],
)
def test_filters(api, demo, endpoint, params, count):
    response = api.get(f"/api/v1/{endpoint}/", params)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == count


def test_id_filters_follow_relations(api, demo):
    bout = Detainee.objects.get(slug="viktor-bout")
    exchange = Exchange.objects.get(slug="griner-bout-exchange")
    assert api.get(url("exchange-list"), {"detainee": bout.pk}).json()["count"] == 1
    assert api.get(url("detainee-list"), {"exchange": exchange.pk}).json()["count"] == 2
    assert api.get(url("statement-list"), {"detainee": bout.pk}).json()["count"] == 2
    assert api.get(url("statement-list"), {"exchange": exchange.pk}).json()["count"] == 3
    titles = {s["title"] for s in api.get(url("source-list"), {"detainee": bout.pk}).json()["results"]}
    assert titles >= {"Viktor Bout"} and len(titles) == 4  # his own, the seeds, and the exchange's Griner article


def test_exchange_shows_participants_and_countries(api, demo):
    exchange = Exchange.objects.get(slug="2024-ankara-prisoner-exchange")
    data = api.get(url("exchange-detail", exchange.pk)).json()
    assert data["countries"] == ["BY", "DE", "NO", "PL", "RU", "SI", "TR", "US"]
    assert {(p["released_by"], p["received_by"]) for p in data["participants"]} == {
        ("RU", "US"), ("RU", "DE"), ("BY", "DE"), ("DE", "RU"), ("US", "RU"), ("PL", "RU"), ("NO", "RU"),
        ("SI", "RU")}  # fmt: skip


def test_fields_selects_top_level_and_nested_fields(api, demo):
    data = api.get(url("detainee-list"), {"fields": "name,status,detentions.held_by", "q": "griner"}).json()
    assert data["results"] == [{"name": "Brittney Griner", "status": "exchanged", "detentions": [{"held_by": "RU"}]}]


def test_ordering(api, demo):
    params = {"ordering": "-detained_on", "fields": "name", "status": "exchanged"}
    names = [d["name"] for d in api.get(url("detainee-list"), params).json()["results"]]
    with_custody = set(Detainee.objects.exclude(latest_detention=None).values_list("name", flat=True))
    assert names[0] == "Evan Gershkovich" and names[len(with_custody) - 1] == "Gilad Shalit"
    assert not with_custody & set(names[len(with_custody) :])  # exchanged with no custody on file: last


def test_csv_flattens_lists_and_points_nested_records_to_their_own_csv(api, demo):
    response = api.get(url("detainee-list"), {"format": "csv", "q": "whelan"})
    assert response.streaming
    [row] = list(csv.DictReader(io.StringIO(body_of(response).lstrip("\ufeff"))))
    whelan = Detainee.objects.get(slug="paul-whelan")
    json_row = api.get(url("detainee-detail", whelan.pk)).json()
    assert sorted(row["citizenships"].split("|")) == ["CA", "GB", "IE", "US"]
    assert (row["status"], row["held_by"], row["days_held"]) == ("exchanged", "", str(json_row["days_held"]))
    assert (row["url"], row["html_url"]) == (json_row["url"], json_row["html_url"])
    assert row["sources"] == "|".join(str(s) for s in sorted(json_row["sources"]))
    assert "detentions" not in row  # nested records have their own CSV, joined on the detainee id
    detentions = list(
        csv.DictReader(
            io.StringIO(
                body_of(api.get(url("detention-list"), {"format": "csv", "detainee": whelan.pk})).lstrip("\ufeff")
            )
        )
    )
    assert [(d["detainee"], d["held_by"], d["detained_on"]) for d in detentions] == [
        (str(whelan.pk), "RU", "2018-12-28")]  # fmt: skip


def test_exchange_csv_lists_who_went_which_way(api, demo):
    from exchanges.models import Exchange

    exchange = Exchange.objects.get(slug="griner-bout-exchange")
    response = api.get(url("exchange-list"), {"format": "csv", "country": "AE"})
    [row] = list(csv.DictReader(io.StringIO(body_of(response).lstrip("\ufeff"))))
    griner, bout = (Detainee.objects.get(slug=s).pk for s in ("brittney-griner", "viktor-bout"))
    assert row["participants"] == f"{griner}:RU>US|{bout}:US>RU" and row["countries"] == "AE|RU|US"
    assert row["html_url"].endswith(exchange.get_absolute_url()) and row["mediators"] == "AE"


def test_source_csv_keeps_the_article_address_apart_from_the_api_address(api, demo):
    response = api.get(url("source-list"), {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(body_of(response).lstrip("\ufeff"))))
    griner = next(r for r in rows if r["title"] == "Brittney Griner")
    assert griner["url"] == "https://en.wikipedia.org/wiki/Brittney_Griner"
    assert "/api/v1/sources/" in griner["api_url"] and "/sources/" in griner["html_url"]


# ---- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"citizenshp": "US"}, "citizenshp"),
        ({"held_on": "2022-13-45"}, "held_on"),
        ({"status": "vanished"}, "status"),
        ({"citizenship": "XX"}, "citizenship"),
        ({"exchange": "abc"}, "exchange"),
        ({"page": "abc"}, "page"),
        ({"page": "999"}, "page"),
        ({"page_size": "501"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"fields": "name,secret"}, "fields"),
        ({"ordering": "search_key"}, "ordering"),
        ({"updated_since": "last week"}, "updated_since"),
    ],
)
def test_bad_query_is_a_400_naming_the_field(api, demo, params, field):
    response = api.get(url("detainee-list"), params)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_page_size_up_to_500_is_honoured(api):
    DetaineeFactory.create_batch(60)
    data = api.get(url("detainee-list"), {"page_size": 500}).json()
    assert len(data["results"]) == 60 and data["next"] is None
    assert len(api.get(url("detainee-list")).json()["results"]) == 50


def test_unknown_record_is_404(api):
    assert api.get(url("detainee-detail", 999999)).status_code == 404
    assert api.get("/api/v1/detainees/abc/").status_code == 404


# ---- drafts -----------------------------------------------------------------------------------


def test_drafts_are_invisible_to_anonymous_scripts(api, editor_api):
    draft = DetaineeFactory(name="Secret Lead", is_published=False)
    ChargeFactory(detention=DetentionFactory(detainee=draft))
    public = DetaineeFactory(name="Known Person")
    exchange = ExchangeFactory()
    ParticipantFactory(exchange=exchange, detainee=draft)
    ParticipantFactory(exchange=exchange, detainee=public)
    hidden_exchange = ExchangeFactory(name="Hidden Swap", is_published=False)
    StatementFactory().detainees.add(draft)
    assert api.get(url("detainee-detail", draft.pk)).status_code == 404
    assert api.get(url("exchange-detail", hidden_exchange.pk)).status_code == 404
    for endpoint in ENDPOINTS:
        for params in ({}, {"format": "csv"}):
            body = body_of(api.get(f"/api/v1/{endpoint}/", params))
            assert "Secret Lead" not in body and "Hidden Swap" not in body, endpoint
    assert api.get(url("detention-list"), {"detainee": draft.pk}).json()["count"] == 0
    assert api.get(url("charge-list"), {"detainee": draft.pk}).json()["count"] == 0
    participants = api.get(url("exchange-detail", exchange.pk)).json()["participants"]
    assert [p["detainee"] for p in participants] == [public.pk]
    assert api.get(url("statement-list")).json()["count"] == 0
    # Editors see drafts.
    assert editor_api.get(url("detainee-detail", draft.pk)).status_code == 200
    assert len(editor_api.get(url("exchange-detail", exchange.pk)).json()["participants"]) == 2


# ---- writing ----------------------------------------------------------------------------------


def test_anonymous_cannot_write(api):
    response = api.post(url("detainee-list"), {"name": "X"}, format="json")
    assert response.status_code in (401, 403)
    assert not Detainee.objects.exists()


def test_staff_without_permission_cannot_write():
    user = UserFactory(is_staff=True)
    client = APIClient()
    client.force_authenticate(user)
    assert client.post(url("detainee-list"), {"name": "X"}, format="json").status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="add_detainee"))
    client.force_authenticate(type(user).objects.get(pk=user.pk))
    assert client.post(url("detainee-list"), {"name": "X"}, format="json").status_code == 201


def test_detainee_round_trip_as_an_editor(editor_api, editor):
    source = SourceFactory()
    created = editor_api.post(url("detainee-list"), {
        "name": "Brittney Griner", "name_original": "Бриттни Грайнер", "aliases": ["Britney Griner"],
        "citizenships": ["US"], "born_on": "1990-10-18", "born_on_precision": "day",
        "description": "basketball player", "sources": [source.pk],
    }, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["slug"], data["status"], data["is_published"]) == ("brittney-griner", "unknown", False)
    pk = data["id"]
    detention = editor_api.post(url("detention-list"), {
        "detainee": pk, "held_by": "RU", "detained_on": "2022-02-17", "sources": [source.pk],
    }, format="json")  # fmt: skip
    assert detention.status_code == 201, detention.content
    data = editor_api.get(url("detainee-detail", pk)).json()
    assert (data["status"], data["held_by"]) == ("held", "RU")
    patched = editor_api.patch(url("detainee-detail", pk), {"description": "WNBA player"}, format="json")
    assert patched.status_code == 200 and patched.json()["description"] == "WNBA player"
    person = Detainee.objects.get(pk=pk)
    assert person.history.first().history_user == editor  # the API user is the author of the change
    assert editor_api.delete(url("detainee-detail", pk)).status_code == 204
    assert not Detainee.objects.filter(pk=pk).exists()


def test_partial_dates_are_normalised_on_write(editor_api):
    person = DetaineeFactory(is_published=False)  # a published case would need the detention sourced
    response = editor_api.post(url("detention-list"), {
        "detainee": person.pk, "held_by": "RU", "detained_on": "2019-08-15", "detained_on_precision": "month",
    }, format="json")  # fmt: skip
    assert response.json()["detained_on"] == "2019-08-01"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"detained_on": "2022-02-17", "released_on": "2021-01-01", "end_reason": "released"}, "released_on"),
        ({"detained_on": "not a date"}, "detained_on"),
        ({"detained_on": "2022-02-17", "held_by": "XX"}, "held_by"),
        ({"detained_on": "2022-02-17", "end_reason": "vanished"}, "end_reason"),
        ({"detained_on": "2022-02-17", "detained_on_precision": "week"}, "detained_on_precision"),
        ({"detained_on": "2022-02-17", "detainee": "abc"}, "detainee"),
    ],
)
def test_invalid_writes_are_400_naming_the_field(editor_api, body, field):
    person = DetaineeFactory()
    payload = {"detainee": person.pk, "held_by": "RU", **body}
    response = editor_api.post(url("detention-list"), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_multi_party_exchange_in_one_post(editor_api):
    whelan, gershkovich, krasikov = (DetaineeFactory(name=n) for n in ("Paul Whelan", "Evan Gershkovich", "Vadim K"))
    response = editor_api.post(url("exchange-list"), {
        "name": "2024 Ankara prisoner exchange", "date": "2024-08-01", "place": "Ankara", "place_country": "TR",
        "mediators": ["TR"], "status": "completed",
        "participants": [
            {"detainee": whelan.pk, "released_by": "RU", "received_by": "US"},
            {"detainee": gershkovich.pk, "released_by": "RU", "received_by": "US"},
            {"detainee": krasikov.pk, "released_by": "DE", "received_by": "RU"},
        ],
    }, format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["countries"] == ["DE", "RU", "TR", "US"] and len(data["participants"]) == 3
    exchange = Exchange.objects.get(pk=data["id"])
    response = editor_api.patch(url("exchange-detail", exchange.pk), {
        "participants": [{"detainee": whelan.pk, "released_by": "RU", "received_by": "US"}],
    }, format="json")  # fmt: skip
    assert response.status_code == 200
    assert list(exchange.participants.values_list("detainee__name", flat=True)) == ["Paul Whelan"]


def test_bad_participant_rolls_back_the_whole_exchange(editor_api):
    person = DetaineeFactory()
    response = editor_api.post(url("exchange-list"), {
        "name": "Swap", "participants": [
            {"detainee": person.pk, "released_by": "RU", "received_by": "US"},
            {"detainee": person.pk, "released_by": "RU", "received_by": "US"},
        ]}, format="json")  # fmt: skip
    assert response.status_code == 400 and "participants" in response.json()
    response = editor_api.post(url("exchange-list"), {
        "name": "Swap", "participants": [{"detainee": person.pk, "released_by": "RU", "received_by": "RU"}]},
        format="json")  # fmt: skip
    assert response.status_code == 400 and "participants" in response.json()
    assert not Exchange.objects.exists()


# ---- cost -------------------------------------------------------------------------------------


def test_list_queries_do_not_grow_with_rows(api):
    """Each list costs the same queries for 5 rows as for 25 (the rows are made once for all six lists)."""

    def populate(n):
        for _ in range(n):
            person = DetaineeFactory()
            detention = DetentionFactory(detainee=person)
            ChargeFactory(detention=detention).sources.add(SourceFactory())
            ParticipantFactory(detainee=person)
            StatementFactory().detainees.add(person)

    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(endpoint):
        cache.clear()  # every request starts with an empty cache, for 5 rows as for 25
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"/api/v1/{endpoint}/", {"page_size": 500}).status_code == 200
        return len(captured.captured_queries)

    endpoints = ["detainees", "exchanges", "detentions", "sentences", "statements", "sources"]
    connection.features.supports_json_field  # noqa: B018  (Django's probe, once per connection: not a list's cost)
    populate(5)
    few = {endpoint: queries(endpoint) for endpoint in endpoints}
    populate(20)
    many = {endpoint: queries(endpoint) for endpoint in endpoints}
    assert few == many and max(many.values()) <= 16, (few, many)


@pytest.mark.parametrize("when", ["3255-09-26T18:06:29+18:18", "0001-01-01T00:00:00-10:00", "2024-08-01T00:00:00Z"])
def test_updated_since_takes_any_iso_time_without_a_500(api, demo, when):
    """PostgreSQL refuses offsets beyond ±15:59; the filter converts to UTC first (found by schemathesis)."""
    response = api.get(url("detainee-list"), {"updated_since": when})
    assert response.status_code == 200
    assert response.json()["count"] == (0 if when.startswith("3255") else Detainee.objects.count())


def test_publishing_through_the_api_is_refused_while_a_fact_is_unsourced(editor_api):
    source = SourceFactory()
    person = DetaineeFactory(is_published=False)
    person.sources.add(source)
    detention = DetentionFactory(detainee=person)
    response = editor_api.patch(url("detainee-detail", person.pk), {"is_published": True}, format="json")
    assert response.status_code == 400
    assert any("Detention" in p and "cites no source" in p for p in response.json()["is_published"])
    detention.sources.add(source)
    response = editor_api.patch(url("detainee-detail", person.pk), {"is_published": True}, format="json")
    assert response.status_code == 200 and response.json()["is_published"] is True


def test_a_new_case_or_exchange_cannot_be_published_without_a_source(editor_api):
    response = editor_api.post(url("detainee-list"), {"name": "X", "is_published": True}, format="json")
    assert response.status_code == 400 and "is_published" in response.json()
    response = editor_api.post(url("exchange-list"), {"name": "Swap", "is_published": True}, format="json")
    assert response.status_code == 400 and "is_published" in response.json()
    source = SourceFactory()
    response = editor_api.post(url("exchange-list"), {"name": "Swap", "is_published": True, "sources": [source.pk]},
                               format="json")  # fmt: skip
    assert response.status_code == 201


def test_addresses_are_stored_and_given_back_as_uris_on_every_path(editor_api):
    """schemathesis found an archive address with a control character and non-ASCII letters in its fragment
    accepted and given back as it came, which is not the `format: uri` the schema promises."""
    import jsonschema_rs

    from sources.models import Outlet, Source

    uri = jsonschema_rs.validator_for({"type": "string", "format": "uri"}, validate_formats=True)
    response = editor_api.post("/api/v1/sources/", {
        "title": "Test source (test data)", "url": "https://example.org/новость",
        "archive_url": "http://example.org/page#\u0007Ä",
    }, format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["url"] == "https://example.org/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D1%8C"
    assert body["archive_url"] == "http://example.org/page#%07%C3%84"
    assert uri.is_valid(body["url"]) and uri.is_valid(body["archive_url"])
    outlet = Outlet(name="Test outlet (test data)", website="https://example.org/über")
    outlet.full_clean()  # the admin's and imports' path
    assert outlet.website == "https://example.org/%C3%BCber"
    assert Source.objects.get(pk=body["id"]).archive_url == body["archive_url"]
