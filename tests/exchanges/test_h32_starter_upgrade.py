"""Upgrading a deployed database from one release's starter dataset to the next (issue 25, helper h32).

`load_demo --starter` merges dataset/starter.json into a database that already has records. It matched records by
their natural keys only, so a record whose key changed between releases was loaded a second time: the fifth pass
dated Dylan Healy's capture (detention 51 of the document, April 2022 → 25 April 2022) and Thomas Stwalley's arrest
(detention 78, undated → July 2018), and a database loaded with the previous starter got a second custody for each.
The previous release's document is kept here as it shipped (`git show 357b5c3:dataset/starter.json`)."""

import json
from pathlib import Path

import pytest
from django.apps import apps
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


@pytest.mark.slow  # the whole starter dataset loaded by the command three times (README, "Suite times")
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


@pytest.mark.slow  # the whole starter dataset loaded by the command twice (README, "Suite times")
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


def as_list(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def two_corrected_cases(document: dict) -> dict:
    """The part of a starter document the upgrade corrected: Dylan Healy and Thomas Stwalley, their custodies and
    what hangs from them, and every record these point at (sources, outlets, an exchange), so it merges on its own."""
    records = document["records"]
    keep = {label: set() for label in records}
    keep["detainees.detainee"] = {r["id"] for r in records["detainees.detainee"]
                                  if r["fields"]["name"] in ("Dylan Healy", "Thomas Stwalley")}  # fmt: skip
    parents = ("detainees.detainee", "detainees.detention", "detainees.charge", "detainees.sentence")
    relations = {label: {f.name: f.related_model._meta.label_lower for f in apps.get_model(label)._meta.get_fields()
                         if f.concrete and f.is_relation and f.related_model is not None}
                 for label in records}  # fmt: skip
    while True:
        before = sum(map(len, keep.values()))
        for label, rows in records.items():
            for row in rows:
                fields = row["fields"]
                if row["id"] not in keep[label] and label != "sources.claim" and any(
                    target in parents and set(as_list(fields.get(name))) & keep[target]
                    for name, target in relations[label].items()
                ):
                    keep[label].add(row["id"])  # a child of a kept person, custody, charge or sentence
                if row["id"] in keep[label]:
                    for name, target in relations[label].items():  # and what a kept record points at
                        if target in keep:
                            keep[target].update(as_list(fields.get(name)))
        if sum(map(len, keep.values())) == before:
            break
    return {**document, "records": {label: [r for r in rows if r["id"] in keep[label]]
                                    for label, rows in records.items() if keep[label]}}  # fmt: skip


@pytest.mark.parametrize("links_kept", [False, True], ids=["loaded-before-links-were-kept", "links-kept"])
def test_the_corrected_custodies_of_the_next_starter_are_never_a_second_custody(db, links_kept):
    """The two slow tests above on the two corrected cases alone (the same merge, record by record, as
    `load_demo --starter` and `reset_demo --starter`; the check tier's representative of both)."""
    from dataset.models import LoadedRecord

    previous, shipped = two_corrected_cases(previous_document()), two_corrected_cases(starter_document())
    assert len(shipped["records"]["detainees.detention"]) == 2 and len(shipped["records"]["sources.source"]) > 3

    def expected() -> dict[str, int]:
        return {m.__name__: len(shipped["records"].get(m._meta.label_lower, [])) for m in COUNTED}

    merge_dataset(previous, reason="Demo data", origin="starter" if links_kept else None)
    assert custodies("Dylan Healy") == [("2022-04-01", "month")]
    assert custodies("Thomas Stwalley") == [(None, "day")]
    healy = Detention.objects.get(detainee__name="Dylan Healy").pk
    assert LoadedRecord.objects.filter(document="starter", label="detainees.detention").count() == 2 * links_kept

    merge_dataset(shipped, reason="Demo data", origin="starter")  # the next `make run`
    assert counts() == expected()
    assert custodies("Dylan Healy") == [("2022-04-01", "month")]  # an existing record is never overwritten
    assert custodies("Thomas Stwalley") == [(None, "day")]

    merge_dataset(shipped, overwrite=True, reason="Demo data", origin="starter")  # `reset_demo --starter`
    assert counts() == expected()
    assert Detention.objects.get(detainee__name="Dylan Healy").pk == healy  # the same row, its date corrected
    assert custodies("Dylan Healy") == [("2022-04-25", "day")]
    assert custodies("Thomas Stwalley") == [("2018-07-01", "month")]

    merge_dataset(shipped, reason="Demo data", origin="starter")  # and loading again changes nothing
    assert counts() == expected()


@pytest.mark.slow  # the whole demo loaded by its loader after a wipe and a restore (README, "Suite times")
def test_a_restored_database_forgets_which_rows_the_demo_was_loaded_into(demo):
    """A restore empties the database and puts other records under the same ids: a link kept from before would make
    `reset_demo` overwrite whatever record now has the id the demo's once had."""
    from dataset.backup import import_dataset
    from dataset.demo import demo_document, load_demo
    from dataset.models import LoadedRecord
    from tests.exchanges.test_dataset import wipe

    # the demo as `load_demo` leaves it (the `demo` fixture: the loader's rows, its load links included)
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


def test_a_restored_database_forgets_which_rows_a_shipped_document_was_loaded_into(db):
    """The slow test above on a shipped document of one case: the same load (`merge_dataset` with its origin, as
    `load_demo` calls it), the same restore, the same reset."""
    from dataset.backup import import_dataset
    from dataset.demo import demo_document
    from dataset.models import LoadedRecord
    from tests.exchanges.test_dataset import wipe

    shipped = {**demo_document(), "records": {"detainees.detainee": [
        {"id": 7, "fields": {"name": "Shipped Person", "is_published": False}}]}}  # fmt: skip
    merge_dataset(shipped, reason="Demo data", origin="demo")
    link = LoadedRecord.objects.get(document="demo", label="detainees.detainee", document_id=7)
    wipe()
    WHEN = "2026-01-01T00:00:00.000000Z"
    backup = {"format": "prisoner-exchange-tracker/dataset", "version": 2, "records": {"detainees.detainee": [
        {"id": link.object_id, "fields": {"name": "Someone Else", "is_published": False, "created_at": WHEN,
                                            "updated_at": WHEN}}]}}  # fmt: skip
    import_dataset(backup)
    merge_dataset(shipped, overwrite=True, reason="Demo data", origin="demo")  # as `load_demo(reset=True)`
    assert Detainee.objects.get(pk=link.object_id).name == "Someone Else"  # not taken for the document's record
    assert sorted(Detainee.objects.values_list("name", flat=True)) == ["Shipped Person", "Someone Else"]
