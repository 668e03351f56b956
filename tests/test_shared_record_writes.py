"""Editors writing at once around shared records: ten patch their own cases, all citing one source and taking part in
one exchange, while another edits that source, its outlet and the exchange. No deadlock, no failed request
(PostgreSQL, real parallel clients: threads, each with its own database connection).

A write that still loses a deadlock or a serialization failure is run again (`common.conflicts`), and only when it
loses every time is it answered 503 with Retry-After and "the write conflicted with another", never "the database
is unavailable".
"""

import datetime
import threading
import time

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client

from casedocs import services
from common import conflicts
from detainees.models import Detention
from exchanges.models import ExchangeParticipant
from tests.factories import DetaineeFactory, DetentionFactory, EditorFactory, ExchangeFactory, SourceFactory

WRITERS = 10
SECONDS = 4


def deadlocks() -> int:
    """Deadlocks PostgreSQL has detected in this database so far (its statistics, flushed as transactions end)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def shared_cases():
    source = SourceFactory(title="Zqx shared report")
    exchange = ExchangeFactory(name="Zqx shared exchange")
    exchange.sources.set([source])
    detentions = []
    for n in range(WRITERS):
        person = DetaineeFactory(name=f"Zqx Writer{n}")
        person.sources.set([source])
        detention = DetentionFactory(detainee=person, held_by="RU", detained_on=datetime.date(2021, 1, 1 + n),
                                     released_on=datetime.date(2022, 12, 8), end_reason="exchanged")  # fmt: skip
        detention.sources.set([source])
        detentions.append(detention)
        ExchangeParticipant.objects.create(exchange=exchange, detainee=person, released_by="RU", received_by="US")
    services.build([d.detainee_id for d in detentions])  # stored documents for the triggers to mark
    return source, exchange, detentions


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_editors_around_one_source_never_deadlock_nor_fail():
    if connection.vendor != "postgresql":
        pytest.skip("deadlocks between real parallel transactions need PostgreSQL (SQLite has one writer)")
    source, exchange, detentions = shared_cases()
    editor = EditorFactory()
    before = deadlocks()
    failures: list[str] = []
    done: list[int] = []
    stop = time.monotonic() + SECONDS
    start = threading.Barrier(WRITERS + 1)

    def patch(client, path, body):
        response = client.patch(path, body, content_type="application/json")
        if response.status_code != 200:
            failures.append(f"PATCH {path}: {response.status_code} {response.content[:200]!r}")
        done.append(1)

    def writer(detention: Detention):
        client = Client()
        client.force_login(editor)
        start.wait()
        n = 0
        while time.monotonic() < stop:
            n += 1
            patch(client, f"/api/v1/detentions/{detention.pk}/", {"place": f"Zqx place {n}"})
            patch(client, f"/api/v1/detainees/{detention.detainee_id}/", {"description": f"Zqx {n}",
                                                                           "sources": [source.pk]})  # fmt: skip
        connections.close_all()

    def shared_editor():
        client = Client()
        client.force_login(editor)
        start.wait()
        n = 0
        while time.monotonic() < stop:
            n += 1
            patch(client, f"/api/v1/sources/{source.pk}/", {"title": f"Zqx shared report {n}"})
            patch(client, f"/api/v1/outlets/{source.outlet_id}/", {"name": f"Zqx outlet {n}"})
            patch(client, f"/api/v1/exchanges/{exchange.pk}/", {"description": f"Zqx swap {n}"})
        connections.close_all()

    threads = [threading.Thread(target=writer, args=(d,)) for d in detentions]
    threads.append(threading.Thread(target=shared_editor))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 60)
    time.sleep(1)  # each backend reports its statistics shortly after its transactions end
    found = deadlocks() - before
    assert len(done) > WRITERS, f"only {len(done)} requests ran"
    assert found == 0, f"{found} deadlocks among {len(done)} requests ({len(failures)} failed: {failures[:3]})"
    assert not failures, f"{len(failures)} of {len(done)} requests failed, e.g. {failures[:3]}"


class _Deadlock(Exception):
    pgcode = "40P01"


def _deadlock() -> OperationalError:
    error = OperationalError("deadlock detected")
    error.__cause__ = _Deadlock()
    return error


@pytest.mark.django_db
def test_a_write_that_loses_a_deadlock_is_run_again(editor_client, monkeypatch):
    person = DetaineeFactory(is_published=False)  # a draft: no source needed
    real, calls = Detention.save, []

    def loses_once(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise _deadlock()
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Detention, "save", loses_once)
    response = editor_client.post("/api/v1/detentions/", {"detainee": person.pk, "held_by": "RU",
                                  "detained_on": "2023-05-01"}, content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    assert len(calls) == 2 and Detention.objects.filter(detainee=person).count() == 1


@pytest.mark.django_db
def test_a_write_that_always_loses_says_so_with_retry_after(editor_client, monkeypatch):
    person = DetaineeFactory(is_published=False)  # a draft: no source needed
    calls = []

    def always_loses(self, *args, **kwargs):
        calls.append(1)
        raise _deadlock()

    monkeypatch.setattr(Detention, "save", always_loses)
    response = editor_client.post("/api/v1/detentions/", {"detainee": person.pk, "held_by": "RU",
                                  "detained_on": "2023-05-01"}, content_type="application/json")  # fmt: skip
    assert response.status_code == 503 and response["Retry-After"] == "1"
    assert response.json() == {"detail": conflicts.MESSAGE} and "unavailable" not in conflicts.MESSAGE
    assert len(calls) == 1 + conflicts.RETRIES and not Detention.objects.filter(detainee=person).exists()


@pytest.mark.django_db
def test_a_write_that_loses_a_deadlock_when_its_block_ends_is_run_again(editor_client, monkeypatch):
    """The conflict can come after the view answered: the end-of-block check (its locks, the commit). It is retried
    there too, not answered as 'the database is unavailable'."""
    from common import integrity

    person = DetaineeFactory(is_published=False)
    real, calls = integrity._check, []

    def outer_block_loses_once(block):  # the view's own block ends first (call 1), then the request's (call 2)
        calls.append(1)
        if len(calls) == 2:
            raise _deadlock()
        return real(block)

    monkeypatch.setattr(integrity, "_check", outer_block_loses_once)
    response = editor_client.post("/api/v1/detentions/", {"detainee": person.pk, "held_by": "RU",
                                  "detained_on": "2023-05-01"}, content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    assert len(calls) == 4 and Detention.objects.filter(detainee=person).count() == 1
