"""The demo cases, complete and in the project's own words (issue 12, item 8)."""

import re
from pathlib import Path

import pytest

from dataset.demo import demo_document
from detainees.models import Detainee
from exchanges.models import Exchange
from sources.models import Source, Statement

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"  # shared/ lies beside the repository


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'").replace("'", ""))


def runs(text: str, n: int = 8) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


def records(label: str) -> list[dict]:
    """The demo document's records of one type (dataset/demo.json, what `load_demo` merges)."""
    return [r["fields"] for r in demo_document()["records"].get(label, [])]


OWN_WORDS = ("summary", "title", "description", "note", "circumstances")


def our_texts() -> list[tuple[str, str]]:
    """Everything the demo says in its own words (quotes excepted: they are an official's words, one sentence)."""
    texts = []
    for label, rows in demo_document()["records"].items():
        for row in rows:
            for field in OWN_WORDS:
                value = row["fields"].get(field)
                if isinstance(value, str) and value:
                    texts.append((f"{label} {row['id']} {field}", value))
    return texts


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed articles are not on this machine")
def test_no_demo_text_shares_an_eight_word_run_with_a_seed():
    seed_runs = set()
    for path in SEEDS.glob("*.txt"):
        seed_runs |= runs(path.read_text())
    copied = {where: sorted(" ".join(r) for r in runs(text) & seed_runs) for where, text in our_texts()}
    assert len(our_texts()) > 40  # the demo's summaries, titles, descriptions, notes and circumstances
    assert {k: v for k, v in copied.items() if v} == {}


def test_quotes_are_one_sentence_at_most():
    for s in records("sources.statement"):
        quote = s.get("quote", "")
        assert len(re.findall(r"[.!?](\s|$)", quote)) <= 1, s["speaker"]


def test_no_invented_headline_or_address():
    for s in records("sources.source"):
        assert "descriptive title" not in s["title"].lower(), s["title"]
        if not s.get("headline_on_file", True):
            assert s["url"] == "", s["title"]  # a headline we do not have comes with no address we could have invented


def test_the_ankara_exchange_has_all_24_prisoners_each_way(demo, client):
    ankara = Exchange.objects.get(name="2024 Ankara prisoner exchange")
    sides = {(p.detainee.name, p.released_by.code, p.received_by.code) for p in ankara.participants.all()}
    assert len(sides) == 24
    expected = {
        ("RU", "US"): {"Evan Gershkovich", "Paul Whelan", "Alsu Kurmasheva"},
        ("RU", "DE"): {"Vladimir Kara-Murza", "Ilya Yashin", "Oleg Orlov", "Andrei Pivovarov", "Lilia Chanysheva",
                       "Ksenia Fadeeva", "Vadim Ostanin", "Sasha Skochilenko", "Kevin Lik", "Dieter Voronin",
                       "Patrick Schöbel", "German Moyzhes"},
        ("BY", "DE"): {"Rico Krieger"},
        ("DE", "RU"): {"Vadim Krasikov"},
        ("US", "RU"): {"Vladislav Klyushin", "Vadim Konoshchenok", "Roman Seleznev"},
        ("PL", "RU"): {"Pavel Rubtsov"},
        ("NO", "RU"): {"Mikhail Mikushin"},
        ("SI", "RU"): {"Artem Dultsev", "Anna Dultseva"},
    }  # fmt: skip
    assert {(a, b): {n for n, x, y in sides if (x, y) == (a, b)} for a, b in expected} == expected
    found = client.get("/api/v1/exchanges/", {"country": "BY"}).json()["results"]
    assert [e["name"] for e in found] == ["2024 Ankara prisoner exchange"]
    page = client.get(f"/exchanges/{ankara.slug}/").content.decode()
    assert "24 people in all" in page and "Rico Krieger" in page and "two children" in page


def test_charges_designations_and_claims(demo):
    griner = Detainee.objects.get(slug="brittney-griner").detentions.get()
    assert {c.statute for c in griner.charges.all()} == {"Criminal Code art. 229.1", "Criminal Code art. 228"}
    bout = Detainee.objects.get(slug="viktor-bout").detentions.get(held_by="US")
    assert bout.charges.count() == 4
    kara_murza = Detainee.objects.get(slug="vladimir-kara-murza").detentions.get()
    assert {c.statute for c in kara_murza.charges.all()} == {
        "Criminal Code art. 207.3", "Criminal Code art. 284.1", "Criminal Code art. 275"}  # fmt: skip
    whelan = Detainee.objects.get(slug="paul-whelan")
    assert whelan.designations.filter(kind="wrongfully_detained", authority="US State Department").exists()
    swap = Exchange.objects.get(name="Griner–Bout exchange")
    assert sorted((c.value, c.source_id is not None) for c in swap.claims.all()) == [("AE, SA", True), ("none", True)]


def test_a_group_held_case_and_a_counted_exchange(demo, client):
    shalit = Detainee.objects.get(slug="gilad-shalit")
    detention = shalit.detentions.get()
    assert (detention.held_by.code, detention.held_by_group.name) == ("", "Hamas")
    page = client.get("/detainees/gilad-shalit/").content.decode()
    assert 'Held by <a href="/groups/hamas/">Hamas</a>' in page
    exchange = client.get("/exchanges/gilad-shalit-prisoner-exchange/").content.decode()
    assert "who received them is not on file" in exchange and "unknown captor" not in exchange
    assert "1,028 people in all" in exchange and "Not named one by one: 1,027" in exchange


def test_seed_sources_say_their_headline_is_not_on_file(demo, client):
    seed = Source.objects.get(title__startswith="Vershinin on Russians")
    assert not seed.headline_on_file and seed.url == ""
    page = client.get("/detainees/viktor-bout/").content.decode()
    assert "editors’ description, headline unknown" in page


def test_statements_link_officials(demo, client):
    ryabkov = Statement.objects.get(speaker="Sergey Ryabkov")
    assert ryabkov.official.name == "Sergei Ryabkov"
    found = client.get("/api/v1/statements/", {"speaker": "Sergey Vershinin"}).json()["results"]
    assert [s["speaker"] for s in found] == ["Sergei Vershinin"]
