"""The census is counted outside requests (issue 24, h13 item 5): `build_census` stores it; a request reads the
stored entries and counts again only the people a write marked since, whatever made the write (the ORM, a bulk
update, raw SQL), through the case triggers."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casedocs import census_store
from casedocs.models import CensusMark, StoredCensus
from detainees.census import census, census_figures, compute_census, compute_december, december_days
from detainees.models import Charge, Designation, Detainee, Detention, Group
from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db
D = datetime.date
DAY = D(2010, 12, 1)  # Shalit held by Hamas, Bout by the US, and others


def figures(day):
    cache.clear()  # the figures are kept per data version; a bulk update moves no version (common.cache)
    return census(day)


def settled():
    """As five minutes after the demo was loaded: its marks are older than every stored figure's margin."""
    CensusMark.objects.update(at=timezone.now() - datetime.timedelta(hours=1))


def stored_read_at(key: str):
    return StoredCensus.objects.get(key=key).read_at


def test_a_request_reads_the_stored_census_and_counts_no_one(client, demo):
    settled()
    call_command("build_census", day=[DAY.isoformat(), "2022-06-01"], stdout=io.StringIO(), stderr=io.StringIO())
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        data = client.get(reverse("api:census"), {"on": "2022-06-01"}).json()
    sql = [q["sql"] for q in queries.captured_queries]
    # the data version; the years on file; the stored series and its marks; the stored day and its marks
    assert len(sql) == 6, "\n".join(q[:160] for q in sql)
    assert not any("detainees_charge" in q or "detainees_designation" in q for q in sql[1:])  # counted nothing
    assert data["held"] == compute_census(D(2022, 6, 1))["held"] and data["held"] > 0
    assert data["december"] == compute_december(timezone.localdate())


def test_every_kind_of_write_is_patched_in_without_counting_the_day_again(demo):
    settled()
    census_store.build_all([DAY])
    read_at, december_read_at = stored_read_at(DAY.isoformat()), stored_read_at("december")
    today = timezone.localdate()

    def agrees():
        got = figures(DAY)
        assert {k: v for k, v in got.items() if k != "december"} == compute_census(DAY)
        assert got["december"] == compute_december(today)

    agrees()
    assert not CensusMark.objects.exists()  # pruned by the build
    # a new custody, through the ORM
    DetentionFactory(detainee=DetaineeFactory(name="New Person"), held_by="IR", detained_on=D(2009, 1, 1))
    agrees()
    # a charge, by raw SQL
    shalit = Detention.objects.get(detainee__slug="gilad-shalit")
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO detainees_charge (created_at, updated_at, detention_id, category, description, "
                       "statute, outcome, charged_on_precision) VALUES (%s, %s, %s, 'fraud', '', '', 'pending', "
                       "'day')", [timezone.now(), timezone.now(), shalit.pk])  # fmt: skip
    assert "fraud" in [r["charge_category"] for r in figures(DAY)["by_charge_category"]]
    agrees()
    # a group renamed, by a bulk update (no signal, no history)
    Group.objects.filter(name="Hamas").update(name="Hamas (renamed)")
    assert "Hamas (renamed)" in [r["name"] for r in figures(DAY)["by_holder"]]
    agrees()
    # a person withdrawn, by a bulk update; a designation deleted
    bout = Detainee.objects.get(slug="viktor-bout")
    Detainee.objects.filter(pk=bout.pk).update(is_published=False)
    assert bout.pk not in [p["id"] for p in figures(DAY)["people"]]
    agrees()
    Designation.objects.filter(detainee__is_published=True).delete()
    assert figures(DAY)["by_designation"] == []
    agrees()
    # patched every time, never counted again in full
    assert (stored_read_at(DAY.isoformat()), stored_read_at("december")) == (read_at, december_read_at)


def test_more_people_marked_than_a_patch_takes_and_the_day_is_counted_again(demo, monkeypatch):
    census_store.build_all([DAY])
    read_at = stored_read_at(DAY.isoformat())
    monkeypatch.setattr(census_store, "PATCH_LIMIT", 0)
    Charge.objects.create(detention=Detention.objects.get(detainee__slug="gilad-shalit"), category="fraud")
    assert figures(DAY)["by_charge_category"] == compute_census(DAY)["by_charge_category"]
    assert stored_read_at(DAY.isoformat()) > read_at  # counted in full, and stored again


def test_a_day_never_stored_is_counted_once_and_stored(client, demo):
    assert not StoredCensus.objects.filter(key="2019-08-15").exists()
    first = census_figures(D(2019, 8, 15))
    assert StoredCensus.objects.filter(key="2019-08-15").exists()
    cache.clear()
    assert census_figures(D(2019, 8, 15)) == first == compute_census(D(2019, 8, 15))


def test_the_command_stores_today_and_every_december_forgets_old_days_and_prunes_old_marks(demo):
    census_store.build_all([D(2019, 8, 15), D(2019, 9, 1)])
    StoredCensus.objects.filter(key="2019-09-01").update(read_at=timezone.now() - datetime.timedelta(days=2))
    DetentionFactory(detainee=DetaineeFactory(name="Marked Person"), held_by="IR", detained_on=D(2009, 1, 1))
    assert CensusMark.objects.exists()
    CensusMark.objects.update(at=timezone.now() - datetime.timedelta(hours=1))
    out, err = io.StringIO(), io.StringIO()
    call_command("build_census", stdout=out, stderr=err)
    today = timezone.localdate()
    built = {d.isoformat() for d in [today, *december_days(today)]}
    # 2019-08-15, asked for within the day, is kept (and patched); 2019-09-01, stored two days ago, is forgotten
    assert set(StoredCensus.objects.values_list("key", flat=True)) == built | {"december", "2019-08-15"}
    assert not CensusMark.objects.exists()  # older than every stored day: no patch needs them
    assert f"Stored the census of {len(built)} days and the 1 December series in" in out.getvalue()
    assert "Census" in err.getvalue() or err.getvalue() == ""  # the progress bar (shown on a terminal)


@pytest.mark.parametrize("value", ["2024-02-30", "2999-01-01"])
def test_the_command_refuses_a_bad_day_naming_the_option(value):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--day"):
        call_command("build_census", day=[value], stdout=io.StringIO(), stderr=io.StringIO())


def test_a_census_stored_under_another_rule_of_who_is_held_is_counted_again(demo):
    """A deploy that changes who counts as held (`census.RULE`) must not serve the figures stored before it, even
    with no write since: they would disagree with the lists, which read the new rule at once."""
    import json

    settled()
    census_store.build_all([DAY])
    for key in (DAY.isoformat(), "december"):
        row = StoredCensus.objects.get(key=key)
        emptied = {"held": {}, "possible": {}} if key == "december" else {"people": {}}  # as if nobody was held
        stale = {**json.loads(row.entries), **emptied, "rule": 1}
        StoredCensus.objects.filter(key=key).update(entries=json.dumps(stale))
    read_at, december_read_at = stored_read_at(DAY.isoformat()), stored_read_at("december")
    got = figures(DAY)
    assert got["held"] == compute_census(DAY)["held"] > 0
    assert got["december"] == compute_december(timezone.localdate())
    assert stored_read_at(DAY.isoformat()) > read_at and stored_read_at("december") > december_read_at
