"""A reader's account: sign-up and confirmation, follows, the Atom feed per follow, webhooks on pages and the API."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from django_tasks.backends.database.models import DBTaskResult
from rest_framework.authtoken.models import Token

from alerts import dispatch as dispatcher
from alerts.accounts import confirmation_token
from alerts.forms import clean_search_query
from alerts.models import Account, Delivery, Follow, Webhook
from alerts.services import create_follow, create_webhook
from tests.alerts.helpers import publish
from tests.factories import DetaineeFactory, EditorFactory, ExchangeFactory

pytestmark = pytest.mark.django_db


def reader(name="reader", confirmed=True):
    user = get_user_model().objects.create_user(
        username=f"{name}@example.org", email=f"{name}@example.org", password="correct-horse-battery"
    )
    Account.objects.create(
        user=user, email_confirmed=user.email if confirmed else "", confirmed_at=timezone.now() if confirmed else None
    )
    return user


def signup(client, email="new@example.org", password="a long passphrase 77", again=None):
    return client.post("/account/signup/", {"email": email, "password1": password, "password2": again or password})


def test_sign_up_queues_the_confirmation_and_sends_nothing_in_the_request(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # queued when the sign-up commits
        answer = signup(client, email="New@Example.org")
    assert answer.status_code == 302 and answer["Location"] == "/account/"
    user = get_user_model().objects.get(email="new@example.org")
    assert mail.outbox == []
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "alerts.tasks.send_confirmation" and queued.args_kwargs["args"] == [user.pk]
    page = client.get("/account/")
    assert page.status_code == 200 and "not confirmed yet" in page.content.decode()


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"password": "a long passphrase 77", "again": "another phrase 77"}, "password2", "The two passwords differ."),
        ({"password": "short"}, "password1", "too short"),
        ({"email": "taken@example.org"}, "email", "An account with this address exists"),
        ({"email": "not an address"}, "email", "valid email"),
    ],
)
def test_sign_up_errors_name_the_field(client, fields, field, words):
    reader("taken")
    answer = signup(client, **fields)
    assert answer.status_code == 200
    assert words in " ".join(answer.context["form"].errors[field])
    assert get_user_model().objects.count() == 1


def test_the_confirmation_link_confirms_only_the_address_it_was_sent_to(client):
    user = reader(confirmed=False)
    token = confirmation_token(user)
    assert client.get("/account/confirm/not-a-token/").status_code == 400
    user.email = "changed@example.org"
    user.save()
    assert client.get(f"/account/confirm/{token}/").status_code == 400  # sent to the old address
    assert not Account.objects.get(user=user).is_confirmed
    assert client.get(f"/account/confirm/{confirmation_token(user)}/").status_code == 302
    assert Account.objects.get(user=user).is_confirmed


def test_an_unconfirmed_account_may_not_follow_or_register_webhooks(client):
    user = reader(confirmed=False)
    client.force_login(user)
    person = DetaineeFactory()
    answer = client.post("/account/follow/", {"kind": "detainee", "object_id": person.pk, "email": "on"})
    assert answer.status_code == 302 and not Follow.objects.exists()
    assert client.post("/account/webhooks/new/", {"url": "https://example.org/hook"}).status_code == 302
    token = Token.objects.create(user=user)
    api = client.post(
        "/api/v1/webhooks/",
        {"url": "https://example.org/hook"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert api.status_code == 403 and "Confirm your email" in api.json()["detail"]
    assert not Webhook.objects.exists()


def test_pages_need_a_sign_in(client):
    for path in ["/account/", "/account/follow/", "/account/webhooks/new/"]:
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"].startswith("/account/login/"), path
    assert client.get("/api/v1/webhooks/").status_code in (401, 403)


def test_an_editor_signs_in_here_and_confirms_like_a_reader(client, django_capture_on_commit_callbacks):
    editor = EditorFactory()
    answer = client.post("/account/login/", {"username": editor.username, "password": "correct-horse-battery"})
    assert answer.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/account/confirm-again/").status_code == 302
    assert DBTaskResult.objects.filter(task_path="alerts.tasks.send_confirmation").count() == 1


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("held_by=RU&colour=red", "Unknown filter: colour."),
        ("held_on=02/08/2024", "held_on"),
        ("page=2", "Choose at least one filter"),
    ],
)
def test_a_bad_saved_search_is_a_form_error_naming_it(client, query, words):
    client.force_login(reader())
    answer = client.post("/account/follow/", {"kind": "search", "query": query, "email": "on"})
    assert answer.status_code == 200 and words in " ".join(answer.context["form"].errors["query"])
    assert not Follow.objects.exists()


def test_a_pasted_list_address_is_saved_as_its_sorted_filters(client):
    user = reader()
    client.force_login(user)
    url = "https://tracker.example/detainees/?page=3&held_by=RU&charge_category=espionage"
    assert client.post("/account/follow/", {"kind": "search", "query": url}).status_code == 302
    follow = Follow.objects.get(user=user)
    assert follow.search.query == "charge_category=espionage&held_by=RU" and follow.email is False


def test_follow_an_exchange_and_read_its_atom_feed_at_a_secret_address(client):
    user = reader()
    client.force_login(user)
    swap = ExchangeFactory(name="The Abu Dhabi exchange")
    assert client.post("/account/follow/", {"kind": "exchange", "object_id": swap.pk, "email": "on"}).status_code == 302
    follow = Follow.objects.get()
    publish("exchanges", swap.pk)
    dispatcher.dispatch()
    client.logout()  # a feed reader has no session
    feed = client.get(f"/account/follows/{follow.feed_token}.atom")
    body = feed.content.decode()
    assert feed.status_code == 200 and feed["Content-Type"].startswith("application/atom+xml")
    assert "Updated: The Abu Dhabi exchange" in body and f"urn:uuid:{Delivery.objects.get().pk}" in body
    assert client.get("/account/follows/guessed-token.atom").status_code == 404
    assert feed["Cache-Control"] == "private, max-age=300"  # one person's feed: never in a shared cache
    assert "no-cache" in client.get("/account/signup/")["Cache-Control"]


def test_account_page_lists_follows_and_webhooks_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    user = reader()
    for _ in range(3):
        person = DetaineeFactory()
        create_follow(user=user, kind="detainee", object_id=person.pk, label=person.name)
        create_webhook(user=user, url="https://example.org/hook", resources=[], query="held_by=RU")
    client.force_login(user)
    with django_assert_max_num_queries(8):
        page = client.get("/account/")
    html = page.content.decode()
    assert html.count("Stop following") == 3 and html.count("https://example.org/hook") == 3
    assert f'<a href="/detainees/{person.slug}/">{person.name}</a>' in html


def test_webhooks_through_the_api_with_a_token(client):
    owner, other = reader("owner"), reader("other")
    token = Token.objects.create(user=owner)
    auth = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    bad = client.post(
        "/api/v1/webhooks/",
        {"url": "https://example.org/h", "resources": ["people"]},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400 and "resources" in bad.json()
    made = client.post(
        "/api/v1/webhooks/",
        {"url": "https://example.org/h", "resources": ["detainees"], "search": "held_by=RU"},
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 201, made.content
    hook = made.json()
    assert hook["search"] == "held_by=RU" and len(hook["secret"]) > 30 and hook["is_active"] is True
    assert [h["id"] for h in client.get("/api/v1/webhooks/", **auth).json()] == [hook["id"]]
    foreign = create_webhook(user=other, url="https://example.org/other", resources=[])
    assert client.get(f"/api/v1/webhooks/{foreign.pk}/deliveries/", **auth).status_code == 404
    assert client.post(f"/api/v1/webhooks/{hook['id']}/disable/", **auth).json()["is_active"] is False
    assert client.post(f"/api/v1/webhooks/{hook['id']}/enable/", **auth).json()["is_active"] is True
    Delivery.objects.create(
        webhook_id=hook["id"],
        seq=7,
        resource="detainees",
        object_id=1,
        op="upsert",
        body="{}",
        next_attempt_at=timezone.now(),
        last_error="No answer: timed out",
    )
    log = client.get(hook["deliveries"].replace("http://testserver", ""), **auth).json()
    assert [(d["seq"], d["status"], d["last_error"]) for d in log["results"]] == [
        (7, "pending", "No answer: timed out")
    ]


def test_another_owners_webhook_page_is_404(client):
    hook = create_webhook(user=reader("owner"), url="https://example.org/h", resources=[])
    client.force_login(reader("other"))
    assert client.get(f"/account/webhooks/{hook.pk}/").status_code == 404
    assert client.post(f"/account/webhooks/{hook.pk}/delete/").status_code == 404
    assert Webhook.objects.filter(pk=hook.pk).exists()


def test_public_pages_offer_to_follow_the_case_the_exchange_and_the_search(client):
    person, swap = DetaineeFactory(), ExchangeFactory()
    case_page = client.get(f"/detainees/{person.slug}/").content.decode()
    assert f'href="/account/follow/?kind=detainee&amp;id={person.pk}"' in case_page
    exchange_page = client.get(f"/exchanges/{swap.slug}/").content.decode()
    assert f'href="/account/follow/?kind=exchange&amp;id={swap.pk}"' in exchange_page
    listing = client.get("/detainees/", {"held_by": "RU", "charge_category": "espionage"}).content.decode()
    link = re.search(r'href="(/account/follow/\?kind=search&amp;query=[^"]+)"', listing).group(1)
    client.force_login(reader())
    form = client.get(link.replace("&amp;", "&")).context["form"]
    assert form.initial["kind"] == "search"
    assert clean_search_query(form.initial["query"]) == "charge_category=espionage&held_by=RU"
    assert "Follow this search" not in client.get("/detainees/").content.decode()  # no filters, no search


def test_a_failed_delivery_is_sent_again_with_the_same_id_from_its_log(client):
    owner = reader()
    hook = create_webhook(user=owner, url="https://example.org/h", resources=[])
    failed = Delivery.objects.create(
        webhook=hook,
        seq=3,
        resource="detainees",
        object_id=1,
        op="upsert",
        body="{}",
        next_attempt_at=timezone.now(),
        status="failed",
        attempts=12,
        last_error="The receiver answered HTTP 500.",
    )
    client.force_login(owner)
    page = client.get(f"/account/webhooks/{hook.pk}/").content.decode()
    assert str(failed.pk) in page and "Send again" in page
    answer = client.post(f"/account/webhooks/{hook.pk}/redeliver/", {"delivery": str(failed.pk)})
    assert answer.status_code == 302
    again = Delivery.objects.get()
    assert again.pk == failed.pk and again.status == "pending" and again.attempts == 0 and again.body == "{}"
    assert client.post(f"/account/webhooks/{hook.pk}/explode/").status_code == 404
    before = Webhook.objects.get().secret
    assert client.post(f"/account/webhooks/{hook.pk}/rotate/").status_code == 302
    assert Webhook.objects.get().secret != before


def test_prune_alerts_deletes_old_finished_deliveries_and_keeps_pending_ones():
    import datetime
    import io

    from django.core.management import call_command

    hook = create_webhook(user=reader(), url="https://example.org/h", resources=[])
    long_ago = timezone.now() - datetime.timedelta(days=200)
    for seq, status in enumerate(["delivered", "failed", "pending", "delivered"], start=1):
        Delivery.objects.create(
            webhook=hook,
            seq=seq,
            resource="detainees",
            object_id=1,
            op="upsert",
            body="{}",
            next_attempt_at=timezone.now(),
            status=status,
        )
    Delivery.objects.filter(seq__lte=3).update(created_at=long_ago)
    out = io.StringIO()
    call_command("prune_alerts", "--days", "90", stdout=out, stderr=io.StringIO())
    assert sorted(Delivery.objects.values_list("seq", "status")) == [(3, "pending"), (4, "delivered")]
    assert "Done: 2 finished deliveries" in out.getvalue()


def test_one_email_per_person_lists_fifty_alerts_and_counts_the_rest():
    from alerts.delivery import send_email_alerts

    user = reader()
    person = DetaineeFactory()
    follow = create_follow(user=user, kind="detainee", object_id=person.pk, label=person.name)
    for seq in range(1, 52):
        Delivery.objects.create(
            follow=follow,
            seq=seq,
            resource="detainees",
            object_id=person.pk,
            op="upsert",
            title=person.name,
            body="{}",
            next_attempt_at=timezone.now(),
            lease_token="t",
        )
    assert send_email_alerts(user.pk, "t") == "sent"
    (message,) = mail.outbox
    assert message.to == ["reader@example.org"] and message.subject.startswith("51 new alert(s)")
    assert (
        message.body.count("\n- case: ") == 50 and "… and 1 more event: see your follows' Atom feeds." in message.body
    )
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}


def test_following_a_case_names_the_person_not_an_id_everywhere(client):
    """A new user's "Follow this case" led to a form showing the case's id, and alerts about the case's custody or
    about its removal read "detentions 12" or "detainees 7": the person's name is shown on each."""
    from alerts.delivery import send_email_alerts

    user = reader()
    client.force_login(user)
    person = DetaineeFactory(name="Paul Whelan")
    form = client.get(f"/account/follow/?kind=detainee&id={person.pk}").content.decode()
    assert "Paul Whelan" in form
    done = client.post("/account/follow/", {"kind": "detainee", "object_id": person.pk, "email": "on"}, follow=True)
    assert "You now follow Paul Whelan." in done.content.decode()
    follow = Follow.objects.get()
    Follow.objects.filter(pk=follow.pk).update(label="Paul N. Whelan")  # the name it was followed by, since renamed
    assert f'<a href="/detainees/{person.slug}/">Paul Whelan</a>' in client.get("/account/").content.decode()
    for seq, (resource, object_id, op) in enumerate([("detentions", 12, "upsert"), ("detainees", person.pk, "delete")]):
        Delivery.objects.create(follow=follow, seq=seq + 1, resource=resource, object_id=object_id, op=op, title="",
                                body="{}", next_attempt_at=timezone.now(), lease_token="t")  # fmt: skip
    feed = client.get(f"/account/follows/{follow.feed_token}.atom").content.decode()
    assert "Updated: Paul N. Whelan" in feed and "Removed from public view: Paul N. Whelan" in feed
    assert "detentions 12" not in feed.replace("Paul N. Whelan: detentions 12", "")
    assert send_email_alerts(user.pk, "t") == "sent"
    body = mail.outbox[-1].body
    assert "updated — Paul N. Whelan" in body and "removed from public view — Paul N. Whelan" in body
    assert "detentions 12" not in body and f"detainees {person.pk}" not in body
