"""Published means sourced, on every path that writes: admin forms and inlines, the API, merges, source deletion.

Each test names a hole the outside review found (or one of its kind) and checks the write is refused whole, with
the list of what is missing, and that nothing was saved.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token

from common.integrity import UnsourcedFacts, checked_writes, verify
from detainees.models import Charge, Transfer
from detainees.services import merge_detainees
from tests.admin_helpers import add_inline_rows, inline_management_data, inline_prefix
from tests.factories import (
    ChargeFactory,
    DetaineeFactory,
    DetentionFactory,
    ExchangeFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def source():
    return SourceFactory()


@pytest.fixture
def case(source):
    """A published case, every fact of it sourced."""
    person = DetaineeFactory(name="Paul Whelan")
    person.sources.add(source)
    detention = DetentionFactory(detainee=person)
    detention.sources.add(source)
    charge = ChargeFactory(detention=detention, category="espionage", statute="Criminal Code art. 276")
    charge.sources.add(source)
    assert verify(None) == []
    return person


@pytest.fixture
def api(editor):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    return client


def test_admin_inline_cannot_add_an_unsourced_transfer_to_a_published_case(editor_client, case):
    detention = case.detentions.get()
    change_url = reverse("admin:detainees_detention_change", args=[detention.pk])
    page = editor_client.get(change_url)
    data = inline_management_data(page)
    data.update({"detainee": str(case.pk), "held_by": "RU", "place": "Moscow", "detained_on": "2022-02-17",
                 "detained_on_precision": "day", "extradited_on_precision": "day", "released_on_precision": "day",
                 "sources": [str(s.pk) for s in detention.sources.all()]})  # fmt: skip
    add_inline_rows(data, inline_prefix(page, "transfer"), [{
        "moved_on": "2022-11-01", "moved_on_precision": "day", "facility_name": "IK-17, Mordovia",
        "facility_kind": "penal_colony",
    }])  # fmt: skip
    response = editor_client.post(change_url, data, follow=True)
    html = response.content.decode()
    assert "Not saved: a published record must cite a source" in html
    assert "Paul Whelan: Transfer “IK-17, Mordovia (1 November 2022)” cites no source." in html
    assert "successfully" not in html
    assert 'value="IK-17, Mordovia"' in html  # the editor's row is still on screen
    assert not Transfer.objects.exists()


def test_admin_can_add_an_unsourced_fact_to_a_draft(editor_client, case):
    case.is_published = False
    case.save()
    detention = case.detentions.get()
    change_url = reverse("admin:detainees_detention_change", args=[detention.pk])
    page = editor_client.get(change_url)
    data = inline_management_data(page)
    data.update({"detainee": str(case.pk), "held_by": "RU", "place": "Moscow", "detained_on": "2022-02-17",
                 "detained_on_precision": "day", "extradited_on_precision": "day", "released_on_precision": "day",
                 "sources": [str(s.pk) for s in detention.sources.all()]})  # fmt: skip
    add_inline_rows(data, inline_prefix(page, "transfer"), [{
        "moved_on": "2022-11-01", "moved_on_precision": "day", "facility_name": "IK-17, Mordovia",
        "facility_kind": "penal_colony",
    }])  # fmt: skip
    response = editor_client.post(change_url, data)
    assert response.status_code == 302
    assert Transfer.objects.get().facility_name == "IK-17, Mordovia"


@pytest.mark.parametrize("resource", ["detainee", "detention", "exchange"])
def test_api_patch_removing_every_source_of_a_published_record_is_400(api, case, source, resource):
    exchange = ExchangeFactory()
    exchange.sources.add(source)
    record = {"detainee": case, "detention": case.detentions.get(), "exchange": exchange}[resource]
    response = api.patch(reverse(f"api:{resource}-detail", args=[record.pk]), {"sources": []}, format="json")
    assert response.status_code == 400, response.content
    assert "cites no source" in response.json()["sources"][0]
    assert list(record.sources.all()) == [source]  # nothing saved


def test_api_post_of_an_unsourced_charge_on_a_published_case_is_400(api, case):
    detention = case.detentions.get()
    body = {"detention": detention.pk, "category": "espionage", "statute": "art. 275", "sources": []}
    response = api.post(reverse("api:charge-list"), body, format="json")
    assert response.status_code == 400, response.content
    assert "Paul Whelan: Charge “Espionage (art. 275)” cites no source." in response.json()["sources"]
    assert Charge.objects.count() == 1


def test_api_post_of_a_sourced_charge_on_a_published_case_is_201(api, case, source):
    body = {"detention": case.detentions.get().pk, "category": "espionage", "sources": [source.pk]}
    assert api.post(reverse("api:charge-list"), body, format="json").status_code == 201


def test_api_moving_an_unsourced_charge_into_a_published_case_is_400(api, case):
    draft = DetaineeFactory(is_published=False)
    stray = ChargeFactory(detention=DetentionFactory(detainee=draft))
    response = api.patch(reverse("api:charge-detail", args=[stray.pk]),
                         {"detention": case.detentions.get().pk}, format="json")  # fmt: skip
    assert response.status_code == 400
    assert "cites no source" in response.json()["sources"][0]
    stray.refresh_from_db()
    assert stray.detention.detainee == draft


def test_merging_a_draft_with_unsourced_facts_into_a_published_case_is_refused(case):
    draft = DetaineeFactory(name="Pol Whelan", is_published=False)
    DetentionFactory(detainee=draft, held_by="BY")
    draft_id = draft.pk
    with pytest.raises(ValidationError) as refused:
        merge_detainees(keep=case, remove=draft)
    assert "Paul Whelan: Detention" in str(refused.value)
    assert draft.__class__.objects.filter(pk=draft_id).exists()  # rolled back whole
    assert case.detentions.count() == 1


def test_merge_action_reports_the_refusal_and_saves_nothing(editor_client, case):
    draft = DetaineeFactory(name="Pol Whelan", is_published=False)
    DetentionFactory(detainee=draft, held_by="BY")
    url = reverse("admin:detainees_detainee_changelist")
    response = editor_client.post(url, {"action": "merge", "_selected_action": [case.pk, draft.pk],
                                        "keep": str(case.pk)}, follow=True)  # fmt: skip
    assert "cites no source" in response.content.decode()
    assert case.detentions.count() == 1 and draft.__class__.objects.filter(pk=draft.pk).exists()


def test_deleting_the_only_source_of_a_published_fact_is_refused_in_the_api(api, case, source):
    response = api.delete(reverse("api:source-detail", args=[source.pk]))
    assert response.status_code in (400, 409)
    assert source.__class__.objects.filter(pk=source.pk).exists()


def test_deleting_the_only_source_of_a_published_fact_is_refused_in_the_admin(editor_client, case, source):
    url = reverse("admin:sources_source_delete", args=[source.pk])
    response = editor_client.post(url, {"post": "yes"})
    assert response.status_code == 400
    assert "cites no source" in response.content.decode()
    assert source.__class__.objects.filter(pk=source.pk).exists()


def test_a_block_rolls_back_everything_it_wrote(case):
    with pytest.raises(UnsourcedFacts), checked_writes():
        case.description = "changed"
        case.save()
        case.sources.clear()
    case.refresh_from_db()
    assert case.description == "test person" and case.sources.exists()


def test_a_source_cleared_from_the_reverse_side_is_noticed(case, source):
    with pytest.raises(UnsourcedFacts), checked_writes():
        source.cited_charges.clear()
    assert Charge.objects.get().sources.exists()


def test_unpublishing_is_never_refused(api, case):
    Charge.objects.get().sources.clear()  # a legacy gap, outside any block
    response = api.patch(reverse("api:detainee-detail", args=[case.pk]), {"is_published": False}, format="json")
    assert response.status_code == 200


def test_import_dataset_refuses_a_published_case_with_an_unsourced_fact(tmp_path, case):
    import json

    from django.core.management import CommandError, call_command

    from detainees.models import Detainee
    from tests.exchanges.test_dataset import wipe

    path = tmp_path / "d.json"
    call_command("export_dataset", str(path), stdout=open("/dev/null", "w"))
    document = json.loads(path.read_text())
    document["records"]["detainees.charge"][0]["fields"]["sources"] = []  # a file edited by hand
    path.write_text(json.dumps(document))
    wipe()
    with pytest.raises(CommandError, match="Paul Whelan: Charge “Espionage \\(Criminal Code art. 276\\)” cites no"):
        call_command("import_dataset", str(path), stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    assert not Detainee.objects.exists()


def test_backup_refuses_loudly_to_write_a_file_that_restore_would_refuse(tmp_path, case):
    """`make backup` (export_dataset) of a database with a published, unsourced fact (a gap made by SQL typed by
    hand) stops with the list and writes no file, instead of a backup that fails when it is needed."""
    from django.core.management import CommandError, call_command

    path = tmp_path / "d.json"
    Charge.objects.get().sources.clear()  # outside every write path, as a shell would
    with pytest.raises(CommandError) as refusal:
        call_command("export_dataset", str(path), stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    assert "Nothing was written" in str(refusal.value) and "restore (import_dataset) would refuse" in str(refusal.value)
    assert "Paul Whelan: Charge “Espionage (Criminal Code art. 276)” cites no source." in str(refusal.value)
    assert not path.exists()
    Charge.objects.get().sources.add(Charge.objects.get().detention.sources.get())  # fixed: backed up again
    call_command("export_dataset", str(path), stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    assert path.exists()


def test_csv_import_lands_people_as_drafts_and_keeps_published_cases_sourced(editor_client, case):
    from common.admin import version_of
    from detainees.models import Detainee
    from tests.detainees.test_csv_import import confirm, upload

    case.refresh_from_db()  # the version on file, as an export would write it
    csv = ("id,name,name_original,aliases,citizenships,born_on,born_on_precision,description,wikidata_id,version\n"
           f"{case.pk},Paul Whelan,,,US,,day,former US Marine,,{version_of(case)}\n"
           ",New Person,,,US,,day,someone,,\n")  # fmt: skip
    preview = upload(editor_client, reverse("admin:detainees_detainee_import"), csv)
    assert preview.status_code == 200
    confirm(editor_client, preview, reverse("admin:detainees_detainee_process_import"))
    case.refresh_from_db()
    assert case.description == "former US Marine" and case.is_published and case.sources.exists()
    assert not Detainee.objects.get(name="New Person").is_published
    assert verify(None) == []


def test_checked_writes_as_a_decorator_gives_each_call_its_own_block():
    import threading

    from common import integrity

    seen = []

    @integrity.checked_writes()
    def write(depth: int):
        seen.append(integrity._block.get())
        if depth:
            write(depth - 1)
        assert integrity._block.get() is seen[-1 - depth]  # the caller's block is back when the inner call ends

    write(2)
    assert len({id(block) for block in seen}) == 3 and integrity._block.get() is None
    errors = []

    def in_thread():
        try:
            write(0)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            from django.db import connection

            connection.close()  # the thread's own connection, so the test database can be dropped

    threads = [threading.Thread(target=in_thread) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors


def test_an_api_write_is_checked_once_not_again_by_the_request_around_it(api, case, monkeypatch):
    """The API's block inside the request's (CheckedWritesMiddleware) used to check the same case twice per write."""
    from common import integrity

    calls = []
    rule = integrity.RULES["detainees.detainee"]
    monkeypatch.setitem(integrity.RULES, "detainees.detainee", lambda ids: calls.append(ids) or rule(ids))
    response = api.patch(f"/api/v1/detainees/{case.pk}/", {"description": "Checked once"}, format="json")
    assert response.status_code == 200, response.content
    assert calls == [{case.pk}]


def test_a_write_after_an_inner_block_passed_is_still_checked_by_the_outer_one(case):
    detention = case.detentions.get()
    with pytest.raises(UnsourcedFacts):
        with checked_writes():
            with checked_writes():  # passes: the case is sourced
                case.description = "Edited inside"
                case.save()
            ChargeFactory(detention=detention, category="drugs", statute="Unsourced, written after it")
    assert not Charge.objects.filter(statute__startswith="Unsourced").exists()
    assert verify(None) == []


def test_a_russian_editor_reads_the_refusal_in_russian(editor_client, case):
    """The refusal's lead and each unsourced fact are in the editor's language (a new user found them English in the
    Russian admin); the case's name and the record stay as written."""
    editor_client.post(reverse("editor-language"), {"language": "ru", "next": "/admin/"})
    detention = case.detentions.get()
    change_url = reverse("admin:detainees_detention_change", args=[detention.pk])
    page = editor_client.get(change_url)
    data = inline_management_data(page)
    data.update({"detainee": str(case.pk), "held_by": "RU", "place": "Moscow", "detained_on": "2022-02-17",
                 "detained_on_precision": "day", "extradited_on_precision": "day", "released_on_precision": "day",
                 "sources": [str(s.pk) for s in detention.sources.all()]})  # fmt: skip
    add_inline_rows(data, inline_prefix(page, "transfer"), [{
        "moved_on": "2022-11-01", "moved_on_precision": "day", "facility_name": "IK-17, Mordovia",
        "facility_kind": "penal_colony",
    }])  # fmt: skip
    html = editor_client.post(change_url, data, follow=True).content.decode()
    assert "Не сохранено: опубликованная запись должна ссылаться на источник" in html
    assert "Paul Whelan: Перевод «IK-17, Mordovia" in html and "не ссылается ни на один источник." in html
    assert "Not saved" not in html and "cites no source" not in html
    assert not Transfer.objects.exists()


def test_the_api_refuses_an_unsourced_fact_in_the_language_asked(api, case):
    detention = case.detentions.get()
    body = {"detention": detention.pk, "category": "espionage", "statute": "art. 275", "sources": []}
    response = api.post(reverse("api:charge-list"), body, format="json", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 400, response.content
    assert "Paul Whelan: Обвинение «Шпионаж (art. 275)» не ссылается ни на один источник." in str(response.json())
    assert Charge.objects.count() == 1
