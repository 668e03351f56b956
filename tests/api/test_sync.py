"""Incremental sync: updated_since on every list, and tombstones for what left the public dataset, both read from the
change feed. Writes through the site publish to the feed as they commit (changes.middleware); these tests write with
factories, outside any request, so they publish where a request would have."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from changes.publisher import publish
from tests.factories import ChargeFactory, DetaineeFactory, DetentionFactory, ExchangeFactory, SourceFactory

pytestmark = pytest.mark.django_db
LISTS = ["detainees", "detentions", "designations", "charges", "sentences", "sentence-changes", "transfers", "groups",
         "exchanges", "exchange-participants", "outlets", "sources", "statements", "officials", "claims"]  # fmt: skip


@pytest.mark.parametrize("endpoint", LISTS)
def test_every_list_takes_updated_since(endpoint):
    api = APIClient()
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    response = api.get(f"/api/v1/{endpoint}/", {"updated_since": future})
    assert response.status_code == 200 and response.json()["count"] == 0


def test_updated_since_returns_only_what_changed():
    old = DetaineeFactory(name="Old")
    publish()
    mark = timezone.now()
    DetaineeFactory(name="New")
    names = [d["name"] for d in APIClient().get("/api/v1/detainees/", {"updated_since": mark.isoformat()})
             .json()["results"]]  # fmt: skip
    assert names == ["New"]
    old.save()
    assert APIClient().get("/api/v1/detainees/", {"updated_since": mark.isoformat()}).json()["count"] == 2


def test_deletions_list_deleted_and_unpublished_records_but_never_drafts():
    api = APIClient()
    mark = timezone.now()
    gone = DetaineeFactory(name="Deleted Person")
    gone_id = gone.pk
    publish()
    gone.delete()
    hidden = DetaineeFactory(name="Back To Draft")
    publish()
    hidden.is_published = False
    hidden.save()
    draft = DetaineeFactory(is_published=False)
    draft_id = draft.pk
    publish()
    draft.delete()  # never public: must not appear
    charge = ChargeFactory(detention=DetentionFactory(detainee=DetaineeFactory()))
    charge_id = charge.pk
    publish()
    charge.delete()
    exchange = ExchangeFactory()
    exchange.sources.add(SourceFactory())
    exchange_id = exchange.pk
    publish()
    exchange.delete()
    rows = api.get("/api/v1/deletions/", {"since": mark.isoformat()}).json()["results"]
    got = {(r["resource"], r["id"], r["reason"]) for r in rows}
    assert ("detainees", gone_id, "deleted") in got
    assert ("detainees", hidden.pk, "unpublished") in got
    assert ("charges", charge_id, "deleted") in got
    assert ("exchanges", exchange_id, "deleted") in got
    assert ("detainees", draft_id, "deleted") not in got
    later = (timezone.now() + datetime.timedelta(seconds=1)).isoformat()
    assert api.get("/api/v1/deletions/", {"since": later}).json()["count"] == 0


def test_deletions_reject_bad_input_with_400():
    api = APIClient()
    assert "since" in api.get("/api/v1/deletions/", {"since": "yesterday"}).json()
    assert "sinse" in api.get("/api/v1/deletions/", {"sinse": "2024-01-01"}).json()
