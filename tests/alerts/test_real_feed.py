"""End to end: writes through the API, the feed's real publisher, the dispatcher, the deliveries."""

import json

import pytest

from alerts import dispatch as dispatcher
from alerts.models import Delivery
from alerts.services import create_follow, create_webhook
from changes.models import Change
from tests.alerts.test_dispatch import delivered, reader
from tests.factories import DetaineeFactory, DetentionFactory, SourceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.real_feed]


def test_api_writes_reach_a_webhook_and_a_follow_through_the_real_feed(editor_client):
    person = DetaineeFactory(is_published=False, name="Feed Person")
    detention = DetentionFactory(detainee=person, held_by="RU")
    for record in (person, detention):
        record.sources.add(SourceFactory())
    hook = create_webhook(user=reader("hook"), url="http://127.0.0.1:9/hook", resources=["detainees"])
    dispatcher.dispatch()
    assert delivered(webhook=hook) == []  # a draft: nothing in the feed, nothing sent

    url = f"/api/v1/detainees/{person.pk}/"
    assert editor_client.patch(url, {"is_published": True}, content_type="application/json").status_code == 200
    follow = create_follow(user=reader("follower"), kind="detainee", object_id=person.pk, label=person.name)
    changed = editor_client.patch(url, {"description": "Changed once."}, content_type="application/json")
    assert changed.status_code == 200
    assert editor_client.delete(url).status_code == 204
    dispatcher.dispatch()

    events = list(Change.objects.filter(resource="detainees", object_id=person.pk).values_list("op", flat=True))
    assert events == ["upsert", "upsert", "delete"]  # published, changed, deleted: each once, from the real feed
    assert [op for _r, _id, op, _m in delivered(webhook=hook)] == ["upsert", "upsert", "delete"]
    sent = [json.loads(d.body)["event"]["seq"] for d in Delivery.objects.filter(webhook=hook).order_by("seq")]
    assert sent == list(Change.objects.filter(resource="detainees", object_id=person.pk).values_list("seq", flat=True))
    followed = delivered(follow=follow)  # followed after the publish: the change and the delete
    assert [op for r, _id, op, _m in followed if r == "detainees"] == ["upsert", "delete"]
