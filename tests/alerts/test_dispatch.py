"""The dispatcher: which feed events become deliveries for which follows and webhooks."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts import dispatch as dispatcher
from alerts.models import Account, Cursor, Delivery, Follow, SearchMember
from alerts.services import create_follow, create_webhook
from changes.models import Change
from tests.alerts.helpers import publish
from tests.factories import ChargeFactory, DetaineeFactory, DetentionFactory, ExchangeFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def reader(name="reader"):
    user = get_user_model().objects.create_user(
        username=f"{name}@example.org", email=f"{name}@example.org", password="correct-horse-battery"
    )
    Account.objects.create(user=user, email_confirmed=user.email, confirmed_at=timezone.now())
    return user


def delivered(**filters):
    return list(Delivery.objects.filter(**filters).order_by("seq").values_list("resource", "object_id", "op", "match"))


def test_a_followed_case_gets_its_events_and_its_childrens_from_the_follow_on():
    person, other = DetaineeFactory(), DetaineeFactory()
    detention = DetentionFactory(detainee=person)
    publish("detainees", person.pk)  # before the follow: not sent
    follow = create_follow(user=reader(), kind="detainee", object_id=person.pk, label=person.name)
    publish("detainees", person.pk)
    publish("detainees", other.pk)
    publish("detentions", detention.pk)  # names the case in its document
    publish("detentions", detention.pk, op="delete")  # matched through the last document published for it
    publish("detainees", person.pk, op="delete")
    assert dispatcher.dispatch() == 5  # the one before the follow is passed over unread (`first_wanted`)
    assert delivered(follow=follow) == [
        ("detainees", person.pk, "upsert", ""),
        ("detentions", detention.pk, "upsert", ""),
        ("detentions", detention.pk, "delete", ""),
        ("detainees", person.pk, "delete", ""),
    ]
    assert Cursor.objects.get(name="alerts").seq == Change.objects.order_by("-seq").first().seq


def test_dispatching_twice_sends_nothing_twice_and_a_moved_cursor_rolls_the_batch_back(monkeypatch):
    person = DetaineeFactory()
    create_follow(user=reader(), kind="detainee", object_id=person.pk, label=person.name)
    publish("detainees", person.pk)
    real = dispatcher.make_deliveries

    def race(changes):  # another dispatcher commits the same batch meanwhile
        made = real(changes)
        Cursor.objects.filter(name="alerts").update(seq=changes[-1].seq)
        return made

    monkeypatch.setattr(dispatcher, "make_deliveries", race)
    with pytest.raises(dispatcher.CursorMoved):
        dispatcher.dispatch_batch()
    assert Delivery.objects.count() == 0  # rolled back with the batch
    monkeypatch.setattr(dispatcher, "make_deliveries", real)
    Cursor.objects.filter(name="alerts").update(seq=0)
    assert dispatcher.dispatch() == 1
    assert dispatcher.dispatch() == 0
    Cursor.objects.filter(name="alerts").update(seq=0)  # even read again, each event is delivered once
    dispatcher.dispatch()
    assert Delivery.objects.count() == 1


def test_a_saved_search_says_entered_matches_and_left_once():
    russia = DetentionFactory(held_by="RU").detainee
    ChargeFactory(detention=russia.detentions.get(), category="espionage")
    elsewhere = DetentionFactory(held_by="IR").detainee
    follow = create_follow(user=reader(), kind="search", query="charge_category=espionage&held_by=RU")
    publish("detainees", elsewhere.pk)  # never in the search: not sent
    publish("detainees", russia.pk)  # in the search when it was saved: "matches"
    dispatcher.dispatch()
    assert set(SearchMember.objects.values_list("detainee_id", flat=True)) == {russia.pk}

    newcomer = DetentionFactory(held_by="RU").detainee
    ChargeFactory(detention=newcomer.detentions.get(), category="espionage")
    publish("detainees", newcomer.pk)
    publish("detainees", newcomer.pk)
    dispatcher.dispatch()  # a search is judged when the worker reads the event (seconds after the write)
    russia.detentions.update(held_by="IR")  # edited out of the search
    publish("detainees", russia.pk)
    publish("detainees", russia.pk)  # already left: not sent again
    dispatcher.dispatch()
    newcomer.is_published = False  # unpublished: leaves the search, told once
    newcomer.save()
    publish("detainees", newcomer.pk, op="delete")
    dispatcher.dispatch()
    assert delivered(follow=follow) == [
        ("detainees", russia.pk, "upsert", "matches"),
        ("detainees", newcomer.pk, "upsert", "entered"),
        ("detainees", newcomer.pk, "upsert", "matches"),
        ("detainees", russia.pk, "upsert", "left"),
        ("detainees", newcomer.pk, "delete", "left"),
    ]
    assert not SearchMember.objects.exists()


def test_an_exchange_follow_gets_the_exchange_and_its_participants():
    swap, other = ExchangeFactory(), ExchangeFactory()
    participant = ParticipantFactory(exchange=swap)
    follow = create_follow(user=reader(), kind="exchange", object_id=swap.pk, label=swap.name)
    publish("exchanges", swap.pk)
    publish("exchanges", other.pk)
    publish("exchange-participants", participant.pk)
    dispatcher.dispatch()
    assert delivered(follow=follow) == [
        ("exchanges", swap.pk, "upsert", ""),
        ("exchange-participants", participant.pk, "upsert", ""),
    ]


def test_a_webhook_gets_its_resources_with_a_body_that_names_the_event():
    person = DetaineeFactory()
    detention = DetentionFactory(detainee=person)
    everything = create_webhook(user=reader("a"), url="http://127.0.0.1:9/x", resources=[])
    people = create_webhook(user=reader("b"), url="http://127.0.0.1:9/y", resources=["detainees"])
    change = publish("detainees", person.pk)
    publish("detentions", detention.pk)
    dispatcher.dispatch()
    assert len(delivered(webhook=everything)) == 2
    assert delivered(webhook=people) == [("detainees", person.pk, "upsert", "")]
    delivery = Delivery.objects.get(webhook=people)
    body = json.loads(delivery.body)
    assert body["delivery"] == str(delivery.pk)
    assert body["event"] == {
        "seq": change.seq,
        "resource": "detainees",
        "id": person.pk,
        "op": "upsert",
        "at": change.at.isoformat().replace("+00:00", "Z"),
    }
    assert body["document"]["name"] == person.name


def test_no_alert_carries_a_draft():
    """A draft is in no feed event, so in no delivery; a search is judged on published cases only."""
    draft = DetentionFactory(held_by="RU", detainee=DetaineeFactory(is_published=False, name="Secret Draftperson"))
    published = DetentionFactory(held_by="RU").detainee
    user = reader()
    follow = create_follow(user=user, kind="search", query="held_by=RU")
    hook = create_webhook(user=user, url="http://127.0.0.1:9/x", resources=[], query="held_by=RU")
    # the record names a draft case in no published document; the feed has only the published one
    publish("detainees", published.pk)
    dispatcher.dispatch()
    assert set(SearchMember.objects.values_list("detainee_id", flat=True)) == {published.pk}
    assert draft.detainee_id not in set(Delivery.objects.values_list("object_id", flat=True))
    assert all("Draftperson" not in d.body and "Draftperson" not in d.title for d in Delivery.objects.all())
    assert Delivery.objects.filter(follow=follow).count() == 1
    assert Delivery.objects.filter(webhook=hook).count() == 1
    # even an event naming the draft's id (which the feed never holds) is not matched to the search
    publish("detainees", draft.detainee_id, op="delete")
    dispatcher.dispatch()
    assert Delivery.objects.filter(follow=follow).count() == 1


def test_following_a_draft_or_an_unknown_id_is_refused_with_the_same_words(client):
    user = reader()
    client.force_login(user)
    draft = DetaineeFactory(is_published=False)
    answers = [
        client.post("/account/follow/", {"kind": "detainee", "object_id": pk, "email": "on"})
        for pk in (draft.pk, 999_999)
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert all("No published record has this id." in a.content.decode() for a in answers)
    assert not Follow.objects.exists()


def test_a_feed_nobody_follows_is_passed_over_unread():
    """A worker started on a large feed nobody follows read every event before its first drain (a minute at
    979,490 events in make bench); it now moves its cursor to the head, or to the first follow's beginning."""
    people = [DetaineeFactory() for _ in range(3)]
    for person in people:
        publish("detainees", person.pk)
    head = Change.objects.order_by("-seq").first().seq
    with CaptureQueriesContext(connection) as queries:
        assert dispatcher.dispatch() == 0
    reads = [q["sql"] for q in queries if '"changes_change"."document"' in q["sql"]]
    assert reads and all(f'"seq" > {head} ' in sql for sql in reads)  # only after the head: no event read
    assert Cursor.objects.get(name="alerts").seq == head and Delivery.objects.count() == 0
    follow = create_follow(user=reader(), kind="detainee", object_id=people[0].pk, label=people[0].name)
    Cursor.objects.filter(name="alerts").update(seq=0)  # as a worker whose cursor is far behind
    publish("detainees", people[0].pk)
    assert dispatcher.first_wanted() == follow.since_seq
    assert dispatcher.dispatch() == 1  # only what came after the follow began is read
    assert delivered(follow=follow) == [("detainees", people[0].pk, "upsert", "")]
