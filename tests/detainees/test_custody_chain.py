"""Custody across states: one detention per holder, linked by extradition or handover (issue 12, item 1)."""

from datetime import date as D

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from detainees.models import Detainee


def names(client, **params):
    response = client.get("/api/v1/detainees/", params)
    assert response.status_code == 200, response.content
    return sorted(d["name"] for d in response.json()["results"])


def test_held_on_and_held_by_see_every_holder_of_the_chain(client, demo):
    assert "Viktor Bout" not in names(client, held_on="2009-06-01", held_by="US")  # Thailand held him then
    assert "Viktor Bout" in names(client, held_on="2009-06-01", held_by="TH")
    assert "Viktor Bout" in names(client, held_on="2012-06-01", held_by="US")
    assert "Konstantin Yaroshenko" in names(client, held_by="LR")
    detentions = client.get("/api/v1/detentions/", {"held_on": "2009-06-01", "held_by": "TH"}).json()["results"]
    assert [d["end_reason"] for d in detentions] == ["extradited"]


def test_the_case_page_tells_the_chain(client, demo):
    page = client.get(reverse("detainees:detainee-detail", args=["viktor-bout"])).content.decode()
    assert "Held by Thailand from 6 March 2008, extradited to the United States of America on 16 November 2010" in page
    assert "held by the United States of America until 8 December 2022 (exchanged)" in page
    assert "Extradited by Thailand to the United States of America" in page  # the timeline line
    assert "Held by Thailand, 6 March 2008 – 16 November 2010" in page
    yaroshenko = client.get(reverse("detainees:detainee-detail", args=["konstantin-yaroshenko"])).content.decode()
    assert "Handed over by Liberia to the United States of America" in yaroshenko


def test_status_comes_from_the_last_holder(demo):
    bout = Detainee.objects.get(slug="viktor-bout")
    assert (bout.status, bout.latest_detention.held_by.code) == ("exchanged", "US")
    assert not Detainee.objects.stale_status().exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_migration_splits_each_extradition_into_two_detentions_without_losing_data():
    executor = MigrationExecutor(connection)
    before = [("detainees", "0006_null_dates_last"), ("sources", "0003_null_dates_last")]
    after = [("detainees", "0007_custody_chain")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    person = old.get_model("detainees", "Detainee").objects.create(name="Viktor Bout", slug="viktor-bout")
    source = old.get_model("sources", "Source").objects.create(title="A report")
    Detention = old.get_model("detainees", "Detention")
    detention = Detention.objects.create(
        detainee=person, held_by="US", detained_on=D(2008, 3, 6), place="Bangkok", circumstances="sting",
        extradited_from="TH", extradited_on=D(2010, 11, 1), extradited_on_precision="month",
        released_on=D(2022, 12, 8), end_reason="exchanged",
    )  # fmt: skip
    detention.sources.add(source)
    charge = old.get_model("detainees", "Charge").objects.create(detention=detention, category="terrorism")
    Transfer = old.get_model("detainees", "Transfer")
    early = Transfer.objects.create(detention=detention, moved_on=D(2009, 1, 1), facility_name="Bangkok Remand")
    late = Transfer.objects.create(detention=detention, moved_on=D(2012, 5, 1), facility_name="USP Marion")
    undated_end = Detention.objects.create(
        detainee=person, held_by="US", detained_on=D(2001, 1, 1), detained_on_precision="year",
        extradited_from="BE", released_on=D(2002, 1, 1), end_reason="released",
    )  # fmt: skip
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new = executor.loader.project_state(after).apps
        Detention = new.get_model("detainees", "Detention")
        first = Detention.objects.get(pk=detention.pk)
        assert (first.held_by, first.detained_on, first.place, first.circumstances) == (
            "TH", D(2008, 3, 6), "Bangkok", "sting")  # fmt: skip
        assert (first.released_on, first.released_on_precision, first.end_reason) == (
            D(2010, 11, 1), "month", "extradited")  # fmt: skip
        second = Detention.objects.filter(detainee_id=person.pk, held_by="US", detained_on=D(2010, 11, 1)).get()
        assert (second.detained_on_precision, second.released_on, second.end_reason) == (
            "month", D(2022, 12, 8), "exchanged")  # fmt: skip
        assert [s.pk for s in first.sources.all()] == [s.pk for s in second.sources.all()] == [source.pk]
        assert new.get_model("detainees", "Charge").objects.get(pk=charge.pk).detention_id == second.pk
        transfers = new.get_model("detainees", "Transfer").objects
        assert (transfers.get(pk=early.pk).detention_id, transfers.get(pk=late.pk).detention_id) == (
            first.pk, second.pk)  # fmt: skip
        # An extradition with no date: the first custody ends undated, the second keeps the old start.
        belgium = Detention.objects.get(pk=undated_end.pk)
        assert (belgium.held_by, belgium.released_on, belgium.end_reason) == ("BE", None, "extradited")
        assert Detention.objects.filter(detainee_id=person.pk, held_by="US", detained_on=D(2001, 1, 1)).exists()
        history = new.get_model("detainees", "HistoricalDetention").objects
        assert history.filter(id=second.pk, history_type="+").exists()
        assert history.filter(id=first.pk, history_change_reason__startswith="Custody chain").exists()
        stored = new.get_model("detainees", "Detainee").objects.get(pk=person.pk)
        assert (stored.status, stored.latest_detention_id) == ("exchanged", second.pk)
    finally:
        MigrationExecutor(connection).loader.build_graph()
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
