"""Duplicate warnings before saving, and merging two records of one person."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from detainees.models import Detainee
from detainees.services import likely_duplicates, merge_detainees
from tests.admin_helpers import inline_management_data
from tests.factories import (
    DesignationFactory,
    DetaineeFactory,
    DetentionFactory,
    ExchangeFactory,
    ParticipantFactory,
    SourceFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["Victor Bout", "Виктор Бут", "viktor  BOUT", "Viktor Bouth"])
def test_spellings_of_one_person_are_flagged(name):
    bout = DetaineeFactory(name="Viktor Bout", name_original="Виктор Бут")
    assert likely_duplicates(name=name) == [bout]


def test_different_people_are_not_flagged():
    DetaineeFactory(name="Viktor Bout")
    DetaineeFactory(name="Paul Whelan")
    assert likely_duplicates(name="Trevor Reed") == []
    assert likely_duplicates(name="Viktor Orban") == []


def add_detainee(client, **fields):
    url = reverse("admin:detainees_detainee_add")
    data = inline_management_data(client.get(url))
    data.update({"name": "", "name_original": "", "aliases": "", "description": "", "born_on_precision": "day",
                 "wikidata_id": "", **fields})  # fmt: skip
    return client.post(url, data)


def test_admin_shows_likely_duplicates_before_saving(editor_client):
    bout = DetaineeFactory(name="Viktor Bout")
    response = add_detainee(editor_client, name="Victor Bout")
    assert response.status_code == 200
    assert f"Viktor Bout (#{bout.pk})" in response.content.decode()
    assert Detainee.objects.count() == 1
    response = add_detainee(editor_client, name="Victor Bout", not_a_duplicate="on")
    assert response.status_code == 302 and Detainee.objects.count() == 2


def test_api_warns_of_likely_duplicates(editor):
    bout = DetaineeFactory(name="Viktor Bout")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    response = api.post("/api/v1/detainees/", {"name": "Victor Bout"}, format="json")
    assert response.status_code == 201
    assert [d["id"] for d in response.json()["warnings"]["possible_duplicates"]] == [bout.pk]
    assert "warnings" not in api.post("/api/v1/detainees/", {"name": "Ann Other"}, format="json").json()


def test_merge_moves_everything_and_keeps_history():
    keep = DetaineeFactory(name="Viktor Bout", citizenships=["RU"], wikidata_id="", description="", is_published=False)
    other = DetaineeFactory(name="Victor Bout", name_original="Виктор Бут", citizenships=["UA"],
                            wikidata_id="Q310954", description="arms dealer")  # fmt: skip
    source = SourceFactory()
    other.sources.add(source)
    detention = DetentionFactory(detainee=other)
    designation = DesignationFactory(detainee=other)
    statement = StatementFactory()
    statement.detainees.add(other)
    shared_exchange = ExchangeFactory()
    ParticipantFactory(exchange=shared_exchange, detainee=keep)
    ParticipantFactory(exchange=shared_exchange, detainee=other)
    own_exchange = ExchangeFactory()
    moved = ParticipantFactory(exchange=own_exchange, detainee=other)
    other_id = other.pk

    merge_detainees(keep=keep, remove=other)

    keep.refresh_from_db()
    assert not Detainee.objects.filter(pk=other_id).exists()
    assert detention.__class__.objects.get(pk=detention.pk).detainee == keep
    assert designation.__class__.objects.get(pk=designation.pk).detainee == keep
    assert list(statement.detainees.all()) == [keep]
    assert list(keep.sources.all()) == [source]
    assert moved.__class__.objects.get(pk=moved.pk).detainee == keep
    assert shared_exchange.participants.filter(detainee=keep).count() == 1
    assert keep.aliases == ["Victor Bout"] and keep.name_original == "Виктор Бут"
    assert sorted(c.code for c in keep.citizenships) == ["RU", "UA"]
    assert (keep.wikidata_id, keep.description) == ("Q310954", "arms dealer")
    assert Detainee.history.filter(id=other_id, history_type="-").exists()  # the removed record can be restored
    assert keep.history.first().history_change_reason.startswith(f"Merged #{other_id}")


def test_merge_action_in_the_admin(editor_client):
    a, b = DetaineeFactory(name="Paul Whelan", is_published=False), DetaineeFactory(name="Paul Whelen")
    DetentionFactory(detainee=b)
    url = reverse("admin:detainees_detainee_changelist")
    confirm = editor_client.post(url, {"action": "merge", "_selected_action": [a.pk, b.pk]})
    assert confirm.status_code == 200 and "Merge two detainees" in confirm.content.decode()
    done = editor_client.post(url, {"action": "merge", "_selected_action": [a.pk, b.pk], "keep": a.pk})
    assert done.status_code == 302
    assert list(Detainee.objects.values_list("name", flat=True)) == ["Paul Whelan"]
    assert a.detentions.count() == 1
