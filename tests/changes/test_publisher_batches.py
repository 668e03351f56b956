"""The publisher's batches: it reads a window of marks, also takes every mark already visible on the records it is
about to render (the duplicates every write leaves), and deletes exactly the marks it read, so a mark written while
a batch renders stays for the next batch and its change is published."""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from changes import publisher
from changes.models import Change, Mark
from tests.factories import DetaineeFactory, DetentionFactory

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def last_description(pk):
    return Change.objects.filter(resource="detainees", object_id=pk).order_by("-seq").first().document["description"]


def write_during_render(monkeypatch, write):
    """Make the first render of `detainees` run `write()` first (after the batch has read its marks)."""
    real, done = publisher.render, []

    def render(resource, ids, request=None):
        if resource == "detainees" and not done:
            done.append(True)
            write()
        return real(resource, ids, request)

    monkeypatch.setattr(publisher, "render", render)


def assert_kept_for_the_next_batch(person):
    left_after_first = []
    publisher.publish(on_batch=lambda consumed, events: left_after_first.append(
        Mark.objects.filter(resource="detainees", object_id=person.pk).count()))  # fmt: skip
    assert left_after_first[0] >= 1  # the mark written during the render survived the first batch's delete
    assert len(left_after_first) == 2 and left_after_first[1] == 0  # and the second batch consumed it
    assert last_description(person.pk) == "written during the render"


@pytest.mark.django_db
def test_a_mark_written_during_the_render_in_the_same_transaction_is_not_lost(monkeypatch):
    person = DetaineeFactory(description="before")
    DetentionFactory(detainee=person)

    def write():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE detainees_detainee SET description = 'written during the render' WHERE id = %s",
                           [person.pk])  # fmt: skip

    write_during_render(monkeypatch, write)
    assert_kept_for_the_next_batch(person)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="another connection writing during the render needs PostgreSQL")
def test_a_mark_committed_by_another_connection_during_the_render_is_not_lost(monkeypatch):
    person = DetaineeFactory(description="before")
    DetentionFactory(detainee=person)

    def write():  # another connection commits while the batch renders; READ COMMITTED shows it to a later DELETE
        errors = []

        def other():
            try:
                with connections["default"].cursor() as cursor:
                    cursor.execute("UPDATE detainees_detainee SET description = 'written during the render' "
                                   "WHERE id = %s", [person.pk])  # fmt: skip
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                connections["default"].close()

        thread = threading.Thread(target=other)
        thread.start()
        thread.join(timeout=30)
        assert not errors and not thread.is_alive()

    write_during_render(monkeypatch, write)
    assert_kept_for_the_next_batch(person)


@pytest.mark.django_db
def test_one_batch_consumes_every_duplicate_and_the_marks_of_the_records_it_renders():
    people = [DetaineeFactory() for _ in range(3)]
    detentions = [DetentionFactory(detainee=person) for person in people]
    for round_ in range(4):  # each save marks the record again
        for person in people:
            person.description = f"round {round_}"
            person.save()
    for detention in detentions:
        detention.save()
    assert Mark.objects.count() > 3 * 5
    batches = []
    publisher.publish(on_batch=lambda consumed, events: batches.append(consumed))
    assert len(batches) == 1 and not Mark.objects.exists()
    assert {last_description(person.pk) for person in people} == {"round 3"}
    assert Change.objects.filter(resource="detentions").count() == 3


@pytest.mark.django_db
def test_duplicates_beyond_the_window_are_consumed_with_it(monkeypatch):
    monkeypatch.setattr(publisher, "WINDOW", 2)
    person = DetaineeFactory()
    other = DetaineeFactory()
    for n in range(5):
        person.description = f"edit {n}"
        person.save()
    Mark.objects.all().delete()
    Mark.objects.bulk_create([Mark(resource="detainees", object_id=other.pk)]
                             + [Mark(resource="detainees", object_id=person.pk) for _ in range(4)])  # fmt: skip
    batches = []
    publisher.publish(on_batch=lambda consumed, events: batches.append(consumed))
    assert batches == [5] and not Mark.objects.exists()  # 2 read, then the 3 other marks of `person`
