"""A custody whose start no report dates (issue 25, h20): "Latvian citizens Emīls Asars and Ivars Šumass were among
those freed", "a US citizen held with Jimmy Wilgus": the person was held, and was freed or is held still, but no report
gives the arrest date. The detention is kept with its start empty, shown as "date unknown", counted as held from the
day a report confirmed the custody, and listed after the person's dated custody."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dataset.backup import merge_dataset
from detainees.census import compute_census, december_sets
from detainees.models import Detainee, Detention, Status
from detainees.selectors import status_sentence, timeline
from tests.factories import DetaineeFactory, DetentionFactory, SourceFactory

pytestmark = pytest.mark.django_db


def held_undated(**fields) -> Detention:
    person = DetaineeFactory(is_published=True)
    detention = DetentionFactory(detainee=person, detained_on=None, **fields)
    detention.sources.add(SourceFactory())
    Detainee.objects.filter(pk=person.pk).refresh_status()
    return detention


def test_a_start_no_report_dates_needs_a_day_the_custody_is_known_by():
    person = DetaineeFactory()
    bare = Detention(detainee=person, held_by="BY", detained_on=None)
    with pytest.raises(ValidationError) as exc:
        bare.full_clean()
    assert "detained_on" in exc.value.message_dict
    for known in ({"last_confirmed_on": datetime.date(2025, 6, 1)},
                  {"released_on": datetime.date(2025, 9, 11), "end_reason": "pardoned"}):  # fmt: skip
        Detention(detainee=person, held_by="BY", detained_on=None, **known).full_clean()


def test_someone_held_since_a_date_unknown_is_held_now_everywhere(client):
    detention = held_undated(held_by="RU", last_confirmed_on=datetime.date(2025, 3, 1))
    person = Detainee.objects.with_status().get(pk=detention.detainee_id)
    assert (person.status, person.held_by) == (Status.HELD, "RU")
    assert detention.days_held(datetime.date(2025, 3, 11)) == 10  # certain from the confirming report only
    assert status_sentence(person) == "Held by Russia since a date unknown"
    assert client.get("/").context["held_total"] == 1
    census = client.get("/api/v1/census/").json()
    assert (census["held"], [p["certain"] for p in census["people"]]) == (1, [True])
    listed = client.get("/api/v1/detainees/", {"status": "held", "held_on": timezone.localdate().isoformat()})
    assert listed.json()["count"] == 1
    # Before the confirming report the custody may have been under way: counted apart, never in the figure.
    before = compute_census(datetime.date(2024, 12, 1))
    assert (before["held"], before["uncertain"]) == (0, 1)
    years = december_sets([datetime.date(2024, 12, 1), datetime.date(2025, 12, 1)])
    assert years["held"] == {2024: [], 2025: [person.pk]} and years["possible"][2024] == [person.pk]
    page = client.get(person.get_absolute_url()).content.decode()
    assert "Held by Russia, date unknown – now" in " ".join(page.split())
    assert "held since a date unknown" in client.get("/detainees/").content.decode()
    assert [e.when for e in timeline(person) if e.kind == "detained"] == ["Date unknown"]


def test_a_custody_freed_with_no_arrest_date_is_never_certain_before_its_release(client):
    detention = held_undated(held_by="BY", released_on=datetime.date(2025, 9, 11), end_reason="pardoned")
    person = Detainee.objects.with_status().get(pk=detention.detainee_id)
    assert person.status == Status.RELEASED
    assert detention.days_held(datetime.date(2026, 1, 1)) == 0
    on = compute_census(datetime.date(2025, 9, 1))
    assert (on["held"], on["uncertain"]) == (0, 1)
    assert compute_census(datetime.date(2025, 9, 12))["uncertain"] == 0
    body = client.get(reverse("api:detention-detail", args=[detention.pk])).json()
    assert (body["detained_on"], body["released_on"]) == (None, "2025-09-11")


def test_a_custody_freed_on_a_known_day_with_no_arrest_date_was_held_that_day(client):
    """Vadim Ostanin (starter dataset): no report dates his arrest, he was exchanged on 1 August 2024; he was held
    that day, and the list of `held_on=2024-08-01`, the census and its 1 December series all say so."""
    freed = held_undated(held_by="RU", released_on=datetime.date(2024, 12, 1), end_reason="exchanged")
    month = held_undated(held_by="RU", released_on=datetime.date(2024, 12, 1), released_on_precision="month",
                         end_reason="exchanged")  # fmt: skip
    on = compute_census(datetime.date(2024, 12, 1))
    assert (on["held"], on["uncertain"]) == (1, 1)
    assert [p["id"] for p in on["people"] if p["certain"]] == [freed.detainee_id]
    listed = client.get("/api/v1/detainees/", {"held_on": "2024-12-01"}).json()
    assert [p["id"] for p in listed["results"]] == [freed.detainee_id]
    assert client.get("/api/v1/detainees/", {"held_on": "2024-12-02"}).json()["count"] == 0
    assert client.get("/api/v1/detainees/", {"held_on": "2024-11-30"}).json()["count"] == 0
    years = december_sets([datetime.date(2023, 12, 1), datetime.date(2024, 12, 1)])
    assert years["held"] == {2023: [], 2024: [freed.detainee_id]}
    assert years["possible"][2024] == sorted([freed.detainee_id, month.detainee_id])
    # a release known only as a month proves no single day of custody
    assert freed.days_held(datetime.date(2026, 1, 1)) == month.days_held(datetime.date(2026, 1, 1)) == 0


def test_an_undated_custody_comes_after_the_dated_ones_on_every_database():
    person = DetaineeFactory()
    earlier = DetentionFactory(detainee=person, held_by="GR", detained_on=datetime.date(2017, 7, 25),
                               released_on=datetime.date(2022, 8, 4), end_reason="extradited")  # fmt: skip
    later = DetentionFactory(detainee=person, held_by="US", detained_on=None,
                             released_on=datetime.date(2025, 2, 12), end_reason="exchanged")  # fmt: skip
    assert list(person.detentions.all()) == [earlier, later]
    Detainee.objects.filter(pk=person.pk).refresh_status()
    person.refresh_from_db()
    assert person.latest_detention == later and person.status == Status.EXCHANGED


def test_the_admin_form_takes_a_detention_with_no_start_date(admin_client, rf, admin_user):
    from django.contrib import admin

    assert admin_client.get(reverse("admin:detainees_detention_add")).status_code == 200
    request = rf.get("/")
    request.user = admin_user
    form_class = admin.site._registry[Detention].get_form(request)
    person, source = DetaineeFactory(), SourceFactory()
    data = {"detainee": person.pk, "held_by": "BY", "detained_on": "", "detained_on_precision": "day",
            "released_on": "", "released_on_precision": "day", "last_confirmed_on": "2025-06-21",
            "last_confirmed_on_precision": "day", "end_reason": "", "sources": [source.pk]}  # fmt: skip
    form = form_class(data=data)
    assert form.is_valid(), form.errors
    assert form.save().detained_on is None
    refused = form_class(data={**data, "last_confirmed_on": ""})
    assert not refused.is_valid() and "detained_on" in refused.errors


def test_the_dataset_loads_an_undated_custody_once():
    doc = {
        "format": "prisoner-exchange-tracker/dataset", "version": 2,
        "records": {
            "detainees.detainee": [{"id": 1, "fields": {"name": "A Person", "is_published": False}}],
            "detainees.detention": [{"id": 1, "fields": {"detainee": 1, "held_by": "BY", "detained_on": None,
                                                         "released_on": "2025-09-11", "end_reason": "pardoned"}}],
        },
    }  # fmt: skip
    merge_dataset(doc)
    merge_dataset(doc)
    assert list(Detention.objects.values_list("detained_on", "released_on")) == [(None, datetime.date(2025, 9, 11))]


def test_an_undated_custody_sits_in_the_timeline_before_the_first_date_it_must_precede(client):
    """h29: an undated start used to sort after every dated event, below a later custody. It is placed just before
    its own custody's first dated event (a move, a release) or its last confirmation; an undated handover just
    before the next custody's first dated event; with nothing dated to precede, last."""
    from tests.factories import TransferFactory

    person = DetaineeFactory(is_published=True)
    freed = DetentionFactory(detainee=person, held_by="BY", detained_on=None, released_on=datetime.date(2019, 9, 11),
                             end_reason="pardoned")  # fmt: skip
    confirmed = {"last_confirmed_on": datetime.date(2023, 5, 1), "last_confirmed_on_precision": "month"}
    again = DetentionFactory(detainee=person, held_by="RU", detained_on=None, **confirmed)
    TransferFactory(detention=again, moved_on=datetime.date(2024, 2, 3), facility_name="IK-7")
    DetentionFactory(detainee=person, held_by="US", detained_on=datetime.date(2021, 1, 5),
                     released_on=datetime.date(2022, 1, 5), end_reason="released")  # fmt: skip
    events = [(e.kind, e.when) for e in timeline(person)]
    assert events == [
        ("detained", "Date unknown"),  # before its release of 11 September 2019
        ("pardoned", "11 September 2019"),
        ("detained", "5 January 2021"),
        ("released", "5 January 2022"),
        ("detained", "Date unknown"),  # before its last confirmation (May 2023), which precedes its move
        ("transferred", "3 February 2024"),
    ], events
    assert freed.pk and again.pk
    page = " ".join(client.get(person.get_absolute_url()).content.decode().split())
    assert page.index("11 September 2019") < page.index("5 January 2021") < page.index("3 February 2024")


def test_an_undated_handover_sits_before_the_next_custodys_first_dated_event():
    person = DetaineeFactory(is_published=True)
    DetentionFactory(detainee=person, held_by="TH", detained_on=datetime.date(2008, 3, 6), released_on=None,
                     end_reason="extradited")  # fmt: skip
    nxt = DetentionFactory(detainee=person, held_by="US", detained_on=datetime.date(2010, 11, 16),
                           released_on=datetime.date(2022, 12, 8), end_reason="released")  # fmt: skip
    DetentionFactory(detainee=DetaineeFactory(), held_by="RU", detained_on=datetime.date(2009, 1, 1))  # not his
    kinds = [e.kind for e in timeline(person)]
    # The successor's start is told by the handover; the handover comes before the successor's release.
    assert kinds == ["detained", "extradited", "released"], kinds
    assert nxt.pk
