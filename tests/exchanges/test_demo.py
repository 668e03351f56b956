"""The demo cases: the facts the issue names, every fact cited, and a loader that can run twice."""

import datetime

import pytest
from django.core.management import call_command

from detainees.models import Charge, Designation, Detainee, Detention, Sentence, SentenceChange, Transfer
from exchanges.models import Exchange, ExchangeParticipant
from sources.models import Outlet, Source, Statement

pytestmark = pytest.mark.django_db
D = datetime.date
CITING = [Detainee, Detention, Charge, Sentence, SentenceChange, Transfer, Designation, Exchange]
ALL = [*CITING, ExchangeParticipant, Outlet, Source, Statement]


def test_loading_twice_changes_nothing(demo, capsys):
    counts = {m.__name__: m.objects.count() for m in ALL}
    call_command("load_demo")
    assert {m.__name__: m.objects.count() for m in ALL} == counts
    assert "0 errors" in capsys.readouterr().out


def test_every_demo_fact_cites_a_source(demo):
    for model in CITING:
        uncited = list(model.objects.filter(sources=None))
        assert uncited == [], f"{model.__name__} without a source: {uncited}"
    assert not Statement.objects.filter(source=None).exists()


def test_griner_case(demo):
    griner = Detainee.objects.with_status().get(slug="brittney-griner")
    detention = griner.detentions.get()
    assert (detention.held_by.code, detention.detained_on, detention.place) == (
        "RU", D(2022, 2, 17), "Sheremetyevo airport, Moscow")  # fmt: skip
    charge = detention.charges.get(statute="Criminal Code art. 229.1")
    assert (charge.category, charge.statute) == ("drugs", "Criminal Code art. 229.1")
    sentence = detention.sentences.get()
    assert (sentence.court, sentence.sentenced_on, sentence.term_months) == ("Khimki City Court", D(2022, 8, 4), 108)
    assert (sentence.fine_amount, sentence.fine_currency) == (1_000_000, "RUB")
    assert griner.status == "exchanged"


def test_bout_was_held_by_thailand_then_extradited_to_the_us(demo):
    thailand, usa = Detainee.objects.get(slug="viktor-bout").detentions.all()
    assert (thailand.held_by.code, thailand.detained_on, thailand.end_reason) == ("TH", D(2008, 3, 6), "extradited")
    assert thailand.released_on == usa.detained_on == D(2010, 11, 16)
    assert (usa.held_by.code, usa.end_reason) == ("US", "exchanged")
    assert usa.sentences.get().term_months == 25 * 12


def test_reed_and_yaroshenko_dates_are_partial(demo):
    reed = Detainee.objects.get(slug="trevor-reed").detentions.get()
    assert reed.partial_date("detained_on") == "August 2019"
    assert reed.sentences.get().partial_date("sentenced_on") == "July 2020"
    liberia, yaroshenko = Detainee.objects.get(slug="konstantin-yaroshenko").detentions.all()
    assert (liberia.held_by.code, liberia.end_reason, liberia.released_on) == ("LR", "handed_over", D(2010, 5, 30))
    assert (yaroshenko.held_by.code, yaroshenko.detained_on) == ("US", D(2010, 5, 30))
    assert yaroshenko.sentences.get().partial_date("sentenced_on") == "2011"


def test_exchanges(demo):
    griner_bout = Exchange.objects.with_participants().get(slug="griner-bout-exchange")
    assert (griner_bout.date, griner_bout.place_country.code, [c.code for c in griner_bout.mediators]) == (
        D(2022, 12, 8), "AE", ["AE"])  # fmt: skip
    people = griner_bout.participants.all()
    assert sorted((p.detainee.name, p.released_by.code, p.received_by.code) for p in people) == [
        ("Brittney Griner", "RU", "US"), ("Viktor Bout", "US", "RU")]  # fmt: skip
    assert sorted(griner_bout.claims.filter(field="mediators").values_list("value", flat=True)) == ["AE, SA", "none"]
    reed = Exchange.objects.get(slug="reed-yaroshenko-exchange")
    assert (reed.date, reed.place_country.code) == (D(2022, 4, 27), "TR")
    ankara = Exchange.objects.with_participants().get(slug="2024-ankara-prisoner-exchange")
    assert ankara.place == "Ankara Esenboğa Airport"
    assert ankara.country_codes() == ["BY", "DE", "NO", "PL", "RU", "SI", "TR", "US"]


def test_whelan_case(demo):
    whelan = Detainee.objects.with_status().get(slug="paul-whelan")
    assert sorted(c.code for c in whelan.citizenships) == ["CA", "GB", "IE", "US"]
    detention = whelan.detentions.get()
    assert (detention.detained_on, detention.released_on, detention.end_reason) == (
        D(2018, 12, 28), D(2024, 8, 1), "exchanged")  # fmt: skip
    assert detention.charges.get().category == "espionage"
    sentence = detention.sentences.get()
    assert (sentence.sentenced_on, sentence.term_months) == (D(2020, 6, 15), 16 * 12)


def test_seed_statements_are_quoted_briefly_with_their_source(demo):
    antonov = Statement.objects.get(speaker="Anatoly Antonov")
    assert antonov.source.outlet.name == "TASS"
    assert sorted(antonov.detainees.values_list("name", flat=True)) == ["Konstantin Yaroshenko", "Viktor Bout"]
    vershinin = Statement.objects.get(speaker="Sergei Vershinin")
    assert vershinin.source.via.name == "RIA Novosti"
    for statement in Statement.objects.all():
        assert len(statement.quote) <= 200  # a sentence, never a paragraph of the article


@pytest.mark.slow  # the loader and the reset over the whole demo
def test_records_an_editor_renamed_are_not_loaded_again_and_a_reset_puts_them_back(demo):
    """A new user's check: renaming a demo exchange, outlet or transfer, then `load_demo` (every `make run`), made
    a second copy of each; `reset_demo` added copies instead of putting the demo's version back."""
    counts = {m.__name__: m.objects.count() for m in ALL}
    exchange = Exchange.objects.get(name="2024 Ankara prisoner exchange")
    outlet = Outlet.objects.get(name="TASS")
    transfer = Transfer.objects.order_by("pk").first()
    demo_facility = transfer.facility_name
    for record, field in ((exchange, "name"), (outlet, "name"), (transfer, "facility_name")):
        setattr(record, field, getattr(record, field) + " (renamed by an editor)")
        record.save()
    call_command("load_demo", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    assert {m.__name__: m.objects.count() for m in ALL} == counts  # nothing loaded twice
    exchange.refresh_from_db()
    assert exchange.name.endswith("(renamed by an editor)")  # and the editor's work stands
    call_command("reset_demo", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    assert {m.__name__: m.objects.count() for m in ALL} == counts
    exchange.refresh_from_db(), outlet.refresh_from_db(), transfer.refresh_from_db()
    assert (exchange.name, outlet.name, transfer.facility_name) == ("2024 Ankara prisoner exchange", "TASS",
                                                                     demo_facility)  # fmt: skip
