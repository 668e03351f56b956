"""Review: a second editor approves what goes public and checks every change to a published case.

One rule (common.review) on every path: the admin's action and form, the API (a token's account), services; the
queue shows a field-by-field diff with sources; nobody approves their own work; the setting turns it off."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from common import review
from common.integrity import checked_writes
from common.models import ReviewItem
from detainees.models import Detainee, Detention
from exchanges.models import Exchange
from tests.factories import (
    DetaineeFactory,
    DetentionFactory,
    EditorFactory,
    ExchangeFactory,
    ReviewerFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _review_on(settings):
    settings.REVIEW_REQUIRED = True


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def sourced_draft(**kwargs) -> Detainee:
    source = SourceFactory()
    person = DetaineeFactory(is_published=False, **kwargs)
    person.sources.add(source)
    detention = DetentionFactory(detainee=person, place="Moscow")
    detention.sources.add(source)
    return person


def published_case(**kwargs) -> Detainee:
    person = sourced_draft(**kwargs)
    person.is_published = True
    person.save()  # no account acting (as a command would): published at once
    return Detainee.objects.get(pk=person.pk)


def ask_to_publish(person, user):
    """What every publish path does: set is_published and save, as `user`, inside a checked write."""
    with review.acting_as(user), checked_writes():
        person.is_published = True
        person.save()


def page(client, person):
    return client.get(reverse("detainees:detainee-detail", args=[person.slug]))


def item_of(case) -> ReviewItem:
    return ReviewItem.objects.get(object_id=case.pk, content_type__model=case._meta.model_name, outcome="")


def test_a_token_publish_awaits_review_and_nothing_of_it_leaks(client):
    a = EditorFactory()
    person = sourced_draft(name="Siamak Namazi")
    response = token_client(a).patch(reverse("api:detainee-detail", args=[person.pk]), {"is_published": True},
                                     format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert (response.json()["is_published"], response.json()["review_state"]) == (False, "awaiting_review")
    person.refresh_from_db()
    assert (person.is_published, person.awaiting_review, person.review_state) == (False, True, "awaiting_review")
    item = item_of(person)
    assert item.kind == "publish" and list(item.editors.all()) == [a]
    # Anonymous visitors see no trace: page, API detail and list, counts, sitemap, feed.
    assert page(client, person).status_code == 404
    anonymous = APIClient()
    assert anonymous.get(reverse("api:detainee-detail", args=[person.pk])).status_code == 404
    listing = anonymous.get(reverse("api:detainee-list")).json()
    assert listing["count"] == 0 and "Namazi" not in str(listing)
    assert b"Namazi" not in client.get(reverse("detainees:detainee-list")).content
    assert person.slug.encode() not in client.get(reverse("sitemap")).content
    assert b"Namazi" not in client.get(reverse("feed")).content


def test_the_author_cannot_approve_their_own_publication_and_a_second_editor_can(client):
    a, b = ReviewerFactory(), ReviewerFactory()  # even a reviewer cannot approve their own work
    person = sourced_draft()
    ask_to_publish(person, a)
    item = item_of(person)
    whole = {e["what"]: e for e in review.diff(item)}  # a publication is read whole, with its sources
    assert (
        whole["detention"]["state"] == "added"
        and {"name": "place", "before": "", "after": "Moscow"} in (whole["detention"]["fields"])
    )
    assert whole["detainee"]["sources"] and whole["detention"]["sources"]
    with pytest.raises(PermissionDenied, match="second editor"):
        review.approve(item, a)
    assert not Detainee.objects.get(pk=person.pk).is_published
    review.approve(item, b)
    person.refresh_from_db()
    assert (person.is_published, person.review_state, person.last_checked_on) == (
        True, "published", timezone.localdate()
    )  # fmt: skip
    item.refresh_from_db()
    assert (item.outcome, item.closed_by) == ("approved", b)
    assert not ReviewItem.objects.filter(outcome="").exists()  # the approval itself queues nothing
    body = page(client, person).content.decode()
    assert "Last checked by a second editor" in body
    assert b.username not in body and a.username not in body  # never by whom


def test_an_editor_outside_the_reviewers_group_cannot_approve():
    a, b = EditorFactory(), EditorFactory()
    person = sourced_draft()
    ask_to_publish(person, a)
    with pytest.raises(PermissionDenied, match="Reviewers"):
        review.approve(item_of(person), b)


def test_asking_to_publish_is_held_to_published_means_sourced():
    from django.core.exceptions import ValidationError

    a = EditorFactory()
    person = sourced_draft()
    DetentionFactory(detainee=person, place="Evin")  # cites nothing
    with pytest.raises(ValidationError):
        ask_to_publish(person, a)
    assert Detainee.objects.get(pk=person.pk).review_state == "draft" and not ReviewItem.objects.exists()
    person = sourced_draft()
    ask_to_publish(person, a)
    with pytest.raises(ValidationError), review.acting_as(a), checked_writes():  # awaiting: held to the rule
        DetentionFactory(detainee=person, place="Evin")
    assert person.detentions.count() == 1


def test_a_change_to_a_published_case_is_queued_with_its_diff_and_sources_until_checked():
    a, b = EditorFactory(), ReviewerFactory()
    person = published_case(description="businessman")
    detention = person.detentions.get()
    token_client(a).patch(reverse("api:detention-detail", args=[detention.pk]),
                          {"place": "Evin prison", "change_reason": "Per the Reuters report"},
                          format="json")  # fmt: skip
    token_client(a).patch(reverse("api:detainee-detail", args=[person.pk]), {"description": "oil executive"},
                          format="json")  # fmt: skip
    item = item_of(person)
    assert item.kind == "change" and list(item.editors.all()) == [a]
    entries = {e["what"]: e for e in review.diff(item)}
    assert {"name": "place", "before": "Moscow", "after": "Evin prison"} in entries["detention"]["fields"]
    assert {"name": "description", "before": "businessman", "after": "oil executive"} in entries["detainee"]["fields"]
    assert entries["detention"]["sources"] and entries["detention"]["reasons"] == ["Per the Reuters report"]
    with pytest.raises(PermissionDenied):
        review.approve(item, a)
    review.approve(item, b)
    person.refresh_from_db()
    assert person.is_published and person.last_checked_on == timezone.localdate()
    assert person.history.first().history_change_reason == "Review: checked"
    assert "Review: checked" not in page(APIClient(), person).content.decode()  # bookkeeping, not a correction
    assert "Per the Reuters report" in page(APIClient(), person).content.decode()
    assert Detention.objects.get(pk=detention.pk).place == "Evin prison"
    assert ReviewItem.objects.get(pk=item.pk).outcome == "checked"


def test_a_second_editor_reverts_changes_to_what_was_last_checked():
    a, b = EditorFactory(), ReviewerFactory()
    person = published_case(description="businessman")
    detention = person.detentions.get()
    source = SourceFactory()
    api = token_client(a)
    api.patch(reverse("api:detainee-detail", args=[person.pk]), {"description": "vandalised"}, format="json")
    api.patch(reverse("api:detention-detail", args=[detention.pk]), {"place": "nowhere"}, format="json")
    added = api.post(reverse("api:designation-list"), {"detainee": person.pk, "kind": "wrongfully_detained",
                                                       "authority": "US State Department",
                                                       "designated_on": "2023-01-01", "sources": [source.pk]},
                     format="json")  # fmt: skip
    assert added.status_code == 201, added.content
    review.revert(item_of(person), b)
    person.refresh_from_db()
    assert person.description == "businessman" and person.is_published
    assert Detention.objects.get(pk=detention.pk).place == "Moscow"
    assert not person.designations.exists()
    assert not ReviewItem.objects.filter(outcome="").exists()


def test_the_admin_publish_action_asks_for_review(client):
    a = EditorFactory()
    person = sourced_draft()
    client.force_login(a)
    response = client.post(reverse("admin:detainees_detainee_changelist"),
                           {"action": "publish", "_selected_action": [person.pk]}, follow=True)  # fmt: skip
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.review_state == "awaiting_review" and not person.is_published
    assert "second editor" in response.content.decode()


def test_an_exchange_publish_awaits_review_too():
    a, b = EditorFactory(), ReviewerFactory()
    source = SourceFactory()
    created = token_client(a).post(reverse("api:exchange-list"), {
        "name": "September 2023 Iran–US exchange", "date": "2023-09-18", "status": "completed",
        "sources": [source.pk], "is_published": True,
    }, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["review_state"] == "awaiting_review"
    exchange = Exchange.objects.get(pk=created.json()["id"])
    assert not Exchange.objects.published().filter(pk=exchange.pk).exists()
    review.approve(item_of(exchange), b)
    assert Exchange.objects.published().filter(pk=exchange.pk).exists()


def test_the_author_may_withdraw_and_a_draft_again_leaves_the_queue():
    a = EditorFactory()
    person = sourced_draft()
    ask_to_publish(person, a)
    review.send_back(item_of(person), a)
    person.refresh_from_db()
    assert person.review_state == "draft"
    assert not ReviewItem.objects.filter(outcome="").exists()


def test_with_review_off_a_publish_is_immediate_and_nothing_is_queued(settings):
    settings.REVIEW_REQUIRED = False
    a = EditorFactory()
    person = sourced_draft()
    response = token_client(a).patch(reverse("api:detainee-detail", args=[person.pk]), {"is_published": True},
                                     format="json")  # fmt: skip
    assert response.json()["review_state"] == "published"
    token_client(a).patch(reverse("api:detainee-detail", args=[person.pk]), {"description": "x"}, format="json")
    assert not ReviewItem.objects.exists()


@pytest.mark.slow  # three subprocesses, each starting Django
def test_review_is_on_by_default_in_production_only():
    import subprocess
    import sys

    code = "import django,os;django.setup();from django.conf import settings;print(settings.REVIEW_REQUIRED)"
    base = {"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin"}
    prod = {**base, "DJANGO_ENV": "production", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org",
            "DATABASE_URL": "sqlite:////tmp/h10-unused.sqlite3"}  # fmt: skip
    out = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
           for env in (base, prod, {**prod, "REVIEW_REQUIRED": "off"})]  # fmt: skip
    assert [o.stdout.strip() for o in out] == ["False", "True", "False"], [o.stderr[-500:] for o in out]


def test_last_checked_on_is_public_in_the_api():
    person = published_case()
    Detainee.objects.filter(pk=person.pk).update(last_checked_on=datetime.date(2024, 5, 1))
    data = APIClient().get(reverse("api:detainee-detail", args=[person.pk])).json()
    assert (data["review_state"], data["last_checked_on"]) == ("published", "2024-05-01")


def test_the_desk_lists_the_queue_and_the_review_page_shows_the_diff_and_decides(client):
    a, b = ReviewerFactory(), ReviewerFactory()  # a reviewer, but the author of the change
    person = published_case(name="Siamak Namazi", description="businessman")
    token_client(a).patch(reverse("api:detainee-detail", args=[person.pk]), {"description": "oil executive"},
                          HTTP_X_CHANGE_REASON="Per Reuters", format="json")  # fmt: skip
    item = item_of(person)
    client.force_login(a)
    desk = client.get(reverse("admin:index")).content.decode()
    assert "To check (1)" in desk and "Siamak Namazi" in desk and "another editor must check it" in desk
    url = reverse("admin:common_reviewitem_change", args=[item.pk])
    mine = client.get(url).content.decode()
    assert "businessman" in mine and "oil executive" in mine and "Per Reuters" in mine
    assert 'value="approve"' not in mine and "a second editor must check them, not you" in mine
    client.post(url, {"decision": "approve"})  # refused: their own change
    assert ReviewItem.objects.get(pk=item.pk).outcome == ""
    client.force_login(b)
    assert 'value="approve"' in client.get(url).content.decode()
    assert client.post(url, {"decision": "approve"}).status_code == 302
    assert ReviewItem.objects.get(pk=item.pk).outcome == "checked"
    assert "Nothing waits for a second editor" in client.get(reverse("admin:index")).content.decode()


def test_publishing_on_the_one_screen_editor_asks_for_review(client):
    from tests.detainees.test_case_entry import GORDON_BLACK, URL

    client.force_login(EditorFactory())
    response = client.post(URL, GORDON_BLACK, follow=True)
    person = Detainee.objects.get(name="Gordon Black")
    assert (person.review_state, person.is_published) == ("awaiting_review", False)
    assert "Sent for review" in response.content.decode()
    assert item_of(person).kind == "publish"
    assert APIClient().get(reverse("api:detainee-detail", args=[person.pk])).status_code == 404


def test_a_csv_import_that_changes_a_published_case_is_queued(client):
    from common.admin import version_of
    from tests.detainees.test_csv_import import HEADER, import_rows

    a = EditorFactory()
    person = published_case(name="Paul Whelan", description="Former US Marine.")
    client.force_login(a)
    csv = HEADER + f"{person.pk},Paul Whelan,,,,,,Former US Marine; held since 2018.,,{version_of(person)}\n"
    _, done = import_rows(client, csv)
    assert done is not None and done.status_code == 302
    item = item_of(person)
    assert item.kind == "change" and list(item.editors.all()) == [a]
    fields = {e["what"]: e["fields"] for e in review.diff(item)}["detainee"]
    assert {"name": "description", "before": "Former US Marine.", "after": "Former US Marine; held since 2018."} in (
        fields
    )


def test_citing_an_article_in_a_published_case_through_intake_is_queued(client):
    """(Posts intake's form as it is on this branch: one case per submit.)"""
    from sources.models import Source

    a = EditorFactory()
    person = published_case(name="Paul Whelan")
    detention = person.detentions.get()
    source = Source.objects.create(title="Test article", url="https://example.org/intake-review", text="Paul Whelan")
    client.force_login(a)
    client.post(reverse("admin:detainees_intake_review", args=[source.pk]),
                {"cite": person.pk, "fact": [f"detention:{detention.pk}"]})  # fmt: skip
    assert source in detention.sources.all()
    item = item_of(person)
    assert item.kind == "change" and list(item.editors.all()) == [a]
    changed = {e["what"]: e for e in review.diff(item)}["detention"]
    assert "Test article" in changed["fields"][0]["after"]  # the sources, before and after


def test_a_change_to_a_published_exchange_is_queued_and_checked_by_another_editor():
    a, b = EditorFactory(), ReviewerFactory()
    exchange = ExchangeFactory(place="Doha", is_published=False)
    exchange.sources.add(SourceFactory())
    exchange.is_published = True
    exchange.save()
    response = token_client(a).patch(reverse("api:exchange-detail", args=[exchange.pk]), {"place": "Doha airport"},
                                     format="json", HTTP_X_CHANGE_REASON="Per the Qatari statement")  # fmt: skip
    assert response.status_code == 200, response.content
    item = item_of(exchange)
    assert item.kind == "change"
    fields = {e["what"]: e["fields"] for e in review.diff(item)}["exchange"]
    assert {"name": "place", "before": "Doha", "after": "Doha airport"} in fields
    with pytest.raises(PermissionDenied):
        review.approve(item, a)
    review.approve(item, b)
    assert Exchange.objects.get(pk=exchange.pk).last_checked_on == timezone.localdate()


def test_reverting_an_unpublish_puts_the_case_back_in_public_not_in_limbo():
    """Found by the review state machine: a change queued, then the case taken back to draft, then the reviewer
    reverts. The case goes back to what was last checked (public); it must not end awaiting review with no
    publication item (a reviewer's revert is a second editor's decision, not a request)."""
    a, b = EditorFactory(), ReviewerFactory()
    person = published_case(description="businessman")
    api = token_client(a)
    api.patch(reverse("api:detainee-detail", args=[person.pk]), {"description": "oil executive"}, format="json")
    api.patch(reverse("api:detainee-detail", args=[person.pk]), {"is_published": False}, format="json")
    assert item_of(person).kind == "change"
    review.revert(item_of(person), b)
    person.refresh_from_db()
    assert (person.review_state, person.description) == ("published", "businessman")
    assert not ReviewItem.objects.filter(outcome="").exists()


def test_the_api_withdraws_a_request_to_publish_by_the_editor_who_asked_or_a_reviewer():
    a, other, b = EditorFactory(), EditorFactory(), ReviewerFactory()
    person, exchange = sourced_draft(), ExchangeFactory(is_published=False)
    exchange.sources.add(SourceFactory())
    for case, resource in ((person, "detainee"), (exchange, "exchange")):
        asked = token_client(a).patch(reverse(f"api:{resource}-detail", args=[case.pk]), {"is_published": True},
                                      format="json")  # fmt: skip
        assert asked.json()["review_state"] == "awaiting_review", asked.content
        url = reverse(f"api:{resource}-withdraw-publication", args=[case.pk])
        refused = token_client(other).post(url)
        assert refused.status_code == 403 and "reviewer" in refused.json()["detail"].lower()
        assert item_of(case).kind == "publish"
        withdrawn = token_client(a if resource == "detainee" else b).post(url, HTTP_X_CHANGE_REASON="Not yet")
        assert withdrawn.status_code == 200, withdrawn.content
        assert withdrawn.json()["review_state"] == "draft"
        assert ReviewItem.objects.get(object_id=case.pk, content_type__model=resource).outcome == "sent_back"
        assert token_client(a).post(url).status_code == 409  # nothing awaits any more
    assert APIClient().post(reverse("api:detainee-withdraw-publication", args=[person.pk])).status_code in (401, 403)


def test_deleting_a_published_case_is_queued_to_check_and_a_second_editor_may_restore_it(client):
    """A deletion is not held (taking something out of public view never waits, as an unpublish): it leaves the
    public site at once and enters To check, where a second editor marks it checked or reverts it (the case comes
    back whole and public). On every path: the API's DELETE and the admin's."""
    a, b = EditorFactory(), ReviewerFactory()
    by_api, by_admin = published_case(name="Paul Whelan"), published_case(name="Evan Gershkovich")
    detention_id = by_api.detentions.get().pk
    assert token_client(a).delete(reverse("api:detainee-detail", args=[by_api.pk])).status_code == 204
    client.force_login(a)
    response = client.post(reverse("admin:detainees_detainee_delete", args=[by_admin.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Detainee.objects.filter(pk=by_admin.pk).exists()
    items = {i.object_id: i for i in ReviewItem.objects.filter(outcome="")}
    assert set(items) == {by_api.pk, by_admin.pk} and {i.kind for i in items.values()} == {"change"}
    assert all(list(i.editors.all()) == [a] for i in items.values())
    desk = client.get(reverse("admin:index")).content.decode()
    assert "Paul Whelan" in desk and "A published case deleted" in desk
    page = client.get(reverse("admin:common_reviewitem_change", args=[items[by_api.pk].pk])).content.decode()
    assert "This published case was deleted" in page and "Paul Whelan" in page
    with pytest.raises(PermissionDenied):
        review.revert(items[by_api.pk], a)  # not the author
    review.revert(items[by_api.pk], b)
    restored = Detainee.objects.get(pk=by_api.pk)
    assert restored.review_state == "published" and Detention.objects.filter(pk=detention_id).exists()
    review.approve(items[by_admin.pk], b)
    assert ReviewItem.objects.get(pk=items[by_admin.pk].pk).outcome == "checked"
    assert not Detainee.objects.filter(pk=by_admin.pk).exists()
    assert not ReviewItem.objects.filter(outcome="").exists()
    draft = sourced_draft()
    ask_to_publish(draft, a)
    assert token_client(a).delete(reverse("api:detainee-detail", args=[draft.pk])).status_code == 204
    assert not ReviewItem.objects.filter(outcome="").exists()  # a request to publish deleted: nothing to check


def test_patching_is_published_false_withdraws_a_request_to_publish_as_the_withdraw_action_does():
    """h29: `PATCH {"is_published": false}` on a case awaiting review used to leave it awaiting (it was already not
    public, so the save changed nothing the review rule saw). It withdraws the request, under the same rule as
    `POST …/withdraw-publication/`: the editor who asked or a reviewer; anyone else is refused and nothing changes."""
    a, other, b = EditorFactory(), EditorFactory(), ReviewerFactory()
    person, exchange = sourced_draft(), ExchangeFactory(is_published=False)
    exchange.sources.add(SourceFactory())
    for case, resource in ((person, "detainee"), (exchange, "exchange")):
        url = reverse(f"api:{resource}-detail", args=[case.pk])
        asked = token_client(a).patch(url, {"is_published": True}, format="json")
        assert asked.json()["review_state"] == "awaiting_review", asked.content
        refused = token_client(other).patch(url, {"is_published": False, "description": "changed"}, format="json")
        assert refused.status_code == 403, refused.content
        assert item_of(case).kind == "publish" and not item_of(case).editors.filter(pk=other.pk).exists()
        case.refresh_from_db()
        assert case.review_state == "awaiting_review" and case.description != "changed"
        # An edit that does not ask to withdraw leaves the request waiting.
        kept = token_client(a).patch(url, {"description": "kept waiting"}, format="json")
        assert kept.json()["review_state"] == "awaiting_review"
        who = a if resource == "detainee" else b
        withdrawn = token_client(who).patch(url, {"is_published": False}, format="json",
                                            HTTP_X_CHANGE_REASON="Not yet")  # fmt: skip
        assert withdrawn.status_code == 200, withdrawn.content
        assert (withdrawn.json()["is_published"], withdrawn.json()["review_state"]) == (False, "draft")
        assert ReviewItem.objects.get(object_id=case.pk, content_type__model=resource).outcome == "sent_back"
        assert not ReviewItem.objects.filter(object_id=case.pk, content_type__model=resource, outcome="").exists()
        # A draft asked to stay a draft: an ordinary write, nothing to withdraw.
        assert token_client(a).patch(url, {"is_published": False}, format="json").status_code == 200
