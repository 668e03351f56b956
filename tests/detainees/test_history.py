"""History an editor can read, compare and restore; the public change log of a published case."""

import pytest
from django.urls import reverse

from detainees.models import Detainee, Detention
from tests.admin_helpers import inline_management_data
from tests.factories import DetaineeFactory, DetentionFactory, SourceFactory

pytestmark = pytest.mark.django_db


def edit_detainee(client, person, **changes):
    url = reverse("admin:detainees_detainee_change", args=[person.pk])
    page = client.get(url)
    data = inline_management_data(page)
    form = page.context["adminform"].form
    for name in ["name", "name_original", "description", "born_on_precision", "wikidata_id"]:
        data[name] = form[name].value() or ""
    data["aliases"] = "\n".join(person.aliases)
    data["citizenships"] = [c.code for c in person.citizenships]
    data["sources"] = [str(pk) for pk in person.sources.values_list("pk", flat=True)]
    if person.is_published:
        data["is_published"] = "on"
    data.update(changes)
    return client.post(url, data)


def test_reason_and_author_are_kept_and_the_history_page_shows_the_difference(editor_client, editor):
    person = DetaineeFactory(description="basketball player")
    person.sources.add(SourceFactory())
    response = edit_detainee(editor_client, person, description="WNBA centre", change_reason="Fixed the occupation")
    assert response.status_code == 302
    latest = person.history.first()
    assert (latest.history_user, latest.history_change_reason) == (editor, "Fixed the occupation")
    page = editor_client.get(reverse("admin:detainees_detainee_history", args=[person.pk])).content.decode()
    assert "basketball player" in page and "WNBA centre" in page  # the delta between the two versions


def test_editor_restores_an_earlier_version(editor_client):
    person = DetaineeFactory(description="original")
    first_version = person.history.first()
    person.description = "vandalised"
    person.save()
    url = reverse("admin:detainees_detainee_simple_history", args=[person.pk, first_version.history_id])
    page = editor_client.get(url)
    assert page.status_code == 200
    data = inline_management_data(page)
    form = page.context["adminform"].form
    for name in ["name", "name_original", "description", "born_on_precision", "wikidata_id"]:
        data[name] = form[name].value() or ""
    data["citizenships"] = ["US"]
    assert editor_client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.description == "original"


def test_a_deleted_record_is_listed_and_can_be_restored(editor_client):
    detention = DetentionFactory(place="Sheremetyevo airport", detainee__is_published=False)
    pk, detainee = detention.pk, detention.detainee
    detention.delete()
    page = editor_client.get(reverse("deleted-records")).content.decode()
    assert str(detainee) in page  # the deleted detention is listed under its person's name
    last = Detention.history.filter(id=pk, history_type="+").first()
    restore = reverse("admin:detainees_detention_simple_history", args=[pk, last.history_id])
    assert restore in page
    form_page = editor_client.get(restore)
    data = inline_management_data(form_page)
    data.update({"detainee": str(detainee.pk), "held_by": "RU", "detained_on": "2022-02-17",
                 "detained_on_precision": "day", "place": "Sheremetyevo airport", "circumstances": "",
                 "released_on_precision": "day", "last_confirmed_on_precision": "day"})  # fmt: skip
    assert editor_client.post(restore, data).status_code == 302
    assert Detention.objects.get(pk=pk).place == "Sheremetyevo airport"


def test_case_page_shows_corrections_without_editor_names(client, editor_client, editor):
    person = DetaineeFactory(name="Paul Whelan", description="draft text", is_published=False)
    person.sources.add(SourceFactory())
    edit_detainee(editor_client, person, description="still a draft", change_reason="Draft-time fix")
    person.refresh_from_db()
    person.is_published = True
    person._change_reason = "Published"
    person.save()
    edit_detainee(editor_client, Detainee.objects.get(pk=person.pk), description="former US Marine",
                  change_reason="Corrected his service branch")  # fmt: skip
    response = client.get(person.get_absolute_url())
    html = response.content.decode()
    assert "Corrected his service branch" in html and "Published" in html
    assert "Draft-time fix" not in html and editor.username not in html


def test_second_editor_saving_a_stale_form_is_refused_and_nothing_is_lost(editor_client, editor):
    from django.test import Client

    from tests.factories import EditorFactory

    person = DetaineeFactory(description="original", is_published=False)
    url = reverse("admin:detainees_detainee_change", args=[person.pk])
    first_page = editor_client.get(url)  # editor one opens the record
    other = Client()
    other.force_login(EditorFactory())
    second_page = other.get(url)  # editor two opens it too
    stale_version = second_page.context["adminform"].form["loaded_version"].value()
    assert stale_version == first_page.context["adminform"].form["loaded_version"].value()

    assert edit_detainee(editor_client, person, description="first editor's fix",
                         loaded_version=stale_version).status_code == 302  # fmt: skip
    response = edit_detainee(other, person, description="second editor's fix", loaded_version=stale_version)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this record after you opened it" in html
    assert "second editor&#x27;s fix" in html or "second editor's fix" in html  # their input is still on screen
    person.refresh_from_db()
    assert person.description == "first editor's fix"
