"""Several dispatchers at once (several workers): every event is handed out once, none lost, and the cursor ends at
the feed's head. Real threads with their own database connections (PostgreSQL; SQLite serialises writers)."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone

from alerts import dispatch as dispatcher
from alerts.models import Account, Cursor, Delivery, SearchMember
from alerts.services import create_follow, create_webhook
from changes.models import Change
from tests.factories import DetentionFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_four_dispatchers_at_once_hand_out_every_event_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...): SQLite runs one writer at a time")
    user = get_user_model().objects.create_user(username="r@example.org", email="r@example.org")
    Account.objects.create(user=user, email_confirmed=user.email, confirmed_at=timezone.now())
    people = [DetentionFactory(held_by="RU").detainee for _ in range(20)]
    for person in people[:5]:
        create_follow(user=user, kind="detainee", object_id=person.pk, label=person.name)
    create_follow(user=user, kind="search", query="held_by=RU")
    create_webhook(user=user, url="https://example.org/h", resources=[])
    Change.objects.bulk_create(
        [
            Change(
                resource="detainees",
                object_id=people[i % 20].pk,
                op="upsert",
                at=timezone.now(),
                document={"id": people[i % 20].pk, "name": people[i % 20].name},
                digest="",
            )
            for i in range(400)
        ]
    )
    errors = []

    def run():
        try:
            dispatcher.dispatch(limit=50)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    head = Change.objects.order_by("-seq").values_list("seq", flat=True).first()
    assert Cursor.objects.get(name="alerts").seq == head
    # 400 events: 100 for the five followed cases, 400 for the search (all match), 400 for the webhook
    assert Delivery.objects.filter(follow__kind="detainee").count() == 100
    assert Delivery.objects.filter(follow__kind="search").count() == 400
    assert Delivery.objects.filter(webhook__isnull=False).count() == 400
    assert SearchMember.objects.count() == 20
    assert Delivery.objects.filter(match="entered").count() == 0  # all were members when the search was filled
