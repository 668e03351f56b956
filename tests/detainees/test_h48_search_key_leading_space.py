"""A stored search key begins with a space (issue 21, item 4; helper h48), so a word start is ONE `LIKE '% form%'` per
folded form, one probe of PostgreSQL's trigram index, where h46's word starts asked `LIKE 'form%' OR LIKE '% form%'`
(the name search's regression at 100,000 cases: README, "The sixth round's run"). The space is bookkeeping: the
dataset document writes keys as before, and a migration rewrote the keys already stored, marking nothing stale."""

import importlib
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casedocs.models import CaseMark, CensusMark
from changes.models import Mark
from common.matching import Record, find
from common.text import prefix_forms, search_key
from dataset.backup import import_dataset, iter_dataset_json
from detainees.models import Detainee, Group
from exchanges.models import Exchange
from sources.models import Official
from tests.exchanges.test_dataset import wipe
from tests.factories import DetaineeFactory, ExchangeFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

KEY_LIKE = re.compile(r'search_key"?(?:::text)?\s+LIKE')  # a LIKE on a search key (PostgreSQL casts to text)


def where(sql: str) -> str:
    """The WHERE clause of a query (up to its ORDER BY)."""
    return sql.split(" WHERE ", 1)[1].split(" ORDER BY ", 1)[0]


def likes(sql: str) -> int:
    return len(KEY_LIKE.findall(sql))


@pytest.mark.parametrize("q", ["whelan", "Уилан", "Бут", "bo", "gershkovic"])
def test_a_one_word_name_search_asks_one_like_per_folded_form(client, settings, q):
    settings.CASE_DOCUMENTS = False
    DetaineeFactory(name="Paul Whelan", name_original="Пол Уилан", is_published=True)
    forms = prefix_forms(q)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/detainees/", {"q": q})
    assert response.status_code == 200
    [page] = [c["sql"] for c in captured.captured_queries if " OVER " in c["sql"].upper()]  # the page, its count in it
    assert likes(where(page)) == len(forms), page  # main: two per form (a key's start, a word after a space)
    assert likes(page) == 2 * len(forms), page  # and one per form to rank the names that begin so first
    assert likes(str(Detainee.objects.search(q).query)) == len(forms)


def test_groups_officials_exchanges_and_the_matcher_ask_one_like_per_word():
    assert likes(str(Group.objects.search("butcher gang").query)) == 2
    assert likes(str(Official.objects.search("Захарова").query)) == 1
    assert likes(str(Exchange.objects.search("Бут").query)) == len(prefix_forms("Бут")) == 1
    DetaineeFactory(name="Paul Whelan", aliases=["Пол Уилан"])
    with CaptureQueriesContext(connection) as captured:
        found = find(Detainee.objects.all(), Record(names=["Paul Whelan"]), threshold=0.5)
    assert [obj.name for obj, _match in found] == ["Paul Whelan"]
    [read] = [c["sql"] for c in captured.captured_queries if "search_key" in c["sql"]]
    after_a_space = len(re.findall(r"LIKE '% [a-z]+%'", read))
    assert after_a_space and likes(read) == after_a_space, read  # main also asked each piece at the key's start


def test_every_stored_key_begins_with_a_space_and_a_first_word_is_still_a_word_start():
    whelan = DetaineeFactory(name="Paul Whelan", name_original="Пол Уилан", is_published=True)
    DetaineeFactory(name="Andrzej Poczobut", name_original="Андрей Почобут", is_published=True)
    group = Group.objects.create(name="Butcher Gang")
    official = Official.objects.create(name="Maria Zakharova", name_original="Мария Захарова", country="RU")
    assert whelan.search_key == " paul vhelan | pol uilan" == search_key("Paul Whelan", "Пол Уилан")
    assert group.search_key == " buther gang" and official.search_key == " maria zaharova | maria zaharova"
    assert set(Detainee.objects.search("paul").values_list("name", flat=True)) == {"Paul Whelan"}  # the key's start
    assert set(Detainee.objects.search("Пол").values_list("name", flat=True)) == {"Paul Whelan"}  # after " | "
    assert not Detainee.objects.search("ul").exists() and not Detainee.objects.search("obut").exists()
    assert list(Group.objects.search("butch").values_list("name", flat=True)) == ["Butcher Gang"]
    assert search_key("") == "" and search_key("—") == ""


def test_the_dataset_document_writes_keys_as_before_and_an_import_stores_them_with_the_space():
    bout = DetaineeFactory(name="Viktor Bout", name_original="Виктор Бут", aliases=["Victor Bout"], is_published=False)
    Group.objects.create(name="Butcher Gang")
    Official.objects.create(name="Maria Zakharova", country="RU")
    document = json.loads("".join(iter_dataset_json()))
    [person] = document["records"]["detainees.detainee"]
    assert person["fields"]["search_key"] == "viktor but | viktor but | viktor but"  # as every release wrote it
    assert document["records"]["detainees.group"][0]["fields"]["search_key"] == "buther gang"
    assert document["records"]["sources.official"][0]["fields"]["search_key"] == "maria zaharova"
    wipe()
    import_dataset(document)  # saved raw, as the document has it: the space is put back
    assert Detainee.objects.get(pk=bout.pk).search_key == " viktor but | viktor but | viktor but"
    assert Detainee.objects.search("Бут").get().pk == bout.pk
    assert Group.objects.search("butcher").exists() and Official.objects.search("zakh").exists()
    assert json.loads("".join(iter_dataset_json()))["records"] == document["records"]


def test_the_migration_rewrites_stored_keys_in_one_update_and_marks_nothing():
    detainees = importlib.import_module("detainees.migrations.0025_h48_search_key_leading_space")
    sources = importlib.import_module("sources.migrations.0007_h48_search_key_leading_space")
    swap = ExchangeFactory(name="Some swap", is_published=True, status="completed")
    whelan = DetaineeFactory(name="Paul Whelan", name_original="Пол Уилан", is_published=True)
    ParticipantFactory(exchange=swap, detainee=whelan)
    Group.objects.create(name="Butcher Gang")
    Official.objects.create(name="Maria Zakharova", country="RU")
    DetaineeFactory(name="Nameless")
    Detainee.objects.filter(name="Nameless").update(search_key="")  # no word: an empty key stays empty
    for model in (Detainee, Group, Official):  # the keys as main stored them
        for pk, key in model.objects.values_list("pk", "search_key"):
            model.objects.filter(pk=pk).update(search_key=key.removeprefix(" "))
    assert not Detainee.objects.search("paul").exists()  # an old key's first word is found no more
    marks = (CaseMark.objects.count(), CensusMark.objects.count(), Mark.objects.count())
    with CaptureQueriesContext(connection) as captured:
        for migration in (detainees, sources):
            migration.drop_triggers(None, connection.schema_editor())
            migration.add_space(None, connection.schema_editor())
            migration.add_space(None, connection.schema_editor())  # twice: no second space
    updates = [c["sql"] for c in captured.captured_queries if c["sql"].startswith("UPDATE")]
    assert len(updates) == 6  # one statement per table, not a save per row
    assert (CaseMark.objects.count(), CensusMark.objects.count(), Mark.objects.count()) == marks  # nothing marked
    for model in (Detainee, Group, Official):
        for obj in model.objects.all():
            if obj.name != "Nameless":
                assert obj.search_key == search_key(obj.name, obj.name_original, *(obj.aliases or [])), obj
    assert Detainee.objects.get(name="Nameless").search_key == ""
    assert set(Detainee.objects.search("Уилан").values_list("name", flat=True)) == {"Paul Whelan"}
    assert set(Detainee.objects.search("paul").values_list("name", flat=True)) == {"Paul Whelan"}
    for migration in (detainees, sources):
        migration.remove_space(None, connection.schema_editor())  # backwards: the keys as before
    assert set(Detainee.objects.values_list("search_key", flat=True)) == {"paul vhelan | pol uilan", ""}
    assert list(Group.objects.values_list("search_key", flat=True)) == ["buther gang"]
    assert list(Official.objects.values_list("search_key", flat=True)) == ["maria zaharova"]
