"""The case locked once per write, and again only when a savepoint rolled back may have released the lock (issue 21,
item 5): the published-means-sourced check never reads a case another transaction can change before this one
commits. On PostgreSQL a second connection probes the row lock (`NOWAIT`) at the moment the check reads."""

import threading
from contextlib import nullcontext

import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from common import integrity
from common.integrity import checked_writes
from detainees.models import Detainee
from tests.factories import DetaineeFactory, SourceFactory

POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


class Boom(Exception):
    pass


def published_person() -> Detainee:
    person = DetaineeFactory(is_published=True)
    person.sources.add(SourceFactory())
    return person


def probe(pk: int) -> str:
    """From another connection: "locked" when a transaction holds the person's row lock, else "free"."""
    answer = []

    def run():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT id FROM detainees_detainee WHERE id = %s FOR NO KEY UPDATE NOWAIT", [pk])
            answer.append("free")
        except OperationalError:
            answer.append("locked")
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    return answer[0]


def edit(person, text: str, *, roll_back_first: bool, nested: bool) -> list[str]:
    """Save the person in a checked block (after a save rolled back to its savepoint, if asked), inside another
    (the API's inside the request's) if `nested`; what the probe saw each time the check read, and the lock
    statements sent."""
    seen = []
    original = integrity._run_rules

    def reading(cases):
        if cases:
            seen.append(probe(person.pk))
        return original(cases)

    integrity._run_rules = reading
    try:
        with CaptureQueriesContext(connection) as queries, checked_writes() if nested else nullcontext(), \
                checked_writes():  # fmt: skip
            if roll_back_first:
                try:
                    with transaction.atomic():  # the lock taken in here goes with the savepoint
                        person.description = f"{text} (abandoned)"
                        person.save()
                        assert probe(person.pk) == "locked"
                        raise Boom
                except Boom:
                    pass
                assert probe(person.pk) == "free"  # released: the block's note of it is out of date
            else:
                person.description = text
                person.save()
    finally:
        integrity._run_rules = original
    locks = [q["sql"] for q in queries.captured_queries if "FOR NO KEY UPDATE" in q["sql"]]
    return seen, locks


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not POSTGRES, reason="row locks: PostgreSQL")
@pytest.mark.parametrize("nested", [True, False], ids=["inside-another-block", "outermost"])
def test_a_write_locks_its_case_once_and_the_check_reads_it_locked(nested):
    person = published_person()
    seen, locks = edit(person, "Edited", roll_back_first=False, nested=nested)
    assert seen == ["locked"]  # the check reads under the lock the save took
    assert len(locks) == 1, locks  # was 2 inside another block (the API's in the request's): locked again


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not POSTGRES, reason="row locks: PostgreSQL")
@pytest.mark.parametrize("nested", [True, False], ids=["inside-another-block", "outermost"])
def test_after_a_savepoint_rolled_back_the_check_locks_the_case_again(nested):
    person = published_person()
    seen, locks = edit(person, "Edited", roll_back_first=True, nested=nested)
    # Locked again before the read, though the block had noted it locked. (The outermost block's check locked
    # nothing before: it asked for the block open, and when a block ends it is no longer open.)
    assert seen == ["locked"]
    assert len(locks) == 2, locks


@pytest.mark.django_db
def test_the_block_knows_a_rolled_back_savepoint_may_have_taken_its_lock():
    """On every database: what the block believes it holds (SQLite has no row locks, but the same bookkeeping)."""
    person = published_person()
    with checked_writes() as block:
        person.save()
        key = ("detainees.detainee", person.pk)
        assert block.holds(key)
        with transaction.atomic():  # a savepoint released, not rolled back: the lock stays
            pass
        assert block.holds(key)
        try:
            with transaction.atomic():
                raise Boom
        except Boom:
            pass
        assert not block.holds(key)
        person.save()  # locked again
        assert block.holds(key)


@pytest.mark.django_db
def test_a_wrapper_of_the_callers_own_leaves_the_counter_in_place():
    person = published_person()
    seen = []
    with checked_writes() as block:
        with connection.execute_wrapper(lambda execute, *args: seen.append(1) or execute(*args)):
            person.save()  # the counter installed inside the caller's wrapper block
        try:
            with transaction.atomic():
                raise Boom
        except Boom:
            pass
        assert not block.holds(("detainees.detainee", person.pk))
    assert seen
