"""Rules that hold when writes overlap: real parallel clients against PostgreSQL (issue 22, items 1 and 2).

Each request runs in a thread of its own, with its own database connection, through the whole stack (middleware,
the `checked_writes()` block, DRF); a `threading.Barrier` lines them up so that they overlap. Sequential calls
cannot show write skew or a lost update, and SQLite serializes every write with its database lock, so these run on
PostgreSQL only (CI's PostgreSQL pass).
"""

import functools
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from common.integrity import verify
from detainees.models import Detention
from sources.models import Source
from tests.factories import DetaineeFactory, DetentionFactory, ExchangeFactory, SourceFactory, UserFactory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),  # each thread's connection must see what the test wrote
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="overlapping writes need PostgreSQL: SQLite runs one write at a time (its database lock)",
    ),
]


@pytest.fixture
def token():
    return Token.objects.create(user=UserFactory(username="racer", is_staff=True, is_superuser=True)).key


def race(token: str, *requests) -> list:
    """Send `requests` ((method, url, body, headers)) at once, one thread and one connection each; the responses,
    in order (an exception where a request raised one)."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def send(position, method, url, body, headers):
        client = APIClient()
        if headers.pop("admin", False):  # an editor's browser: session, form-encoded body
            client.force_login(Token.objects.get(key=token).user)
            send_it = functools.partial(getattr(client, method), url, body, format="multipart")
        else:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}", **headers)
            send_it = functools.partial(getattr(client, method), url, body, format="json")
        try:
            barrier.wait(timeout=30)
            results[position] = send_it()
        except Exception as error:  # reported by the test
            results[position] = error
        finally:
            connection.close()  # the thread's own connection

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def codes(responses) -> list:
    return [getattr(r, "status_code", r) for r in responses]


class Case:
    """Two published people, each with a detention; one has its stored documents built, as on a live site after a
    first visit (the triggers that mark them take row locks of their own), the other not. `cite_two()` makes the
    next attempt's detention cite two fresh sources S1 and S2, and nothing else."""

    def __init__(self):
        from casedocs.services import build

        self.outlet = SourceFactory().outlet
        self.detentions = []
        for stored in (False, True):
            person = DetaineeFactory()
            person.sources.add(SourceFactory(outlet=self.outlet))
            self.detentions.append(DetentionFactory(detainee=person))
            self.detentions[-1].sources.add(SourceFactory(outlet=self.outlet))
            if stored:
                build([person.pk])

    def cite_two(self, attempt: int):
        detention = self.detentions[attempt % 2]
        first, second = SourceFactory(outlet=self.outlet), SourceFactory(outlet=self.outlet)
        detention.sources.set([first, second])  # outside any block: the detention is sourced either way
        return detention, first, second


TRIES = 50  # the count: 0 of 50 tries may leave an unsourced fact


def test_deleting_both_sources_of_a_published_fact_at_once_deletes_one_at_most(token):
    """Two deletions of the two sources of a published detention: one is refused (400), never both done. Every
    third attempt the first deletion is an editor's in the admin (302 when done), the other door to the same rule."""
    case = Case()
    for attempt in range(TRIES):
        detention, first, second = case.cite_two(attempt)
        by_admin = attempt % 3 == 2
        responses = race(
            token,
            ("post", reverse("admin:sources_source_delete", args=[first.pk]), {"post": "yes"}, {"admin": True})
            if by_admin
            else ("delete", reverse("api:source-detail", args=[first.pk]), None, {}),
            ("delete", reverse("api:source-detail", args=[second.pk]), None, {}),
        )
        statuses = codes(responses)
        allowed = ([302, 400], [204, 400]) if by_admin else ([204, 400],)  # the admin answers 302 when done
        assert sorted(statuses) in allowed, (attempt, statuses)
        assert Detention.objects.get(pk=detention.pk).sources.exists(), attempt
        refused = next(r for r in responses if r.status_code == 400)
        assert "cites no source" in refused.content.decode(), refused.content
        assert verify(None) == []


def test_replacing_a_facts_sources_while_one_is_deleted_never_leaves_it_unsourced(token):
    """PATCH detention {"sources": [S2]} racing DELETE S2: whichever commits first wins, the other is refused with
    a 4xx naming the sources (the PATCH: S2 no longer exists; the DELETE: the detention would cite nothing); never
    a published detention citing nothing, never a 500 (the foreign key failing at commit)."""
    case = Case()
    for attempt in range(TRIES):
        detention, first, second = case.cite_two(attempt)
        responses = race(token,
                         ("patch", reverse("api:detention-detail", args=[detention.pk]), {"sources": [second.pk]}, {}),
                         ("delete", reverse("api:source-detail", args=[second.pk]), None, {}))  # fmt: skip
        patched, deleted = codes(responses)
        assert (patched, deleted) in {(200, 400), (400, 204), (409, 204)}, (
            attempt, patched, deleted, [getattr(r, "content", r) for r in responses])  # fmt: skip
        if patched == 200:  # the deletion, refused as any deletion of a fact's last source is
            assert "cites no source" in str(responses[1].json()), responses[1].json()
        else:
            assert "sources" in responses[0].json(), responses[0].json()
        cited = set(Detention.objects.get(pk=detention.pk).sources.values_list("pk", flat=True))
        assert cited == ({second.pk} if patched == 200 else {first.pk}), (attempt, patched, deleted, cited)
        assert Source.objects.filter(pk=second.pk).exists() == (deleted != 204)
        assert verify(None) == []


def etag_of(url: str, token: str) -> str:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get(url)
    assert response.status_code == 200
    return response["ETag"]


WRITERS = 10


TRIALS = 50  # the count: exactly one 200 in each of 50 trials


def test_if_match_lets_exactly_one_of_ten_parallel_patches_through(token):
    """Ten editors PATCH the same case with the ETag they all loaded: one 200, nine 412, every trial; the case
    holds the winner's text (no update lost). The detainee's ETag covers its nested detentions too."""
    source = SourceFactory()
    person = DetaineeFactory()
    person.sources.add(source)
    DetentionFactory(detainee=person).sources.add(source)
    url = reverse("api:detainee-detail", args=[person.pk])
    for trial in range(TRIALS):
        etag = etag_of(url, token)
        responses = race(token, *[("patch", url, {"description": f"trial {trial} writer {w}"}, {"HTTP_IF_MATCH": etag})
                                  for w in range(WRITERS)])  # fmt: skip
        statuses = codes(responses)
        assert sorted(statuses) == [200] + [412] * (WRITERS - 1), (trial, statuses)
        winner = statuses.index(200)
        person.refresh_from_db()
        assert person.description == f"trial {trial} writer {winner}"


def test_if_match_is_compare_and_write_on_every_resource(token):
    """The same on the other kinds of record: a record inside a case, a shared record, the other kind of case."""
    source = SourceFactory()
    person = DetaineeFactory()
    person.sources.add(source)
    detention = DetentionFactory(detainee=person)
    detention.sources.add(source)
    exchange = ExchangeFactory()
    exchange.sources.add(source)
    for resource, target, field in [("detention", detention, "place"), ("source", source, "summary"),
                                    ("exchange", exchange, "description")]:  # fmt: skip
        url = reverse(f"api:{resource}-detail", args=[target.pk])
        for trial in range(4):
            etag = etag_of(url, token)
            responses = race(token, *[("patch", url, {field: f"trial {trial} writer {w}"}, {"HTTP_IF_MATCH": etag})
                                      for w in range(5)])  # fmt: skip
            statuses = codes(responses)
            assert sorted(statuses) == [200, 412, 412, 412, 412], (resource, trial, statuses)
            target.refresh_from_db()
            assert getattr(target, field) == f"trial {trial} writer {statuses.index(200)}"
