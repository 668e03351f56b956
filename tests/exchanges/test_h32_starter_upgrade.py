"""Upgrading a deployed database from one release's starter dataset to the next (issue 25, helper h32).

`load_demo --starter` merges dataset/starter.json into a database that already has records. It matched records by
their natural keys only, so a record whose key changed between releases was loaded a second time: the fifth pass
dated Dylan Healy's capture (detention 51 of the document, April 2022 → 25 April 2022) and Thomas Stwalley's arrest
(detention 78, undated → July 2018), and a database loaded with the previous starter got a second custody for each.
The previous release's document is kept here as it shipped (`git show 357b5c3:dataset/starter.json`)."""

import json
from pathlib import Path

from django.core.management import call_command

from dataset.backup import merge_dataset
from dataset.demo import starter_document
from detainees.models import Charge, Detainee, Detention, Sentence
from exchanges.models import ExchangeParticipant
from sources.models import Claim, Source

PREVIOUS = Path(__file__).with_name("data") / "starter-357b5c3.json"
QUIET = {"stdout": open("/dev/null", "w"), "stderr": open("/dev/null", "w")}
COUNTED = (Detainee, Detention, Charge, Sentence, ExchangeParticipant, Source, Claim)


def previous_document() -> dict:
    return json.loads(PREVIOUS.read_text(encoding="utf-8"))


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in COUNTED}


def shipped_counts() -> dict[str, int]:
    records = starter_document()["records"]
    return {m.__name__: len(records[m._meta.label_lower]) for m in COUNTED}


def custodies(name: str) -> list[tuple[str | None, str]]:
    return [(str(d.detained_on) if d.detained_on else None, d.detained_on_precision)
            for d in Detention.objects.filter(detainee__name=name).order_by("pk")]  # fmt: skip


def test_the_next_starter_over_the_previous_one_adds_no_second_custody_and_a_reset_applies_its_dates(db):
    merge_dataset(previous_document(), reason="Demo data")  # a site that ran `make run` on the previous release
    assert custodies("Dylan Healy") == [("2022-04-01", "month")]
    assert custodies("Thomas Stwalley") == [(None, "day")]

    call_command("load_demo", "--starter", **QUIET)  # the next `make run`: what is new is added, nothing twice
    assert counts() == shipped_counts()
    assert custodies("Dylan Healy") == [("2022-04-01", "month")]  # an existing record is never overwritten
    assert custodies("Thomas Stwalley") == [(None, "day")]

    call_command("reset_demo", "--starter", **QUIET)  # the shipped version is put back, the new dates with it
    assert counts() == shipped_counts()
    assert custodies("Dylan Healy") == [("2022-04-25", "day")]
    assert custodies("Thomas Stwalley") == [("2018-07-01", "month")]

    call_command("load_demo", "--starter", **QUIET)  # and loading again changes nothing
    assert counts() == shipped_counts()


def test_a_record_loaded_before_is_found_by_its_id_in_the_document_whatever_its_key_became(db):
    """The same upgrade on a site whose previous load kept its links (dataset.models.LoadedRecord): each record of the
    new document is found by its id in the document first, so the corrected dates never make a second custody."""
    from dataset.models import LoadedRecord

    merge_dataset(previous_document(), reason="Demo data", origin="starter")
    healy = Detention.objects.get(detainee__name="Dylan Healy")
    link = LoadedRecord.objects.get(document="starter", label="detainees.detention", document_id=51)
    assert link.object_id == healy.pk
    call_command("load_demo", "--starter", **QUIET)
    assert counts() == shipped_counts()
    call_command("reset_demo", "--starter", **QUIET)
    assert counts() == shipped_counts()
    assert Detention.objects.get(detainee__name="Dylan Healy").pk == healy.pk  # the same row, its date corrected
    assert custodies("Dylan Healy") == [("2022-04-25", "day")]
    assert custodies("Thomas Stwalley") == [("2018-07-01", "month")]


def test_a_restored_database_forgets_which_rows_the_demo_was_loaded_into(db):
    """A restore empties the database and puts other records under the same ids: a link kept from before would make
    `reset_demo` overwrite whatever record now has the id the demo's once had."""
    from dataset.backup import import_dataset
    from dataset.demo import demo_document, load_demo
    from dataset.models import LoadedRecord
    from tests.exchanges.test_dataset import wipe

    load_demo()
    link = LoadedRecord.objects.filter(document="demo", label="detainees.detainee").order_by("document_id").first()
    wipe()
    WHEN = "2026-01-01T00:00:00.000000Z"
    backup = {"format": "prisoner-exchange-tracker/dataset", "version": 2, "records": {"detainees.detainee": [
        {"id": link.object_id, "fields": {"name": "Someone Else", "is_published": False, "created_at": WHEN,
                                            "updated_at": WHEN}}]}}  # fmt: skip
    import_dataset(backup)
    load_demo(reset=True)
    assert Detainee.objects.get(pk=link.object_id).name == "Someone Else"  # not taken for the demo's record
    demo_people = demo_document()["records"]["detainees.detainee"]
    assert Detainee.objects.count() == len(demo_people) + 1
