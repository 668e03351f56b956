"""No edit is silently lost, nothing is unrecoverable: stale inline rows, the demo loader, deleted cases, backups."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from dataset.backup import DatasetError, import_dataset
from detainees.models import Charge, Detainee, Detention
from tests.admin_helpers import inline_management_data
from tests.factories import (
    ChargeFactory,
    DetaineeFactory,
    DetentionFactory,
    EditorFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db
QUIET = {"stdout": open("/dev/null", "w"), "stderr": open("/dev/null", "w")}


def detainee_form(client, person, **changes):
    url = reverse("admin:detainees_detainee_change", args=[person.pk])
    page = client.get(url)
    data = inline_management_data(page)
    form = page.context["adminform"].form
    for name in ["name", "name_original", "description", "born_on_precision", "wikidata_id"]:
        data[name] = form[name].value() or ""
    data["citizenships"] = ["US"]
    if form["is_published"].value():
        data["is_published"] = "on"
    data["sources"] = [str(s.pk) for s in person.sources.all()]
    data.update(changes)
    return url, data


# --- no edit is silently lost -------------------------------------------------------------------------------------


def test_saving_a_case_never_reverts_a_detention_changed_meanwhile_in_the_api(editor_client, editor):
    """The editor changed the description, a script the detention's place: both survive (a three-way merge), and
    the untouched detention row is not written again."""
    person = DetaineeFactory(name="Paul Whelan", is_published=False)
    detention = DetentionFactory(detainee=person, place="Moscow")
    url, data = detainee_form(editor_client, person, description="former US Marine")
    # Meanwhile a script corrects the place through the API.
    api = APIClient()
    api.force_authenticate(EditorFactory())
    assert api.patch(reverse("api:detention-detail", args=[detention.pk]), {"place": "Metropol hotel, Moscow"},
                     format="json").status_code == 200  # fmt: skip
    versions = detention.history.count()
    response = editor_client.post(url, data)
    assert response.status_code == 302
    detention.refresh_from_db()
    person.refresh_from_db()
    assert detention.place == "Metropol hotel, Moscow" and person.description == "former US Marine"
    assert detention.history.count() == versions  # the unchanged row was not saved again


def test_an_unchanged_inline_row_at_its_loaded_version_saves_fine(editor_client):
    person = DetaineeFactory(is_published=False)
    DetentionFactory(detainee=person, place="Moscow")
    url, data = detainee_form(editor_client, person, description="edited")
    assert editor_client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.description == "edited"


def test_a_post_without_the_version_is_refused(editor_client):
    person = DetaineeFactory(is_published=False)
    url, data = detainee_form(editor_client, person, description="edited")
    del data["loaded_version"]
    response = editor_client.post(url, data)
    assert response.status_code == 200 and "did not say which version" in response.content.decode()
    person.refresh_from_db()
    assert person.description == "test person"


def test_an_inline_row_without_its_version_is_refused(editor_client):
    person = DetaineeFactory(is_published=False)
    DetentionFactory(detainee=person, place="Moscow")
    url, data = detainee_form(editor_client, person)
    key = next(k for k in data if k.endswith("-0-loaded_version") and k.startswith("detentions"))
    del data[key]
    data[key.replace("loaded_version", "place")] = "Tver"
    response = editor_client.post(url, data)
    assert "did not say which version" in response.content.decode()
    assert Detention.objects.get().place == "Moscow"


def test_the_version_is_claimed_atomically_at_the_write(editor_client):
    """A save that passed the form check still refuses if the row moved on before the write (a race)."""
    from common.admin import StaleVersion, claim_version

    person = DetaineeFactory(is_published=False)
    loaded = person.updated_at.isoformat()
    person.description = "someone else"
    person.save()
    with pytest.raises(StaleVersion):
        claim_version(person, loaded)
    claim_version(person, person.updated_at.isoformat())  # the current version passes


# --- make run never touches editors' work --------------------------------------------------------------------------


def test_load_demo_never_overwrites_an_edit_or_drops_a_citation(demo):
    bout = Detainee.objects.get(slug="viktor-bout")
    bout.description = "edited by an editor"
    bout.save()
    extra = SourceFactory(title="Cited through intake")
    bout.sources.add(extra)
    versions = bout.history.count()
    call_command("load_demo", **QUIET)
    bout.refresh_from_db()
    assert bout.description == "edited by an editor"
    assert bout.sources.filter(pk=extra.pk).exists()
    assert bout.history.count() == versions  # no new version written


@pytest.mark.slow  # the loader and the reset over the whole demo
def test_load_demo_puts_back_a_deleted_demo_record_and_reset_demo_overwrites_on_purpose(demo):
    bout = Detainee.objects.get(slug="viktor-bout")
    original = bout.description
    bout.description = "edited"
    bout.save()
    charge = Charge.objects.filter(detention__detainee=bout).first()
    statute = charge.statute
    charge.delete()
    call_command("load_demo", **QUIET)
    assert Charge.objects.filter(detention__detainee=bout, statute=statute).exists()
    assert Detainee.objects.get(pk=bout.pk).description == "edited"
    call_command("reset_demo", **QUIET)
    assert Detainee.objects.get(pk=bout.pk).description == original


# --- deleted records come back whole --------------------------------------------------------------------------------


def test_deleted_records_page_lists_a_deleted_case_and_restores_it_whole(editor_client):
    source = SourceFactory()
    person = DetaineeFactory(name="Paul Whelan")
    person.sources.add(source)
    detention = DetentionFactory(detainee=person, place="Moscow")
    detention.sources.add(source)
    charge = ChargeFactory(detention=detention, statute="art. 276")
    charge.sources.add(source)
    ids = (person.pk, detention.pk, charge.pk)
    person.delete()
    page = editor_client.get(reverse("deleted-records"))
    assert page.status_code == 200  # it was a 500: a detention's name reached for its deleted person
    html = page.content.decode()
    assert "Paul Whelan" in html and "its case was deleted too" in html
    restore = reverse("deleted-restore", args=["detainees.detainee", ids[0]])
    assert restore in html
    response = editor_client.post(restore, follow=True)
    assert "Restored 3 record(s)" in response.content.decode()
    person = Detainee.objects.get(pk=ids[0])
    assert person.is_published and list(person.sources.all()) == [source]
    assert Detention.objects.get(pk=ids[1]).sources.get() == source
    assert Charge.objects.get(pk=ids[2]).sources.get() == source
    assert person.status == "held"  # the derived status is recomputed


# --- backups keep history ---------------------------------------------------------------------------------------------


def test_backup_and_restore_keep_authors_reasons_corrections_and_tombstones(tmp_path, editor):
    from tests.exchanges.test_dataset import wipe

    source = SourceFactory()
    person = DetaineeFactory(name="Paul Whelan", description="first")
    person.sources.add(source)
    client = Client()
    client.force_login(editor)
    url, data = detainee_form(client, person, description="former US Marine",
                              change_reason="Corrected his service branch")  # fmt: skip
    assert client.post(url, data).status_code == 302
    gone = DetentionFactory(detainee=person)
    gone.sources.add(source)
    gone.delete()
    before_page = Client().get(person.get_absolute_url()).content.decode()
    assert "Corrected his service branch" in before_page
    deletions = Client().get(reverse("api:deletions")).json()
    path = tmp_path / "backup.json"
    call_command("export_dataset", str(path), **QUIET)
    wipe()
    username = editor.username
    editor.delete()  # a fresh database knows no editor
    call_command("import_dataset", str(path), **QUIET)
    restored = Detainee.objects.get(pk=person.pk)
    latest = restored.history.filter(history_change_reason="Corrected his service branch").get()
    assert latest.history_user.username == username
    assert not latest.history_user.is_active  # an account to carry the name, no way to sign in
    assert "Corrected his service branch" in Client().get(restored.get_absolute_url()).content.decode()
    assert Client().get(reverse("api:deletions")).json() == deletions
    second = tmp_path / "again.json"
    call_command("export_dataset", str(second), **QUIET)
    assert json.loads(second.read_text())["history"] == json.loads(path.read_text())["history"]


@pytest.mark.parametrize("damage", ["duplicate", "deep"])
def test_import_refuses_duplicate_ids_and_deep_nesting_writing_nothing(tmp_path, damage):
    person = DetaineeFactory(is_published=False)
    path = tmp_path / "d.json"
    call_command("export_dataset", str(path), **QUIET)
    document = json.loads(path.read_text())
    from tests.exchanges.test_dataset import wipe

    wipe()
    rows = document["records"]["detainees.detainee"]
    if damage == "duplicate":
        rows.append(dict(rows[0]))
        expected = "appears more than once"
    else:
        rows[0]["fields"]["aliases"] = [[[[["too deep"]]]]]
        expected = "nested"
    with pytest.raises(DatasetError, match=expected):
        import_dataset(document)
    assert not Detainee.objects.exists()
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_dataset", str(path), **QUIET)
    assert person.pk and not Detainee.objects.exists()
