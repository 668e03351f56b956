"""Hostile input and overlapping writes get a clear 400, 404 or 409 naming what is wrong, never a 500."""

import base64
import json
import threading

import pytest
from django.db import connection, connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from common.api import FastJSONRenderer
from detainees.models import Detainee, Sentence
from sources.models import Source
from tests.factories import (
    ChargeFactory,
    DetaineeFactory,
    DetentionFactory,
    ExchangeFactory,
    SentenceFactory,
    SourceFactory,
)
from tests.hypothesis_profiles import examples

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a race between transactions needs PostgreSQL (SQLite locks the file)"
)


@pytest.fixture
def editor_api(editor):
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    return client


@pytest.fixture
def anonymous():
    return APIClient(raise_request_exception=False)


def raw_post(client, path, body: str, method="post"):
    """A body written by hand: the JSON escape `\\ud800` is valid JSON text that decodes to a lone surrogate."""
    return getattr(client, method)(path, data=body.encode(), content_type="application/json")


# ---- lone surrogates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "body", "field"),
    [
        ("detentions", '{"end_reason": "\\ud800"}', "end_reason"),  # a choice: its error echoed the value
        ("sources", '{"language": "\\ud800", "title": "T"}', "language"),
        ("detainees", '{"name": "N", "citizenships": ["\\ud800"]}', "citizenships"),
        ("exchanges", '{"name": "E", "counts": [{"number": 1, "released_by": "\\ud800"}]}', "counts"),
        ("outlets", '{"name": "O", "\\ud800": 1}', "\ufffd"),  # even as a key
    ],
)
def test_a_lone_surrogate_in_a_json_body_is_a_400_naming_the_field(editor_api, endpoint, body, field):
    response = raw_post(editor_api, f"/api/v1/{endpoint}/", body)
    assert response.status_code == 400
    errors = json.loads(response.content.decode("utf-8"))  # valid UTF-8 and JSON
    assert field in errors
    assert "lone surrogate" in errors[field][0]


def test_a_lone_surrogate_in_a_patch_is_a_400_and_changes_nothing(editor_api):
    detention = DetentionFactory(end_reason="")
    response = raw_post(editor_api, f"/api/v1/detentions/{detention.pk}/", '{"end_reason": "\\ud800"}', "patch")
    assert response.status_code == 400
    assert "end_reason" in response.json()


def test_the_renderer_writes_a_lone_surrogate_it_is_given_as_a_replacement_character():
    rendered = FastJSONRenderer().render({"name": ['"\ud800" is not a valid choice.']})
    assert json.loads(rendered) == {"name": ['"\ufffd" is not a valid choice.']}


def test_a_cursor_holding_a_lone_surrogate_is_a_400(anonymous):
    DetaineeFactory.create_batch(2, is_published=True)
    token = base64.urlsafe_b64encode(json.dumps({"d": "next", "k": ["name", "id"], "v": ["\ud800", 1]}).encode())
    response = anonymous.get("/api/v1/detainees/", {"ordering": "name", "cursor": token.decode().rstrip("=")})
    assert response.status_code == 400
    assert "cursor" in response.json()


# ---- numbers and dates beyond range ------------------------------------------------------------


@pytest.mark.parametrize("client_name", ["anonymous", "editor_api"])
def test_a_detainee_id_beyond_the_database_integers_is_404(request, settings, client_name):
    settings.CASE_DOCUMENTS = True  # anonymous details are read from the stored documents by id
    client = request.getfixturevalue(client_name)
    for path in ("/api/v1/detainees/9223372036854775808/", "/api/v1/detainees/99999999999999999999999/"):
        assert client.get(path).status_code == 404
        assert client.head(path).status_code == 404


@pytest.mark.parametrize("endpoint", ["detainees", "detentions"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "9999-12-30"])
def test_held_on_at_the_ends_of_the_calendar_is_an_answer(anonymous, endpoint, day):
    DetentionFactory(detainee=DetaineeFactory(is_published=True))
    response = anonymous.get(f"/api/v1/{endpoint}/", {"held_on": day})
    assert response.status_code == 200
    assert response.json()["count"] == (1 if day.startswith("9999") else 0)  # held since 2022, never released


# ---- nested rows and related ids ---------------------------------------------------------------


def test_a_count_patched_without_its_number_is_a_400_naming_it(editor_api):
    exchange = ExchangeFactory()
    response = editor_api.patch(f"/api/v1/exchanges/{exchange.pk}/", {"counts": [{"released_by": "US"}]},
                                format="json")  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {"counts": {"0": {"number": ["This field is required."]}}}  # DRF's form, in a PATCH
    assert exchange.counts.count() == 0


def test_a_participant_patched_without_the_person_is_a_400_naming_it(editor_api):
    exchange = ExchangeFactory()
    response = editor_api.patch(f"/api/v1/exchanges/{exchange.pk}/", {"participants": [{"released_by": "US"}]},
                                format="json")  # fmt: skip
    assert response.status_code == 400
    assert response.json() == {"participants": {"0": {"detainee": ["This field is required."]}}}


@pytest.mark.parametrize("bad", [3.7, 3.0, True, "3", 9223372036854775808, 0])
def test_a_related_id_that_is_not_a_whole_number_is_a_400_and_moves_nothing(editor_api, bad):
    sentence = SentenceFactory()
    before = sentence.detention_id
    DetentionFactory.create_batch(3)  # ids 1..n exist, so truncating 3.7 would find a record
    response = editor_api.patch(f"/api/v1/sentences/{sentence.pk}/", {"detention": bad}, format="json")
    assert response.status_code == 400
    assert "whole number" in response.json()["detention"][0]
    sentence.refresh_from_db()
    assert sentence.detention_id == before


def test_a_list_of_related_ids_must_hold_whole_numbers(editor_api):
    charge = ChargeFactory(detention=DetentionFactory(detainee=DetaineeFactory(is_published=False)))
    source = SourceFactory()
    response = editor_api.patch(f"/api/v1/charges/{charge.pk}/", {"sources": [source.pk + 0.5]}, format="json")
    assert response.status_code == 400
    assert "whole number" in response.json()["sources"][0]
    ok = editor_api.patch(f"/api/v1/charges/{charge.pk}/", {"sources": [source.pk]}, format="json")
    assert ok.status_code == 200, ok.content


# ---- overlapping writes ------------------------------------------------------------------------


def in_threads(count: int, work) -> list:
    """Run `work(i)` in `count` threads started together, each with its own database connection."""
    barrier, results = threading.Barrier(count), [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_with_the_same_name_all_get_their_own_slug(superuser):
    key = Token.objects.create(user=superuser).key  # a flushed database has no Editors group

    def create(i):
        client = APIClient(raise_request_exception=False)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client.post("/api/v1/detainees/", {"name": "Ivan Petrov"}, format="json").status_code

    statuses = in_threads(8, create)
    assert statuses == [201] * 8
    slugs = list(Detainee.objects.filter(name="Ivan Petrov").values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == 8
    assert "ivan-petrov" in slugs


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_patch_citing_a_source_deleted_meanwhile_is_a_409_not_a_500(superuser):
    """The PATCH checks that the source exists, then the DELETE commits, then the PATCH writes its citation: the
    foreign key fails only at the PATCH's commit. The interleaving is forced (the PATCH waits, at the moment it
    adds the citation, until the DELETE has committed or five seconds have passed)."""
    from django.db.models.signals import m2m_changed

    from detainees.models import Detention

    key = Token.objects.create(user=superuser).key
    detention = DetentionFactory(detainee=DetaineeFactory(is_published=False))
    doomed = SourceFactory()
    validated, deleted = threading.Event(), threading.Event()
    patcher = {}

    def hold(sender, action, **kwargs):
        if action == "pre_add" and threading.get_ident() == patcher.get("id"):
            validated.set()
            deleted.wait(5)

    m2m_changed.connect(hold, sender=Detention.sources.through, dispatch_uid="hold-the-patch")
    try:

        def work(i):
            client = APIClient(raise_request_exception=False)
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            if i == 0:
                patcher["id"] = threading.get_ident()
                return client.patch(f"/api/v1/detentions/{detention.pk}/", {"sources": [doomed.pk]}, format="json")
            validated.wait(5)
            try:
                return client.delete(f"/api/v1/sources/{doomed.pk}/")
            finally:
                deleted.set()

        patched, removed = in_threads(2, work)
    finally:
        m2m_changed.disconnect(dispatch_uid="hold-the-patch", sender=Detention.sources.through)
    # Either the PATCH loses at its commit (409, nothing saved), or, where the citing write holds the source (the lock
    # `common.integrity` takes on a source about to be cited), the DELETE waits for it and then takes the citation
    # with the source. Never a 500, and never a citation of a source that is gone.
    assert removed.status_code == 204
    assert patched.status_code in (200, 409), patched.content
    if patched.status_code == 409:
        assert "nothing was saved" in patched.json()["detail"]
    assert not Source.objects.filter(pk=doomed.pk).exists()
    assert not detention.sources.exists()
    assert not Detention.objects.get(pk=detention.pk).sources.exists()


# ---- fuzz --------------------------------------------------------------------------------------

HOSTILE_TEXT = st.sampled_from(["\ud800", "a\udfffb", "\x00", "9" * 40, "-1", "", " ", "%", "1,\ud800"])
HOSTILE_NUMBER = st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**30, 3.7, -0.0, 1e308, True])
HOSTILE_DATE = st.sampled_from(["9999-12-31", "0001-01-01", "0000-00-00", "10000-01-01", "2024-02-30",
                                "9999-12-31T23:59:59-15:59", "0001-01-01T00:00:00+15:59"])  # fmt: skip
HOSTILE = st.one_of(HOSTILE_TEXT, HOSTILE_NUMBER, HOSTILE_DATE, st.lists(HOSTILE_TEXT | HOSTILE_NUMBER, max_size=2))

QUERIES = {  # a sample of endpoints and the parameters they take
    "detainees": ["id", "q", "citizenship", "held_on", "held_by_group", "detained_from", "exchange", "updated_since",
                  "page", "page_size", "cursor", "ordering", "fields"],
    "detentions": ["detainee", "held_on", "detained_to", "end_reason", "updated_since"],
    "exchanges": ["year", "date_from", "status", "country", "detainee", "updated_since", "cursor"],
    "sources": ["outlet", "published_from", "detainee", "q", "ordering"],
    "statements": ["said_from", "official", "detainee", "cursor"],
}  # fmt: skip
BODIES = {
    "detainees": ["name", "born_on", "born_on_precision", "citizenships", "aliases", "is_published", "wikidata_id"],
    "detentions": ["detainee", "held_by", "detained_on", "released_on", "end_reason", "sources"],
    "sentences": ["detention", "charges", "term_months", "fine_amount", "sentenced_on", "sources"],
    "exchanges": ["name", "date", "participants", "counts", "mediators", "sources"],
    "sources": ["title", "url", "outlet", "published_on", "language"],
}


def query_value(value) -> str:
    """A query value as a hostile client sends it: text percent-encoded as UTF-8, lone surrogates included."""
    text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    return "".join(f"%{b:02X}" for b in text.encode("utf-8", "surrogatepass"))


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_queries_and_bodies_never_answer_500(editor_api, anonymous, data):
    if not Sentence.objects.exists():  # one of each record, once per test
        SentenceFactory(detention=DetentionFactory(detainee=DetaineeFactory(is_published=True)))
        ExchangeFactory()
    endpoint = data.draw(st.sampled_from(sorted(QUERIES)), "endpoint")
    params = data.draw(st.dictionaries(st.sampled_from(QUERIES[endpoint]), HOSTILE, min_size=1, max_size=3))
    query = "&".join(f"{name}={query_value(value)}" for name, value in params.items())
    for client in (anonymous, editor_api):
        response = client.get(f"/api/v1/{endpoint}/?{query}")
        assert response.status_code < 500, (endpoint, query, response.content[:300])

    endpoint = data.draw(st.sampled_from(sorted(BODIES)), "body endpoint")
    body = data.draw(st.dictionaries(st.sampled_from(BODIES[endpoint]), HOSTILE, min_size=1, max_size=3))
    text = json.dumps(body)  # lone surrogates are written as \\udXXX escapes, as a hostile client may
    path = f"/api/v1/{endpoint}/"
    response = raw_post(editor_api, path, text)
    assert response.status_code < 500, (path, text, response.content[:300])
    first = editor_api.get(path).json()["results"]
    if first:
        response = raw_post(editor_api, f"{path}{first[0]['id']}/", text, "patch")
        assert response.status_code < 500, (path, text, response.content[:300])
