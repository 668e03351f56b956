"""Lossless export and import of the whole dataset."""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command

from dataset.backup import dataset_models, history_models
from detainees.models import Detainee, Detention
from tests.factories import (
    ChargeFactory,
    DesignationFactory,
    DetaineeFactory,
    DetentionFactory,
    ExchangeFactory,
    ParticipantFactory,
    SentenceFactory,
    SourceFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


def wipe():
    """As a fresh database is: no records, and no history of any."""
    for model in reversed(dataset_models()):
        model._default_manager.all().delete()
    for model in reversed(history_models()):
        model._default_manager.all().delete()
    from changes.models import Change, Mark, Published, Release

    for model in (Release, Published, Change, Mark):  # the change feed, which backups carry too
        model._default_manager.all().delete()


def snapshot() -> dict:
    """Every record of every model, field by field, m2m included."""
    from django.forms.models import model_to_dict

    return {
        model._meta.label: {obj.pk: {**model_to_dict(obj), "created_at": obj.created_at, "updated_at": obj.updated_at}
                            for obj in model._default_manager.all()}
        for model in dataset_models()
    }  # fmt: skip


def round_trip(tmp_path):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    call_command("export_dataset", str(first), stdout=open("/dev/null", "w"))
    before = snapshot()
    statuses = list(Detainee.objects.order_by("pk").values_list("status", "held_by", "latest_detention"))
    wipe()
    call_command("import_dataset", str(first), stdout=open("/dev/null", "w"))
    assert snapshot() == before  # compared record by record, field by field
    # Derived status is not carried in the document but recomputed on import.
    assert "status" not in json.loads(first.read_text())["records"]["detainees.detainee"][0]["fields"]
    assert list(Detainee.objects.order_by("pk").values_list("status", "held_by", "latest_detention")) == statuses
    call_command("export_dataset", str(second), stdout=open("/dev/null", "w"))
    assert first.read_bytes() == second.read_bytes()
    return json.loads(first.read_text())


@pytest.mark.slow  # the whole demo exported, wiped, imported and exported again
def test_demo_cases_round_trip_without_loss(demo, tmp_path):
    Detainee.objects.filter(slug="paul-whelan").update(is_published=False)  # drafts travel too
    Detention.objects.filter(detainee__slug="paul-whelan").update(
        last_confirmed_on=datetime.date(2024, 7, 1), last_confirmed_on_precision="month"
    )
    document = round_trip(tmp_path)
    records = document["records"]
    assert document["version"] == 2 and len(records["detainees.detainee"]) == Detainee.objects.count() == 29
    assert not Detainee.objects.get(slug="paul-whelan").is_published
    # Every record type and field of version 1.1 travels: groups, officials, counts, claims, sentence changes,
    # the custody chain, last_confirmed_on and the headline flag.
    assert [g["fields"]["name"] for g in records["detainees.group"]] == ["Hamas"]
    assert len(records["sources.official"]) == 5
    assert [c["fields"]["number"] for c in records["exchanges.exchangecount"]] == [1027]
    assert len(records["sources.claim"]) == 2 and len(records["detainees.sentencechange"]) == 1
    assert {r["fields"]["end_reason"] for r in records["detainees.detention"]} >= {"extradited", "handed_over"}
    assert any(r["fields"]["held_by_group"] for r in records["detainees.detention"])
    assert any(r["fields"]["last_confirmed_on"] == "2024-07-01" for r in records["detainees.detention"])
    assert sum(not r["fields"]["headline_on_file"] for r in records["sources.source"]) == 2
    assert all(r["fields"]["official"] for r in records["sources.statement"])


@pytest.mark.slow
def test_generated_data_round_trips_without_loss(tmp_path):
    for i in range(15):
        person = DetaineeFactory(name=f"Person {i}", aliases=[f"Персона {i}"], citizenships=["RU", "US"],
                                 is_published=i % 3 != 0)  # fmt: skip
        source = SourceFactory(text=f"staff-only text {i}")
        person.sources.add(source)
        detention = DetentionFactory(  # ended by the exchange below: an exchange and its people agree
            detainee=person, detained_on=datetime.date(2022, 2, 1), detained_on_precision="month",
            released_on=datetime.date(2022, 12, 8), end_reason="exchanged",
        )  # fmt: skip
        charge = ChargeFactory(detention=detention)
        sentence = SentenceFactory(detention=detention, fine_amount="1234.50", fine_currency="RUB")
        sentence.charges.add(charge)
        exchange = ExchangeFactory(mediators=["AE", "SA"])
        for record in (detention, charge, sentence, DesignationFactory(detainee=person), exchange):
            record.sources.add(source)  # published means sourced: an import refuses anything less
        ParticipantFactory(detainee=person, exchange=exchange)
        StatementFactory().detainees.add(person)
    round_trip(tmp_path)


@pytest.mark.slow  # the whole demo exported, wiped and imported
def test_records_imported_from_a_document_without_history_start_their_history(demo, tmp_path):
    path = tmp_path / "d.json"
    call_command("export_dataset", str(path), stdout=open("/dev/null", "w"))
    document = json.loads(path.read_text())
    document.pop("history")  # as a version 1 document has none
    path.write_text(json.dumps(document))
    wipe()
    call_command("import_dataset", str(path), stdout=open("/dev/null", "w"))
    griner = Detainee.objects.get(slug="brittney-griner")
    assert griner.history.latest().history_change_reason == "Imported"
    new = DetaineeFactory(name="After import")  # sequences moved past the imported ids
    assert new.pk > max(Detainee.objects.exclude(pk=new.pk).values_list("pk", flat=True))


_demo_export: list[str] = []


@pytest.fixture
def demo_export(request, tmp_path):
    """The demo's export, in a database as a fresh one is (no records, no history): the demo is loaded, exported and
    wiped once per test process, and later tests reuse the document (each round cost seconds of CPU)."""
    if not _demo_export:
        request.getfixturevalue("demo")
        call_command("export_dataset", str(tmp_path / "demo.json"), stdout=open("/dev/null", "w"))
        _demo_export.append((tmp_path / "demo.json").read_text())
        wipe()
    assert not any(model._default_manager.exists() for model in (*dataset_models(), *history_models()))
    return _demo_export[0]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: d["records"]["detainees.detention"][0]["fields"].update(detained_on="2022-02-30"),
         "detainees.detention record 1"),
        (lambda d: d["records"]["detainees.detention"][0]["fields"].update(held_by="XX"), "field held_by"),
        (lambda d: d["records"]["detainees.detention"][0]["fields"].update(released_on="1900-01-01"),
         "field released_on"),
        (lambda d: d["records"]["detainees.charge"][0]["fields"].update(category="piracy"), "field category"),
        (lambda d: d["records"]["detainees.detainee"][0]["fields"].update(colour="red"), "unknown field(s) colour"),
        (lambda d: d.update(version=99), "Unsupported dataset version 99"),
        (lambda d: d["records"]["detainees.detention"][0].pop("fields"), '"fields"'),
    ],
)  # fmt: skip
def test_malformed_document_names_the_problem_and_writes_nothing(demo_export, tmp_path, damage, message):
    path = tmp_path / "d.json"
    document = json.loads(demo_export)
    damage(document)
    path.write_text(json.dumps(document))
    with pytest.raises(CommandError) as exc:
        call_command("import_dataset", str(path), stdout=open("/dev/null", "w"))
    assert message in str(exc.value) and "Nothing was imported" in str(exc.value)
    assert all(not m._default_manager.exists() for m in dataset_models())


def test_import_refuses_a_database_that_is_not_empty(demo, tmp_path):
    path = tmp_path / "d.json"
    call_command("export_dataset", str(path), stdout=open("/dev/null", "w"))
    with pytest.raises(CommandError, match="empty database"):
        call_command("import_dataset", str(path))
    assert Detention.objects.count() == 11  # Bout and Yaroshenko: one per holder; Shalit
