"""Signed-in readers get validators from the same feed as the public: a record's Last-Modified is its last event's
time only while what they are served is exactly what the feed last published; an editor who sees it differently (a
draft inside it) gets an ETag and no date. `updated_since` signed in is the feed's answer plus the record's own
`updated_at` (drafts, which the feed never shows). No 304 for a changed representation, signed in or not."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date

from changes.models import Change
from changes.publisher import publish
from tests.factories import DetaineeFactory, DetentionFactory, ExchangeFactory, ParticipantFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_no_304_signed_in_after_a_change_that_moves_no_updated_at(editor_client):
    exchange = ExchangeFactory()
    gone = ParticipantFactory(exchange=exchange)
    gone_person = gone.detainee_id
    ParticipantFactory(exchange=exchange)
    publish()
    url = f"/api/v1/exchanges/{exchange.pk}/"
    first = editor_client.get(url)
    assert first.status_code == 200
    since = first.get("Last-Modified") or http_date(timezone.now().timestamp())  # a date the client holds
    etag = first["ETag"]

    gone.delete()  # the exchange's representation changes; its updated_at does not
    publish()
    for headers in ({"HTTP_IF_MODIFIED_SINCE": since}, {"HTTP_IF_NONE_MATCH": etag}):
        again = editor_client.get(url, **headers)
        assert again.status_code == 200, headers
        assert gone_person not in [p["detainee"] for p in again.json()["participants"]]


def test_signed_in_dates_are_the_feeds_and_only_for_the_published_representation(editor_client):
    exchange = ExchangeFactory()
    ParticipantFactory(exchange=exchange)
    publish()
    url = f"/api/v1/exchanges/{exchange.pk}/"
    client = Client()  # anonymous (editor_client is pytest-django's `client`, signed in)
    public, signed_in = client.get(url), editor_client.get(url)
    last = Change.objects.filter(resource="exchanges", object_id=exchange.pk).last()
    assert public["Last-Modified"] == http_date(last.at.timestamp())
    if signed_in.json() == public.json():  # the same representation: the same date, from the feed
        assert signed_in["Last-Modified"] == public["Last-Modified"]

    ParticipantFactory(exchange=exchange, detainee=DetaineeFactory(is_published=False))  # seen by editors only
    publish()
    signed_in = editor_client.get(url)
    assert len(signed_in.json()["participants"]) == 2 and "Last-Modified" not in signed_in
    tomorrow = http_date(timezone.now().timestamp() + 86400)
    assert editor_client.get(url, HTTP_IF_MODIFIED_SINCE=tomorrow).status_code == 200
    assert client.get(url)["Last-Modified"] == public["Last-Modified"]  # the public's copy has not changed


def test_updated_since_signed_in_sees_shared_record_changes_and_drafts(editor_client):
    cited = SourceFactory()
    detention = DetentionFactory()
    detention.sources.add(cited, SourceFactory())
    draft = DetaineeFactory(is_published=False)
    publish()
    before = (timezone.now() + datetime.timedelta(seconds=1)).replace(microsecond=0)
    from changes.models import Published

    hour_ago = before - datetime.timedelta(hours=1)
    Change.objects.update(at=hour_ago)  # everything so far: an hour ago
    Published.objects.update(at=hour_ago)
    from detainees.models import Detainee, Detention

    Detention.objects.filter(pk=detention.pk).update(updated_at=before - datetime.timedelta(hours=1))
    cited.delete()  # changes the detention's representation, not its updated_at
    Detainee.objects.filter(pk=draft.pk).update(updated_at=before + datetime.timedelta(seconds=5), name="Redrafted")
    publish()
    later = before + datetime.timedelta(seconds=5)
    Change.objects.filter(at__gt=hour_ago).update(at=later)
    Published.objects.filter(at__gt=hour_ago).update(at=later)
    since = {"updated_since": before.isoformat()}
    client = Client()  # anonymous

    ids = [d["id"] for d in editor_client.get("/api/v1/detentions/", since).json()["results"]]
    assert detention.pk in ids  # from the feed: its updated_at never moved
    assert detention.pk in [d["id"] for d in client.get("/api/v1/detentions/", since).json()["results"]]
    assert draft.pk in [d["id"] for d in editor_client.get("/api/v1/detainees/", since).json()["results"]]
    assert draft.pk not in [d["id"] for d in client.get("/api/v1/detainees/", since).json()["results"]]
