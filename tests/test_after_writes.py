"""What a write leaves to do (common.derived): done by the worker when AFTER_WRITE_IN_REQUEST is off (production),
never at the cost of a stale read: the write answers without rebuilding or publishing, a visitor still gets the
current case, a reader of the feed still sees the write, and the worker's round makes both current."""

import io

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from changes.models import Change, Mark
from common.derived import drain
from detainees.models import Detention
from tests.test_case_documents import _whelan, assert_served_as_computed, is_current

pytestmark = pytest.mark.django_db


@override_settings(AFTER_WRITE_IN_REQUEST=False)
def test_a_write_leaves_its_derived_state_to_the_worker_and_no_read_is_stale(editor_client, demo):
    client = Client()  # anonymous, beside the editor's
    person = _whelan()
    assert_served_as_computed(client, person)
    call_command("publish_changes", stdout=io.StringIO(), stderr=io.StringIO())
    detention = Detention.objects.filter(detainee=person).first()
    response = editor_client.patch(f"/api/v1/detentions/{detention.pk}/", {"place": "Zqx deferred"},
                                   content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert not is_current(person)  # not rebuilt in the request
    assert Mark.objects.filter(resource="detentions", object_id=detention.pk).exists()  # not published in it
    assert b"Zqx deferred" in assert_served_as_computed(client, person)  # a visitor gets it built afresh
    detention.place = "Zqx again"
    detention.save()
    done = drain(documents=None, marks=None)  # the worker's round (`alerts_worker` runs it about once a second)
    assert is_current(person) and not Mark.objects.exists(), done
    last = Change.objects.filter(resource="detentions", object_id=detention.pk).last()
    assert last.document["place"] == "Zqx again"
    assert done["documents"] == 1 and done["events"] >= 1


@override_settings(AFTER_WRITE_IN_REQUEST=False)
def test_a_reader_of_the_feed_sees_a_write_the_worker_has_not_published_yet(editor_client, demo):
    person = _whelan()
    call_command("publish_changes", stdout=io.StringIO(), stderr=io.StringIO())
    response = editor_client.patch(f"/api/v1/detainees/{person.pk}/", {"description": "Deferred edit"},
                                   content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert Mark.objects.exists()
    page = Client().get("/api/v1/changes/", {"after": 0, "documents": "true", "resource": "detainees",
                                             "page_size": 1000}).json()  # fmt: skip
    mine = [e for e in page["results"] if e["id"] == person.pk]
    assert mine[-1]["document"]["description"] == "Deferred edit"


def test_in_request_the_write_rebuilds_and_publishes_as_before(editor_client, demo):
    person = _whelan()
    call_command("publish_changes", stdout=io.StringIO(), stderr=io.StringIO())
    response = editor_client.patch(f"/api/v1/detainees/{person.pk}/", {"description": "In the request"},
                                   content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert not Mark.objects.exists()
    assert Change.objects.filter(resource="detainees", object_id=person.pk).last().document["description"] == (
        "In the request"
    )


@pytest.mark.slow  # the whole demo loaded by the command into an empty database
def test_loading_the_demo_ends_with_the_feed_drained(demo_loaded_by_the_command):
    assert not Mark.objects.exists() and Change.objects.filter(resource="detainees").exists()
