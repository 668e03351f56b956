"""A backup carries the change feed's state (dataset.backup: `feed`), so a restore continues the feed where it was:
the same seqs, tombstones and releases, nothing re-announced, and the next event above every seq known."""

import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from changes.models import Change, Published, Release
from changes.publisher import publish
from dataset.releases import make_release
from tests.exchanges.test_dataset import wipe
from tests.factories import DetaineeFactory, DetentionFactory, SourceFactory

pytestmark = pytest.mark.django_db

QUIET = {"stdout": open("/dev/null", "w")}


def sourced(record):
    record.sources.add(SourceFactory())  # published means sourced: a backup of an unsourced case is refused
    return record


def feed_state():
    published = sorted(Published.objects.values_list("resource", "object_id", "seq", "op", "digest", "reason"))
    return published, list(Release.objects.order_by("pk").values_list("name", "seq", "dump_sha256", "previous__name"))


def test_a_restore_continues_the_feed_instead_of_starting_again(tmp_path):
    kept = sourced(DetaineeFactory())
    sourced(DetentionFactory(detainee=kept))
    gone = sourced(DetaineeFactory())
    publish()
    make_release()
    kept.description = "Edited after the first release."
    kept.save()
    gone_id = gone.pk
    gone.delete()
    publish()
    make_release()
    head = Change.objects.order_by("-seq").first().seq
    before = feed_state()
    tombstones = APIClient().get("/api/v1/deletions/").json()["results"]
    assert ("detainees", gone_id) in {(t["resource"], t["id"]) for t in tombstones}

    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("export_dataset", str(first), **QUIET)
    document = json.loads(first.read_text())
    assert {len(document["feed"][k]) for k in ("changes.change", "changes.published")} == {Published.objects.count()}
    wipe()
    call_command("import_dataset", str(first), **QUIET)

    assert feed_state() == before
    assert publish() == 0  # every restored record renders as the feed last said: nothing re-announced
    assert Change.objects.order_by("-seq").first().seq == head
    assert APIClient().get("/api/v1/deletions/").json()["results"] == tombstones
    after = APIClient().get("/api/v1/changes/", {"after": head}).json()
    assert after["results"] == [] and after["cursor"] == head  # a mirror at the head reads on from where it was
    call_command("export_dataset", str(second), **QUIET)
    assert first.read_bytes() == second.read_bytes()

    kept.refresh_from_db()
    kept.description = "Edited after the restore."
    kept.save()
    publish()
    new = Change.objects.filter(resource="detainees", object_id=kept.pk).order_by("-seq").first()
    assert new.seq > head  # the next event continues above every seq the feed had given
    dump = APIClient().get("/api/v1/releases/").json()["results"]
    assert [r["name"] for r in dump] == [name for name, *_ in reversed(before[1])]


def test_a_second_restore_into_a_database_with_a_feed_is_refused(tmp_path):
    sourced(DetaineeFactory())
    publish()
    path = tmp_path / "backup.json"
    call_command("export_dataset", str(path), **QUIET)
    from dataset.backup import DatasetError, import_dataset

    document = json.loads(path.read_text())
    wipe()
    Change.objects.create(resource="detainees", object_id=999, op="delete", at="2026-01-01T00:00:00Z")
    with pytest.raises(DatasetError, match="change feed"):
        import_dataset(document)
