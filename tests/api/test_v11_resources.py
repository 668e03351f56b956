"""Version 1.1 resources through the API: groups, custody chains, counted exchanges, officials, claims and sentence
changes, each written and read back (issue 12, items 1–5)."""

import csv
import io

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from detainees.models import Detainee
from tests.factories import DetaineeFactory, DetentionFactory, ExchangeFactory, SentenceFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def editor_api(editor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    return client


def ok(response, status=200):
    assert response.status_code == status, response.content
    return response.json()


def test_group_round_trips_and_holds_a_person(editor_api, api):
    group = ok(editor_api.post("/api/v1/groups/", {"name": "Hamas", "aliases": ["Harakat al-Muqawama"],
               "kind": "armed_group", "country": "PS"}, format="json"), 201)  # fmt: skip
    assert ok(api.get(f"/api/v1/groups/{group['id']}/"))["html_url"].endswith("/groups/hamas/")
    assert ok(api.get("/api/v1/groups/", {"q": "muqawama"}))["count"] == 1
    person, cited = published_with_a_source()
    detention = ok(editor_api.post("/api/v1/detentions/", {"detainee": person.pk, "held_by": "",
                   "held_by_group": group["id"], "detained_on": "2006-06-25", "sources": cited},
                   format="json"), 201)  # fmt: skip
    assert detention["held_by_group"] == group["id"]
    data = ok(api.get(f"/api/v1/detainees/{person.pk}/"))
    assert (data["status"], data["held_by"], data["held_by_group"]) == ("held", None, group["id"])
    found = ok(api.get("/api/v1/detainees/", {"held_by_group": group["id"]}))["results"]
    assert [d["id"] for d in found] == [person.pk]
    both = editor_api.post("/api/v1/detentions/", {"detainee": person.pk, "held_by": "IL",
                           "held_by_group": group["id"], "detained_on": "2006-06-25"}, format="json")  # fmt: skip
    assert both.status_code == 400 and "held_by_group" in both.json()
    assert "Hamas" in api.get("/groups/hamas/").content.decode()
    assert person.name in api.get("/groups/hamas/").content.decode()


def published_with_a_source():
    """A published case and the source its facts cite (published means sourced, on every write)."""
    source = SourceFactory()
    person = DetaineeFactory(is_published=True)
    person.sources.add(source)
    return person, [source.pk]


def test_custody_chain_round_trips(editor_api, api):
    person, cited = published_with_a_source()
    first = ok(editor_api.post("/api/v1/detentions/", {"detainee": person.pk, "held_by": "TH",
               "detained_on": "2008-03-06", "released_on": "2010-11-16", "end_reason": "extradited",
               "sources": cited}, format="json"), 201)  # fmt: skip
    ok(editor_api.post("/api/v1/detentions/", {"detainee": person.pk, "held_by": "US", "detained_on": "2010-11-16",
                       "sources": cited}, format="json"), 201)  # fmt: skip
    data = ok(api.get(f"/api/v1/detainees/{person.pk}/"))
    assert [(d["held_by"], d["end_reason"]) for d in data["detentions"]] == [("TH", "extradited"), ("US", "")]
    assert data["held_by"] == "US"
    assert ok(api.get(f"/api/v1/detentions/{first['id']}/"))["end_reason"] == "extradited"


def test_counted_exchange_round_trips_with_participants_in_one_request(editor_api, api):
    source = SourceFactory()
    person = DetaineeFactory(is_published=True)
    pows = "prisoners of war"
    body = {"name": "A swap of prisoners of war", "date": "2024-01-03", "status": "completed", "is_published": True,
            "sources": [source.pk], "participants": [{"detainee": person.pk, "released_by": "RU", "received_by": "UA"}],
            "counts": [{"released_by": "RU", "received_by": "UA", "number": 229, "description": pows},
                       {"released_by": "UA", "received_by": "RU", "number": 248, "description": pows}]}  # fmt: skip
    created = ok(editor_api.post("/api/v1/exchanges/", body, format="json"), 201)
    data = ok(api.get(f"/api/v1/exchanges/{created['id']}/"))
    assert data["people_total"] == 1 + 229 + 248
    assert [(c["released_by"], c["number"]) for c in data["counts"]] == [("RU", 229), ("UA", 248)]
    page = api.get(f"/exchanges/{data['slug']}/").content.decode()
    assert "478 people in all" in page and "230 people" in page and "248 people" in page  # below 1,000: no comma
    body = b"".join(api.get("/api/v1/exchanges/", {"format": "csv"}).streaming_content).decode().lstrip("\ufeff")
    [row] = list(csv.DictReader(io.StringIO(body)))
    assert (row["counts"], row["people_total"]) == ("229:RU>UA|248:UA>RU", "478")
    bad = editor_api.patch(f"/api/v1/exchanges/{created['id']}/", {"counts": [{"released_by": "RU", "number": 0}]},
                           format="json")  # fmt: skip
    assert bad.status_code == 400 and "counts" in bad.json()
    ok(editor_api.patch(f"/api/v1/exchanges/{created['id']}/", {"counts": []}, format="json"))
    assert ok(api.get(f"/api/v1/exchanges/{created['id']}/"))["people_total"] == 1


def test_a_proposed_exchange_says_no_one_went_anywhere(api):
    exchange = ExchangeFactory(status="proposed", is_published=True)
    exchange.counts.create(released_by="US", received_by="RU", number=3)
    page = api.get(f"/exchanges/{exchange.slug}/").content.decode()
    assert "What was proposed" in page and "no one was exchanged" in page
    assert "Who went which way" not in page


def test_official_round_trips_and_speaker_finds_any_spelling(editor_api, api):
    official = ok(editor_api.post("/api/v1/officials/", {"name": "Sergei Vershinin", "name_original": "Сергей Вершинин",
                  "country": "RU", "role": "Deputy Foreign Minister"}, format="json"), 201)  # fmt: skip
    source = SourceFactory()
    statement = ok(editor_api.post("/api/v1/statements/", {"speaker": "S. Vershinin", "official": official["id"],
                   "source": source.pk, "summary": "Spoke."}, format="json"), 201)  # fmt: skip
    for spelling in ["Sergey Vershinin", "Sergei Vershinin", "Вершинин"]:
        found = ok(api.get("/api/v1/statements/", {"speaker": spelling}))["results"]
        assert [s["id"] for s in found] == [statement["id"]], spelling
    assert ok(api.get(f"/api/v1/officials/{official['id']}/"))["html_url"].endswith("/officials/sergei-vershinin/")
    assert "Spoke." in api.get("/officials/sergei-vershinin/").content.decode()


def test_claim_round_trips_and_a_drafts_claim_stays_hidden(editor_api, api):
    exchange = ExchangeFactory(is_published=True)
    source = SourceFactory()
    claim = ok(editor_api.post("/api/v1/claims/", {"about_type": "exchange", "about_id": exchange.pk,
               "field": "mediators", "value": "AE, SA", "source": source.pk}, format="json"), 201)  # fmt: skip
    assert ok(api.get(f"/api/v1/claims/{claim['id']}/"))["about_type"] == "exchange"
    rows = list(csv.DictReader(io.StringIO(b"".join(api.get("/api/v1/claims/", {"format": "csv"})
                                                    .streaming_content).decode().lstrip("\ufeff"))))  # fmt: skip
    assert [r["value"] for r in rows] == ["AE, SA"]
    missing = editor_api.post("/api/v1/claims/", {"about_type": "exchange", "about_id": 999999, "field": "x",
                              "value": "y", "source": source.pk}, format="json")  # fmt: skip
    assert missing.status_code == 400 and "about_id" in missing.json()
    exchange.is_published = False
    exchange.save()
    assert ok(api.get("/api/v1/claims/"))["count"] == 0


def test_sentence_changes_are_a_resource_and_a_sentence_refuses_them_inline(editor_api, api):
    person, cited = published_with_a_source()
    detention = DetentionFactory(detainee=person)
    sentence = SentenceFactory(detention=detention, term_months=108)
    for record in (detention, sentence):
        record.sources.set(cited)
    change = ok(editor_api.post("/api/v1/sentence-changes/", {"sentence": sentence.pk, "kind": "reduced_on_appeal",
                "changed_on": "2023-01-01", "term_months": 60, "sources": cited}, format="json"), 201)  # fmt: skip
    assert ok(api.get(f"/api/v1/sentence-changes/{change['id']}/"))["term_months"] == 60
    assert ok(api.get("/api/v1/sentence-changes/", {"kind": "reduced_on_appeal"}))["count"] == 1
    silent = editor_api.patch(f"/api/v1/sentences/{sentence.pk}/", {"changes": [{"kind": "pardoned"}]},
                              format="json")  # fmt: skip
    assert silent.status_code == 400 and "changes" in silent.json()
    assert sentence.changes.count() == 1


def test_dump_carries_the_new_resources(api, demo):
    from tests.feed import built_dump

    dump = built_dump(api)
    assert {"groups", "officials", "claims", "sentence-changes"} <= set(dump)
    assert {g["name"] for g in dump["groups"]} == {"Hamas"}
    assert len(dump["claims"]) == 2
    shalit = next(e for e in dump["exchanges"] if e["name"] == "Gilad Shalit prisoner exchange")
    assert shalit["people_total"] == 1028
    assert Detainee.objects.get(slug="gilad-shalit").status == "exchanged"
