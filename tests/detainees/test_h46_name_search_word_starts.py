"""A name search matches the starts of words in the folded names, not any run of letters inside one: "Бут" is
Bout, not Poczobut; the Latin and Cyrillic spellings still find each other."""

import pytest

from detainees.models import Detainee, Group
from sources.models import Official
from tests.factories import DetaineeFactory, ExchangeFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def poczobut(demo):
    return DetaineeFactory(name="Andrzej Poczobut", name_original="Андрей Почобут", is_published=True)


def api_names(client, q):
    return {row["name"] for row in client.get("/api/v1/detainees/", {"q": q}).json()["results"]}


def page_names(client, q, prefix=""):
    return {p.name for p in client.get(f"{prefix}/detainees/", {"q": q}).context["object_list"]}


@pytest.mark.parametrize("q", ["Бут", "Bout", "but", "Бу"])
def test_bout_is_not_poczobut(client, poczobut, q):
    assert api_names(client, q) == {"Viktor Bout"}
    assert page_names(client, q) == {"Viktor Bout"}
    assert set(Detainee.objects.published().search(q).values_list("name", flat=True)) == {"Viktor Bout"}


def test_scripts_still_find_each_other_and_a_word_start_still_finds(client, poczobut):
    assert api_names(client, "Уилан") == {"Paul Whelan"}
    assert api_names(client, "Poczobut") == {"Andrzej Poczobut"} == api_names(client, "Почобут")
    assert api_names(client, "Pocz") == {"Andrzej Poczobut"}
    assert api_names(client, "Viktor Bo") == {"Viktor Bout"}
    assert page_names(client, "Бут", prefix="/ru") == {"Viktor Bout"}


def test_exchange_search_by_participant_is_by_word_start_too(client, poczobut):
    swap = ExchangeFactory(name="Some swap", is_published=True, status="completed")
    ParticipantFactory(exchange=swap, detainee=poczobut)
    names = {row["name"] for row in client.get("/api/v1/exchanges/", {"q": "Бут"}).json()["results"]}
    assert "Some swap" not in names and "Griner–Bout exchange" in names


def test_groups_and_officials_search_by_word_start():
    Group.objects.create(name="Abut Brigade")  # "abut" holds "but"
    Group.objects.create(name="Butcher Gang")
    assert list(Group.objects.search("but").values_list("name", flat=True)) == ["Butcher Gang"]
    Official.objects.create(name="Maria Zakharova", country="RU")
    assert not Official.objects.search("harova").exists()
    assert Official.objects.search("Захарова").exists()
