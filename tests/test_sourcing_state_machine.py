"""A state machine drives random writes through the API, the admin and the case-entry screen against published
and draft cases; after every step no published case has an unsourced fact (`common.integrity.verify(None)` is
empty), and every write the rule refused left the database as it was."""

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from rest_framework.test import APIClient

from common import review
from common.integrity import verify
from common.models import ReviewItem
from detainees.models import Charge, Detainee, Detention, Transfer
from tests.admin_helpers import add_inline_rows, inline_management_data, inline_prefix
from tests.detainees.test_case_entry import GORDON_BLACK
from tests.factories import (
    DetaineeFactory,
    DetentionFactory,
    EditorFactory,
    ReviewerFactory,
    SourceFactory,
    reviewers_group,
)
from tests.hypothesis_profiles import examples

pytestmark = pytest.mark.django_db


class Writes(RuleBasedStateMachine):
    """Each example starts from an empty database: its writes happen inside a savepoint that `teardown` rolls back
    (and the cache is cleared), so no example sees another's cases or open review items and a failing example
    replays exactly."""

    def __init__(self):
        super().__init__()
        self.example = transaction.atomic()
        self.example.__enter__()
        self.editor = EditorFactory()
        self.api = APIClient()
        self.api.force_authenticate(self.editor)
        self.admin = Client()
        self.admin.force_login(self.editor)
        self.source = SourceFactory()
        self.people = []
        for published in (True, False):
            person = DetaineeFactory(is_published=published)
            person.sources.add(self.source)
            DetentionFactory(detainee=person).sources.add(self.source)
            self.people.append(person.pk)

    def sources(self, cited: bool) -> list[int]:
        return [self.source.pk] if cited else []

    def detention_of(self, index: int) -> Detention:
        return Detention.objects.filter(detainee_id=self.people[index % len(self.people)]).first()

    @rule(index=st.integers(0, 1), cited=st.booleans())
    def api_adds_a_charge(self, index, cited):
        detention = self.detention_of(index)
        if detention is None:  # the case was deleted
            return
        body = {"detention": detention.pk, "category": "espionage", "sources": self.sources(cited)}
        self.api.post("/api/v1/charges/", body, format="json")

    @rule(index=st.integers(0, 1), cited=st.booleans())
    def api_adds_a_detention(self, index, cited):
        body = {"detainee": self.people[index], "held_by": "BY", "detained_on": "2023-05-01",
                "sources": self.sources(cited)}  # fmt: skip
        self.api.post("/api/v1/detentions/", body, format="json")

    @rule(which=st.sampled_from(["detainees", "detentions", "charges"]), index=st.integers(0, 5))
    def api_clears_the_sources_of_a_record(self, which, index):
        model = {"detainees": Detainee, "detentions": Detention, "charges": Charge}[which]
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
        if ids:
            self.api.patch(f"/api/v1/{which}/{ids[index % len(ids)]}/", {"sources": []}, format="json")

    @rule(index=st.integers(0, 1), published=st.booleans())
    def api_publishes_or_unpublishes(self, index, published):
        self.api.patch(f"/api/v1/detainees/{self.people[index]}/", {"is_published": published}, format="json")

    @rule(index=st.integers(0, 1), cited=st.booleans())
    def admin_adds_a_transfer_inline(self, index, cited):
        detention = self.detention_of(index)
        if detention is None:
            return
        url = f"/admin/detainees/detention/{detention.pk}/change/"
        page = self.admin.get(url)
        data = inline_management_data(page)
        data.update({"detainee": str(detention.detainee_id), "held_by": detention.held_by.code,
                     "detained_on": detention.detained_on.isoformat(), "detained_on_precision": "day",
                     "extradited_on_precision": "day", "released_on_precision": "day",
                     "sources": [str(s) for s in detention.sources.values_list("pk", flat=True)]})  # fmt: skip
        add_inline_rows(data, inline_prefix(page, "transfer"), [{
            "moved_on": (detention.detained_on + datetime.timedelta(days=30)).isoformat(),
            "moved_on_precision": "day", "facility_name": "IK-1", "facility_kind": "prison",
            "sources": [str(s) for s in self.sources(cited)],
        }])  # fmt: skip
        before = Transfer.objects.count()
        response = self.admin.post(url, data)
        if not cited and Detainee.objects.get(pk=detention.detainee_id).is_published:
            assert response.status_code == 200 and Transfer.objects.count() == before  # refused, nothing saved

    @rule(published=st.booleans(), uncited=st.sets(st.sampled_from(["person", "det-0", "det-0-charge-0",
                                                                   "det-0-sentence-0"])))  # fmt: skip
    def case_entry_screen_saves_a_whole_case(self, published, uncited):
        self.entered = getattr(self, "entered", 0) + 1
        data = {key: value for key, value in GORDON_BLACK.items() if not key.endswith("-cites")}
        data["src-0-url"] = f"https://example.org/state-machine-{self.entered}"
        data["person-name"] = f"Entered Person {self.entered}"
        data["rows"] = ["src-0", "det-0", "det-0-charge-0", "det-0-sentence-0"]
        data["det-0-sentence-0-for_charges"] = ["det-0-charge-0"]
        for row in ("person", "det-0", "det-0-charge-0", "det-0-sentence-0"):
            if row not in uncited:
                data[f"{row}-cites"] = ["src-0"]
        if not published:
            data.pop("person-is_published")
        before = Detainee.objects.count()
        self.admin.post(reverse("admin:detainees_case_entry"), data)
        if published and uncited:
            assert Detainee.objects.count() == before  # refused whole

    @rule()
    def api_deletes_the_source(self):
        self.api.delete(f"/api/v1/sources/{self.source.pk}/")

    @invariant()
    def no_published_case_has_an_unsourced_fact(self):
        assert verify(None) == []

    def teardown(self):
        transaction.set_rollback(True)
        self.example.__exit__(None, None, None)
        cache.clear()


@pytest.mark.slow
def test_no_sequence_of_writes_leaves_a_published_fact_unsourced(db):
    run_state_machine_as_test(
        Writes,
        settings=settings(max_examples=examples(12), stateful_step_count=8, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )  # fmt: skip


class WritesUnderReview(Writes):
    """The same writes with review required (common.review), and a second editor's decisions among them: every
    publish by the editor waits for review; the reviewer approves, checks, reverts or sends back what is open; the
    editor's attempts to approve their own work are refused. After every step, besides published-means-sourced: a
    case awaiting review is not public and has its open publication item (and the reverse), no decision was made by
    one of the item's authors, and anonymous readers count exactly the public cases."""

    def __init__(self):
        from django.test import override_settings

        self.review_on = override_settings(REVIEW_REQUIRED=True)
        self.review_on.enable()
        super().__init__()
        self.editor.groups.add(reviewers_group())  # a reviewer too: refused their own work as the author, not by rank
        self.reviewer = ReviewerFactory()
        self.reviewer_api = APIClient()  # the second editor writes too: an item may have two authors (h24)
        self.reviewer_api.force_authenticate(self.reviewer)
        self.public_before = set(Detainee.objects.published().values_list("pk", flat=True))

    def teardown(self):
        super().teardown()
        self.review_on.disable()

    @rule(decision=st.sampled_from(["approve", "revert", "send_back"]), index=st.integers(0, 5))
    def reviewer_decides(self, decision, index):
        items = list(ReviewItem.objects.filter(outcome="").order_by("pk"))
        if not items:
            return
        item = items[index % len(items)]
        try:
            getattr(review, decision)(item, self.reviewer)
        except (PermissionDenied, ValidationError):  # a revert or approval that would leave a fact unsourced
            assert ReviewItem.objects.get(pk=item.pk).outcome == ""

    @rule(index=st.integers(0, 1))
    def reviewer_adds_a_cited_charge(self, index):
        detention = self.detention_of(index)
        if detention is not None:
            body = {"detention": detention.pk, "category": "espionage", "sources": self.sources(True)}
            self.reviewer_api.post("/api/v1/charges/", body, format="json")

    @rule(decision=st.sampled_from(["approve", "revert"]), index=st.integers(0, 5))
    def editor_decides_what_they_may(self, decision, index):
        """Per author (h24): the editor checks (or reverts) the other author's part of an item they also changed."""
        items = list(ReviewItem.objects.filter(outcome="").order_by("pk"))
        if not items:
            return
        item = items[index % len(items)]
        try:
            getattr(review, decision)(item, self.editor)
        except (PermissionDenied, ValidationError):
            assert ReviewItem.objects.get(pk=item.pk).outcome == ""

    @rule(index=st.integers(0, 1))
    def editor_withdraws_a_publish_request_through_the_api(self, index):
        self.api.post(f"/api/v1/detainees/{self.people[index]}/withdraw-publication/")

    @rule(index=st.integers(0, 1))
    def editor_deletes_a_case(self, index):
        self.api.delete(f"/api/v1/detainees/{self.people[index]}/")

    @rule()
    def editor_tries_to_approve_their_own_work(self):
        for item in ReviewItem.objects.filter(outcome="", editors=self.editor):
            if review.others_to_check(item, self.editor):  # the reviewer's part is the editor's to check (h24)
                continue
            public = set(Detainee.objects.published().values_list("pk", flat=True))
            with pytest.raises(PermissionDenied):
                review.approve(item, self.editor)
            assert set(Detainee.objects.published().values_list("pk", flat=True)) == public

    @invariant()
    def awaiting_means_not_public_and_queued(self):
        awaiting = set(Detainee.objects.filter(awaiting_review=True).values_list("pk", flat=True))
        assert not Detainee.objects.filter(awaiting_review=True, is_published=True).exists()
        queued = set(ReviewItem.objects.filter(outcome="", kind="publish", content_type__model="detainee")
                     .values_list("object_id", flat=True))  # fmt: skip
        assert awaiting == queued

    @invariant()
    def only_what_a_second_editor_approved_went_public(self):
        approved = set(ReviewItem.objects.filter(outcome="approved", content_type__model="detainee")
                       .values_list("object_id", flat=True))  # fmt: skip
        public = set(Detainee.objects.published().values_list("pk", flat=True))
        assert public <= self.public_before | approved

    @invariant()
    def nobody_decided_their_own_work(self):
        """Nobody checked their own part; an approved or checked item had every author's part checked by someone
        else (h24: per author); a revert was made by someone other than the item's only author."""
        for item in ReviewItem.objects.all():
            authors = set(item.editors.values_list("pk", flat=True))
            checks = item.checked_by_author()
            assert all(author != checker for author, checker in checks.items())
            if item.outcome in ("approved", "checked"):
                assert authors <= set(checks)
            if item.outcome == "reverted":
                assert authors - {item.closed_by_id} or not authors

    @invariant()
    def anonymous_readers_count_only_public_cases(self):
        count = APIClient().get("/api/v1/detainees/").json()["count"]
        assert count == Detainee.objects.filter(is_published=True).count()


@pytest.mark.slow
def test_no_sequence_of_writes_and_reviews_publishes_unreviewed_or_unsourced(db):
    run_state_machine_as_test(
        WritesUnderReview,
        settings=settings(max_examples=examples(12), stateful_step_count=10, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]),
    )  # fmt: skip
