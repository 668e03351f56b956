"""Gap-free for consumers: ten writers through the API at once and a reader polling `/api/v1/changes/?after=`; the
reader must end up with every event of the feed, each read once, in increasing seq order.

The outbox trap this guards against: if two transactions took seqs 7 and 8 and 8 committed first, a reader would
read 8, move its cursor past 7, and never see 7. Appending only under the feed's lock (an advisory transaction lock
on PostgreSQL) and committing before releasing it makes seq order commit order. SQLite runs one write at a time, so
this runs on PostgreSQL (CI's PostgreSQL pass)."""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from changes.models import Change
from changes.publisher import publish
from tests.factories import SourceFactory, UserFactory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),  # each thread's connection must see what the others committed
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="overlapping writes need PostgreSQL: SQLite runs one write at a time (its database lock)",
    ),
]
WRITERS = 10
WRITES = 8


def test_ten_writers_and_a_polling_reader_miss_no_event(monkeypatch):
    from common.throttling import SharedAnonRateThrottle

    monkeypatch.setattr(SharedAnonRateThrottle, "allow_request", lambda self, request, view: True)
    editor = UserFactory(username="feed-writer", is_staff=True, is_superuser=True)
    source = SourceFactory()
    barrier = threading.Barrier(WRITERS + 1)
    done = threading.Event()
    errors: list = []
    read: list[int] = []

    def write(n):
        client = APIClient()
        client.force_authenticate(editor)
        try:
            barrier.wait(timeout=30)
            for k in range(WRITES):
                made = client.post("/api/v1/detainees/", {"name": f"Writer{n} Person{k}", "citizenships": ["US"],
                                                         "description": "x", "sources": [source.pk],
                                                         "is_published": True}, format="json")  # fmt: skip
                assert made.status_code == 201, made.content
                edited = client.patch(f"/api/v1/detainees/{made.json()['id']}/", {"description": f"edit {k}"},
                                      format="json")  # fmt: skip
                assert edited.status_code == 200, edited.content
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    def poll():
        client, cursor = APIClient(), 0
        try:
            barrier.wait(timeout=30)
            while True:
                finished = done.is_set()  # read once more after the writers stop
                page = client.get("/api/v1/changes/", {"after": cursor, "page_size": 20}).json()
                for event in page["results"]:
                    assert event["seq"] > cursor, f"seq {event['seq']} after {cursor}: read out of order"
                    read.append(event["seq"])
                    cursor = event["seq"]
                cursor = page["cursor"]
                if finished and not page["next"]:
                    return
                time.sleep(0.005)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    writers = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    reader = threading.Thread(target=poll)
    for thread in [*writers, reader]:
        thread.start()
    for thread in writers:
        thread.join(timeout=300)
    publish()  # anything a write left for later
    done.set()
    reader.join(timeout=120)
    assert not errors, errors
    feed = list(Change.objects.order_by("seq").values_list("seq", flat=True))
    assert len(feed) >= WRITERS * WRITES  # each person at least created (an edit may fold into the same event)
    assert read == feed, f"the reader missed {sorted(set(feed) - set(read))[:10]}"
