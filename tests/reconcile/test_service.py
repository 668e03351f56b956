"""/api/reconcile/: the W3C Reconciliation Service API 0.2, every response checked against the specification's
JSON Schemas (reconcile/schemas)."""

import datetime
import json

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from detainees.models import Group
from detainees.services import merge_detainees
from reconcile.service import validate
from sources.models import Official
from tests.factories import DetaineeFactory, DetentionFactory, ExchangeFactory, ParticipantFactory, SourceFactory

pytestmark = pytest.mark.django_db
URL = "/api/reconcile/"


def conforms(response, schema: str) -> dict:
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    problem = validate(schema, body)
    assert problem is None, problem
    return body


def reconcile(client, queries: dict, method: str = "post", **extra) -> dict:
    data = {"queries": json.dumps(queries)}
    response = client.post(URL, data, **extra) if method == "post" else client.get(URL, data, **extra)
    return conforms(response, "reconciliation-result-batch")


@pytest.fixture
def people():
    evan = DetaineeFactory(name="Evan Gershkovich", name_original="Эван Гершкович", citizenships=["US"],
                           born_on=datetime.date(1991, 10, 26), wikidata_id="Q116996716")  # fmt: skip
    DetentionFactory(detainee=evan, held_by="RU", detained_on=datetime.date(2023, 3, 29), released_on=None)
    whelan = DetaineeFactory(name="Paul Whelan", citizenships=["US", "GB", "IE", "CA"])
    bout = DetaineeFactory(name="Viktor Bout", name_original="Виктор Бут", citizenships=["RU"])
    draft = DetaineeFactory(name="Secret Draftperson", is_published=False)
    swap = ExchangeFactory(name="Griner–Bout exchange", date=datetime.date(2022, 12, 8))
    ParticipantFactory(exchange=swap, detainee=bout)
    return {"evan": evan, "whelan": whelan, "bout": bout, "draft": draft, "swap": swap}


def test_manifest_conforms_and_points_at_the_service(client):
    body = conforms(client.get(URL), "manifest")
    assert body["versions"] == ["0.2"]
    assert [t["id"] for t in body["defaultTypes"]] == ["detainee", "official", "group", "exchange"]
    assert body["view"]["url"].endswith("/api/reconcile/entity/{{id}}")
    assert body["preview"]["url"].endswith("/api/reconcile/preview?id={{id}}")
    assert body["extend"]["propose_properties"]["service_path"] == "/api/reconcile/extend/propose"


@pytest.mark.parametrize("method", ["post", "get"])
def test_spellings_reconcile_to_the_case_and_auto_match_only_when_unambiguous(client, people, method):
    body = reconcile(client, {
        "q0": {"query": "Evan Gershkovitch"},
        "q1": {"query": "Гершкович Эван", "type": "detainee", "limit": 3},
        "q2": {"query": "Paul Nicholas Whelan", "properties": [{"pid": "citizenship", "v": "GB"}]},
        "q3": {"query": "Nobody Atall"},
    }, method)  # fmt: skip
    evan, whelan = people["evan"], people["whelan"]
    for key, person in (("q0", evan), ("q1", evan), ("q2", whelan)):
        top = body[key]["result"][0]
        assert top["id"] == str(person.pk) and top["name"] == person.name and top["match"] is True
        assert top["type"] == [{"id": "detainee", "name": "Detainee"}]
        assert {f["id"] for f in top["features"]} >= {"name", "name_exact"}
    assert {"id": "citizenship", "value": 1} in body["q2"]["result"][0]["features"]
    assert body["q3"]["result"] == []


def test_properties_are_evidence_for_and_against(client, people):
    body = reconcile(client, {
        "agree": {"query": "Evan Gershkovich", "properties": [
            {"pid": "born_on", "v": "1991"}, {"pid": "held_by", "v": "Russia"},
            {"pid": "arrested_on", "v": "2023-03"}]},
        "disagree": {"query": "Evan Gershkovich", "properties": [{"pid": "born_on", "v": "1960-01-01"}]},
    })  # fmt: skip
    agree, disagree = body["agree"]["result"][0], body["disagree"]["result"][0]
    assert agree["match"] is True and agree["score"] > disagree["score"]
    assert disagree["match"] is False
    assert {"id": "born_on", "value": -1} in disagree["features"]
    assert {"id": "held_by", "value": 1} in agree["features"] and {"id": "arrested_on", "value": 1} in agree["features"]


def test_two_namesakes_are_not_auto_matched(client):
    DetaineeFactory(name="Ivan Petrov")
    DetaineeFactory(name="Ivan Petrov")
    result = reconcile(client, {"q0": {"query": "Ivan Petrov"}})["q0"]["result"]
    assert len(result) == 2 and not any(c["match"] for c in result)


def test_other_types(client, people):
    official = Official.objects.create(name="Sergei Ryabkov", name_original="Сергей Рябков", country="RU",
                                       role="Deputy Foreign Minister")  # fmt: skip
    group = Group.objects.create(name="Hamas", country="PS")
    body = reconcile(client, {
        "o": {"query": "Sergey Ryabkov", "type": "official"},
        "g": {"query": "Hamas", "type": "group"},
        "e": {"query": "Griner-Bout swap", "type": "exchange", "properties": [{"pid": "date", "v": "2022-12-08"}]},
    })  # fmt: skip
    assert body["o"]["result"][0]["id"] == f"official/{official.pk}" and body["o"]["result"][0]["match"]
    assert body["g"]["result"][0]["id"] == f"group/{group.pk}"
    assert body["e"]["result"][0]["id"] == f"exchange/{people['swap'].pk}"


def test_drafts_never_match_suggest_preview_or_extend_for_anonymous_callers(client, people, editor):
    draft = people["draft"]
    assert reconcile(client, {"q0": {"query": "Secret Draftperson"}})["q0"]["result"] == []
    suggested = conforms(client.get(URL + "suggest/entity", {"prefix": "Secret"}), "suggest-entities-response")
    assert suggested["result"] == []
    assert client.get(URL + "preview", {"id": draft.pk}).status_code == 404
    assert client.get(URL + f"entity/{draft.pk}").status_code == 404
    extended = client.get(URL, {"extend": json.dumps({"ids": [str(draft.pk)], "properties": [{"id": "status"}]})})
    assert conforms(extended, "data-extension-response")["rows"] == {str(draft.pk): {"status": []}}
    token = Token.objects.create(user=editor).key
    seen = reconcile(Client(), {"q0": {"query": "Secret Draftperson"}}, HTTP_AUTHORIZATION=f"Token {token}")
    assert seen["q0"]["result"][0]["id"] == str(draft.pk)


@pytest.mark.parametrize("params, field", [
    ({"queries": "{not json"}, "queries"),
    ({"queries": json.dumps({"q0": {"query": "x", "type": "planet"}})}, "queries.q0.type"),
    ({"queries": json.dumps({"q0": {"query": "x", "limit": 0}})}, "queries.q0.limit"),
    ({"queries": json.dumps({"q0": {"query": "x", "properties": [{"pid": "shoe_size", "v": "9"}]}})},
     "queries.q0.properties[0].pid"),
    ({"queries": json.dumps({"q0": {"query": "x", "properties": [{"pid": "born_on", "v": "last year"}]}})},
     "queries.q0.properties[0].v"),
    ({"queries": json.dumps({"q0": {"quer": "x"}})}, "queries"),
    ({"queries": json.dumps({f"q{i}": {"query": "x"} for i in range(101)})}, "queries"),
    ({"extend": json.dumps({"ids": ["1"]})}, "extend"),
    ({"extend": json.dumps({"ids": ["1"], "properties": [{"id": "shoe_size"}]})}, "extend.properties[0].id"),
])  # fmt: skip
def test_bad_requests_are_400_naming_the_field(client, params, field):
    response = client.post(URL, params)
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_bad_suggest_and_propose_parameters_are_400(client):
    assert "type" in client.get(URL + "extend/propose").json()
    assert client.get(URL + "suggest/entity", {"prefix": "a", "type": "planet"}).status_code == 400
    assert client.get(URL + "suggest/entity", {"prefix": "a", "cursor": "-1"}).status_code == 400
    assert client.get(URL + "preview", {"id": "../etc"}).status_code == 404


def test_suggest_conforms(client, people):
    entities = conforms(client.get(URL + "suggest/entity", {"prefix": "gershk"}), "suggest-entities-response")
    assert [e["id"] for e in entities["result"]] == [str(people["evan"].pk)]
    props = conforms(client.get(URL + "suggest/property", {"prefix": "held", "type": "detainee"}),
                     "suggest-properties-response")  # fmt: skip
    assert {"id": "held_by", "name": "Held by"} in props["result"]
    types = conforms(client.get(URL + "suggest/type", {"prefix": "exch"}), "suggest-types-response")
    assert types["result"] == [{"id": "exchange", "name": "Exchange"}]


def test_preview_is_a_small_card_in_both_scripts(client, people):
    response = client.get(URL + "preview", {"id": str(people["evan"].pk)})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    for text in ("Evan Gershkovich", "Эван Гершкович", "United States of America", "Held", "Russia"):
        assert text in html, text
    assert "X-Frame-Options" not in response  # shown in the client's iframe
    assert "frame-ancestors *" in response.get("Content-Security-Policy", "")


def test_data_extension_fills_the_columns(client, people):
    proposed = conforms(client.get(URL + "extend/propose", {"type": "detainee"}), "data-extension-property-proposal")
    assert {"status", "held_by", "latest_detention", "exchange", "wikidata_id", "url"} <= {
        p["id"] for p in proposed["properties"]
    }
    evan, bout, swap = people["evan"], people["bout"], people["swap"]
    query = {"ids": [str(evan.pk), str(bout.pk), f"exchange/{swap.pk}"], "properties": [
        {"id": "status"}, {"id": "held_by"}, {"id": "latest_detention"}, {"id": "exchange"}, {"id": "wikidata_id"},
        {"id": "url"}, {"id": "participants"}]}  # fmt: skip
    body = conforms(client.post(URL, {"extend": json.dumps(query)}), "data-extension-response")
    row = body["rows"][str(evan.pk)]
    assert row["status"] == [{"str": "Held"}] and row["held_by"] == [{"str": "Russia"}]
    assert row["latest_detention"] == [{"str": "Russia, 2023-03-29"}]
    assert row["wikidata_id"] == [{"str": "Q116996716"}]
    assert row["url"] == [{"str": f"http://testserver/detainees/{evan.slug}/"}]
    assert body["rows"][str(bout.pk)]["exchange"] == [{"id": f"exchange/{swap.pk}", "name": "Griner–Bout exchange"}]
    assert body["rows"][f"exchange/{swap.pk}"]["participants"] == [{"id": str(bout.pk), "name": "Viktor Bout"}]
    assert {"id": "exchange", "name": "Exchange", "type": {"id": "exchange", "name": "Exchange"}} in body["meta"]


def test_merged_ids_are_reported(client, people):
    keep, source = people["evan"], SourceFactory()
    keep.sources.add(source)
    for detention in keep.detentions.all():
        detention.sources.add(source)
    twin = DetaineeFactory(name="Evan Gershkovitch")
    twin_id = twin.pk
    merge_detainees(keep=keep, remove=twin)
    query = {"ids": [str(twin_id)], "properties": [{"id": "merged_into"}, {"id": "status"}]}
    body = conforms(client.post(URL, {"extend": json.dumps(query)}), "data-extension-response")
    assert body["rows"][str(twin_id)] == {"merged_into": [{"id": str(keep.pk), "name": keep.name}],
                                          "status": [{"str": "Held"}]}  # fmt: skip
    preview = client.get(URL + "preview", {"id": str(twin_id)})
    assert preview.status_code == 301 and preview["Location"].endswith(f"preview?id={keep.pk}")
    view = client.get(URL + f"entity/{twin_id}")
    assert view.status_code == 301 and view["Location"] == f"/detainees/{keep.slug}/"
    assert client.get(URL + f"entity/{keep.pk}")["Location"] == f"/detainees/{keep.slug}/"


def test_a_batch_costs_a_bounded_number_of_queries(client, people, django_assert_max_num_queries):
    queries = {f"q{i}": {"query": name} for i, name in enumerate(["Evan Gershkovich", "Paul Whelan", "Viktor Bout"])}
    with django_assert_max_num_queries(20):
        reconcile(client, queries)


def test_data_extension_costs_the_same_for_one_id_or_many(client, django_assert_max_num_queries):
    people = [DetaineeFactory(name=f"Person Number{i}") for i in range(12)]
    for person in people:
        DetentionFactory(detainee=person)
        ParticipantFactory(detainee=person)
    query = {
        "ids": [str(p.pk) for p in people],
        "properties": [{"id": "status"}, {"id": "held_by"}, {"id": "exchange"}, {"id": "latest_detention"}],
    }
    with django_assert_max_num_queries(8):
        body = conforms(client.post(URL, {"extend": json.dumps(query)}), "data-extension-response")
    assert all(len(row["exchange"]) == 1 for row in body["rows"].values())


def test_jsonp_answers_as_to_the_public(editor_client, people):
    response = editor_client.get(URL + "suggest/entity", {"prefix": "Secret", "callback": "jQuery123_cb"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert body.startswith("/**/jQuery123_cb(") and body.endswith(");")
    assert json.loads(body[len("/**/jQuery123_cb(") : -2]) == {"result": []}  # the draft stays hidden
    assert editor_client.get(URL + "suggest/entity", {"prefix": "Secret"}).json()["result"]  # the editor sees it
    manifest = editor_client.get(URL, {"callback": "alert(1)//"})
    assert manifest["Content-Type"].startswith("application/json")  # not a function name: plain JSON


def test_a_given_name_one_vowel_away_reconciles_high(client, people):
    """A new user's "Pol Whelan" (Paul as Russian writes it back: Пол) scored 29 against Paul Whelan: the short
    first names were no pair at all, so one surname of two words was all the evidence."""
    body = reconcile(client, {"q0": {"query": "Pol Whelan"}})
    top = body["q0"]["result"][0]
    assert top["id"] == str(people["whelan"].pk) and top["score"] >= 90, top
