"""A case merged into another leaves the feed with a delete that names the survivor (issue 27, item 4)."""

import pytest

from changes.publisher import publish
from detainees.services import merge_detainees
from tests.changes.test_feed import feed
from tests.factories import DetaineeFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_the_merged_records_delete_names_the_survivor_and_a_plain_delete_names_none():
    keep, gone, other = DetaineeFactory(name="Viktor Bout"), DetaineeFactory(name="Victor Bout"), DetaineeFactory()
    keep.sources.add(SourceFactory())  # a published case cites its sources, after the merge too
    publish()
    gone_id = gone.pk
    merge_detainees(keep=keep, remove=gone)
    other_id = other.pk
    other.delete()
    publish()
    deletes = {e["id"]: e for e in feed(resource="detainees") if e["op"] == "delete"}
    assert deletes[gone_id]["merged_into"] == keep.pk
    assert "merged_into" not in deletes[other_id]
    inline = {e["id"]: e for e in feed(resource="detainees", documents="true") if e["op"] == "delete"}
    assert inline[gone_id]["document"] is None and inline[gone_id]["merged_into"] == keep.pk


def test_a_draft_merged_away_is_no_event_and_a_draft_survivor_is_never_named():
    keep = DetaineeFactory(is_published=False)
    gone = DetaineeFactory()
    publish()
    gone_id = gone.pk
    merge_detainees(keep=keep, remove=gone)
    publish()
    [delete] = [e for e in feed(resource="detainees") if e["op"] == "delete" and e["id"] == gone_id]
    assert "merged_into" not in delete  # the survivor is a draft: its id never shows
    assert keep.pk not in {e["id"] for e in feed()}
