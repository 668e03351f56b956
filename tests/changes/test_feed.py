"""The change feed: marks written by the database, one publisher, `/api/v1/changes/`."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from changes.models import Change, Mark
from changes.publisher import publish
from tests.factories import (
    ChargeFactory,
    DetaineeFactory,
    DetentionFactory,
    ExchangeFactory,
    ParticipantFactory,
    SourceFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


def feed(**params) -> list[dict]:
    out, after = [], 0
    while True:
        page = APIClient().get("/api/v1/changes/", {"after": after, **params}).json()
        out += page["results"]
        after = page["cursor"]
        if not page["next"]:
            return out


def events(**params) -> set[tuple[str, int, str]]:
    return {(e["resource"], e["id"], e["op"]) for e in feed(**params)}


def test_every_write_marks_in_the_same_transaction_even_raw_sql():
    person = DetaineeFactory()
    publish()
    assert not Mark.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE detainees_detainee SET description = 'raw' WHERE id = %s", [person.pk])
    assert Mark.objects.filter(resource="detainees", object_id=person.pk).exists()
    assert ("detainees", person.pk, "upsert") in events()
    last = Change.objects.filter(resource="detainees", object_id=person.pk).last()
    assert last.document["description"] == "raw"


def test_publishing_a_draft_brings_its_whole_case_and_unpublishing_deletes_it():
    person = DetaineeFactory(is_published=False)
    detention = DetentionFactory(detainee=person)
    charge = ChargeFactory(detention=detention)
    participation = ParticipantFactory(detainee=person)
    assert not {e for e in events() if e[0] in ("detainees", "detentions", "charges", "exchange-participants")}
    before = Change.objects.count()
    person.is_published = True
    person.save()
    got = events(after=before)
    assert {("detainees", person.pk, "upsert"), ("detentions", detention.pk, "upsert"),
            ("charges", charge.pk, "upsert"), ("exchange-participants", participation.pk, "upsert"),
            ("exchanges", participation.exchange_id, "upsert")} <= got  # fmt: skip
    head = Change.objects.order_by("-seq").first().seq
    person.is_published = False
    person.save()
    got = {(e["resource"], e["id"], e["op"]) for e in feed() if e["seq"] > head}
    assert {("detainees", person.pk, "delete"), ("detentions", detention.pk, "delete"),
            ("charges", charge.pk, "delete"), ("exchange-participants", participation.pk, "delete"),
            ("exchanges", participation.exchange_id, "upsert")} <= got  # fmt: skip
    deletions = APIClient().get("/api/v1/deletions/", {"page_size": 500}).json()["results"]
    assert {(d["resource"], d["id"], d["reason"]) for d in deletions} >= {
        ("detainees", person.pk, "unpublished"), ("charges", charge.pk, "unpublished")}


def test_drafts_never_appear_not_even_their_deletion():
    draft = DetaineeFactory(is_published=False)
    DetentionFactory(detainee=draft)
    draft_id = draft.pk
    draft.delete()
    assert not [e for e in feed() if e["resource"] in ("detainees", "detentions") and e["id"] == draft_id]


def test_an_unchanged_rendering_appends_nothing():
    person = DetaineeFactory()
    publish()
    head = Change.objects.count()
    Mark.objects.create(resource="+detainees", object_id=person.pk)
    publish()
    assert Change.objects.count() == head


def test_a_source_edit_reorders_the_lists_that_cite_it():
    old, new = SourceFactory(published_on="2020-01-01"), SourceFactory(published_on="2021-01-01")
    detention = DetentionFactory()
    detention.sources.set([old, new])
    publish()
    head = Change.objects.order_by("-seq").first().seq
    old.published_on = "2022-01-01"
    old.save()
    got = {(e["resource"], e["id"]) for e in feed(after=head)}
    assert {("sources", old.pk), ("detentions", detention.pk), ("detainees", detention.detainee_id)} <= got
    document = Change.objects.filter(resource="detentions", object_id=detention.pk).last().document
    assert document["sources"] == [old.pk, new.pk]


def test_removing_a_participant_changes_the_exchange_and_deleting_a_cited_source_the_citer():
    exchange = ExchangeFactory()
    one = ParticipantFactory(exchange=exchange)
    ParticipantFactory(exchange=exchange)
    one_id = one.pk
    cited = SourceFactory()
    detention = DetentionFactory()
    detention.sources.add(cited)
    publish()
    head = Change.objects.order_by("-seq").first().seq
    one.delete()
    assert {("exchange-participants", one_id, "delete"), ("exchanges", exchange.pk, "upsert")} <= events(after=head)
    head = Change.objects.order_by("-seq").first().seq
    cited_id = cited.pk
    cited.delete()
    assert {("sources", cited_id, "delete"), ("detentions", detention.pk, "upsert")} <= events(after=head)
    assert Change.objects.filter(resource="detentions", object_id=detention.pk).last().document["sources"] == []


def test_unpublishing_an_exchange_deletes_its_participants_and_changes_its_statements():
    exchange = ExchangeFactory()
    participant = ParticipantFactory(exchange=exchange)
    statement = StatementFactory()
    statement.exchanges.add(exchange)
    statement.detainees.add(participant.detainee)
    publish()
    head = Change.objects.order_by("-seq").first().seq
    exchange.is_published = False
    exchange.save()
    got = events(after=head)
    assert {("exchanges", exchange.pk, "delete"), ("exchange-participants", participant.pk, "delete"),
            ("statements", statement.pk, "upsert")} <= got  # fmt: skip
    assert Change.objects.filter(resource="statements", object_id=statement.pk).last().document["exchanges"] == []


def test_resource_filter_documents_inline_and_bad_input():
    person = DetaineeFactory(name="Inline Person")
    page = APIClient().get("/api/v1/changes/", {"resource": "detainees", "documents": "true"}).json()
    [item] = [e for e in page["results"] if e["id"] == person.pk]
    assert item["document"]["name"] == "Inline Person"
    assert item["document"]["url"].startswith("http://testserver/api/v1/detainees/")
    assert {e["resource"] for e in page["results"]} == {"detainees"}
    api = APIClient()
    assert api.get("/api/v1/changes/", {"after": "x"}).status_code == 400
    assert "resource" in api.get("/api/v1/changes/", {"resource": "people"}).json()
    assert "afterr" in api.get("/api/v1/changes/", {"afterr": 1}).json()
    assert "documents" in api.get("/api/v1/changes/", {"documents": "maybe"}).json()


def test_the_cursor_pages_through_without_repeats():
    for _ in range(5):
        DetaineeFactory()
    all_seqs = [e["seq"] for e in feed(page_size=2)]
    assert all_seqs == sorted(set(all_seqs)) and len(all_seqs) >= 5


def test_a_cursor_beyond_any_seq_is_a_400_not_a_database_error():
    api = APIClient()
    for path in ("/api/v1/changes/", "/api/v1/deletions/"):
        response = api.get(path, {"after": "9" * 30})
        assert response.status_code == 400 and "after" in response.json(), path
        assert api.get(path, {"after": "-1"}).status_code == 400


def test_publish_changes_drains_bulk_writes_and_daily_marks_the_people_still_held(capsys):
    from django.core.management import call_command

    from detainees.models import Detainee

    held = DetentionFactory(released_on=None).detainee
    released = DetentionFactory(released_on="2023-01-01", end_reason="released").detainee
    Detainee.objects.bulk_create([Detainee(name=f"Bulk {n}", slug=f"bulk-{n}", citizenships=["US"],
                                           is_published=True) for n in range(3)])  # fmt: skip
    call_command("publish_changes")
    assert "Published" in capsys.readouterr().out and not Mark.objects.exists()
    assert Change.objects.filter(resource="detainees", document__name__startswith="Bulk").count() == 3
    call_command("publish_changes", "--daily")
    assert "1 people marked for the day" in capsys.readouterr().out
    assert not Mark.objects.exists()  # marked and consumed; the same day renders the same: no event
    from changes.publisher import mark_daily

    mark_daily()
    assert set(Mark.objects.values_list("object_id", flat=True)) == {held.pk}
    assert released.pk not in set(Mark.objects.values_list("object_id", flat=True))


def test_deletions_cover_every_list_even_without_history_rows():
    """Issue 23: deletions of claims, groups, sentence changes and participants never reached /deletions/, nor a
    charge deleted without a history row. Every list is covered now, whatever deleted the record."""
    import datetime

    from detainees.models import Group, SentenceChange
    from sources.models import Claim
    from tests.factories import SentenceFactory

    group = Group.objects.create(name="Deleted Group", kind="armed_group")
    participant = ParticipantFactory()
    change = SentenceChange.objects.create(sentence=SentenceFactory(), kind="reduced",
                                           changed_on=datetime.date(2023, 1, 1))  # fmt: skip
    claim = Claim.objects.create(record=participant.detainee, field="born_on", value="1970", source=SourceFactory())
    charge = ChargeFactory()
    publish()
    gone = {("groups", group.pk), ("exchange-participants", participant.pk), ("sentence-changes", change.pk),
            ("claims", claim.pk), ("charges", charge.pk)}  # fmt: skip
    group.delete()
    participant.delete()
    change.delete()
    claim.delete()
    with connection.cursor() as cursor:  # no history row, no signal: only the database sees it
        cursor.execute("DELETE FROM detainees_charge_sources WHERE charge_id = %s", [charge.pk])
        cursor.execute("DELETE FROM detainees_charge WHERE id = %s", [charge.pk])
    rows = APIClient().get("/api/v1/deletions/", {"page_size": 500}).json()["results"]
    assert gone <= {(r["resource"], r["id"]) for r in rows}
    assert all(r["reason"] == "deleted" for r in rows if (r["resource"], r["id"]) in gone)
    only = APIClient().get("/api/v1/deletions/", {"resource": "claims"}).json()["results"]
    assert [(r["resource"], r["id"]) for r in only] == [g for g in gone if g[0] == "claims"]
