"""Review with two editors (h24, issue 26): when two editors both changed a published case, each checks the OTHER's
part, and the item closes once every author's changes were checked by someone other than that author. Nobody checks
their own change; a third editor checks everything at once; the desk and the review page say what is left."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from common import review
from common.models import ReviewItem
from detainees.models import Detainee, Detention
from tests.factories import ReviewerFactory
from tests.test_review import item_of, published_case, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _review_on(settings):
    settings.REVIEW_REQUIRED = True


def both_change(a, b):
    person = published_case(name="Joseph Tater", description="businessman")
    detention = person.detentions.get()
    assert token_client(a).patch(reverse("api:detainee-detail", args=[person.pk]), {"description": "artist"},
                                 format="json").status_code == 200  # fmt: skip
    assert token_client(b).patch(reverse("api:detention-detail", args=[detention.pk]), {"place": "Evin prison"},
                                 format="json").status_code == 200  # fmt: skip
    item = item_of(person)
    assert set(item.editors.all()) == {a, b}
    return person, item


def test_two_authors_each_check_the_others_part_and_the_item_closes():
    a, b = ReviewerFactory(username="editora"), ReviewerFactory(username="editorb")
    person, item = both_change(a, b)
    assert review.refusal(a, item) == "" and review.refusal(b, item) == ""
    review.approve(item, a)  # A checks B's part
    item.refresh_from_db()
    assert item.outcome == "" and item.checked_by_author() == {b.pk: a.pk}
    assert Detainee.objects.get(pk=person.pk).last_checked_on is None  # not yet checked whole
    assert item.progress() == [
        "editorb’s changes checked by editora",
        "editora’s changes still to check by someone other than editora",
    ]
    with pytest.raises(PermissionDenied):
        review.approve(item, a)  # only A's own part is left
    assert "a second editor must check them, not you" in review.refusal(a, item)
    review.approve(item, b)  # B checks A's part
    item.refresh_from_db()
    assert item.outcome == "checked" and item.checked_by_author() == {a.pk: b.pk, b.pk: a.pk}
    person.refresh_from_db()
    assert person.last_checked_on == timezone.localdate() and person.description == "artist"
    assert Detention.objects.get(detainee=person).place == "Evin prison"


def test_neither_author_checks_their_own_part_and_a_new_change_is_to_check_again():
    a, b = ReviewerFactory(), ReviewerFactory()
    person, item = both_change(a, b)
    review.approve(item, b)  # B checks A's part
    # A changes the case again: A's new change is not what B checked.
    token_client(a).patch(reverse("api:detainee-detail", args=[person.pk]), {"description": "poet"}, format="json")
    item = item_of(person)
    assert item.checked_by_author() == {}
    review.approve(item, a)  # A checks B's part
    with pytest.raises(PermissionDenied):
        review.approve(ReviewItem.objects.get(pk=item.pk), a)  # only A's own part is left
    assert ReviewItem.objects.get(pk=item.pk).outcome == ""


def test_a_third_editor_checks_every_part_at_once():
    a, b, c = ReviewerFactory(), ReviewerFactory(), ReviewerFactory()
    _person, item = both_change(a, b)
    review.approve(item, c)
    item.refresh_from_db()
    assert item.outcome == "checked" and item.checked_by_author() == {a.pk: c.pk, b.pk: c.pk}


def test_revert_is_for_a_reviewer_with_someone_elses_changes_to_check():
    a, b = ReviewerFactory(), ReviewerFactory()
    person, item = both_change(a, b)
    review.approve(item, a)  # A checked B's part: only A's is left, so A may not revert it alone
    with pytest.raises(PermissionDenied):
        review.revert(ReviewItem.objects.get(pk=item.pk), a)
    review.revert(ReviewItem.objects.get(pk=item.pk), b)
    person.refresh_from_db()
    assert person.description == "businessman" and ReviewItem.objects.get(pk=item.pk).outcome == "reverted"


def test_the_desk_and_the_review_page_say_what_is_left(client):
    a, b = ReviewerFactory(username="editora"), ReviewerFactory(username="editorb")
    _person, item = both_change(a, b)
    url = reverse("admin:common_reviewitem_change", args=[item.pk])
    client.force_login(a)
    page = client.get(url).content.decode()
    assert 'value="approve"' in page and 'value="revert"' in page
    assert "Mark editorb’s changes checked" in page
    assert client.post(url, {"decision": "approve"}).status_code == 302
    desk = client.get(reverse("admin:index")).content.decode()
    left = "editorb’s changes checked by editora; editora’s changes still to check by someone other than editora"
    assert left in desk
    page = client.get(url).content.decode()
    assert 'value="approve"' not in page and "editora’s changes still to check by someone other than editora" in page
    client.force_login(b)
    page = client.get(url).content.decode()
    assert "Mark editora’s changes checked" in page
    client.post(url, {"decision": "approve"})
    assert ReviewItem.objects.get(pk=item.pk).outcome == "checked"
