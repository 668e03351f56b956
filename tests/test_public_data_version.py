"""The public data version (X-Data-Version, the key of anonymous page and figure caches) comes from the change feed:
an edit of a draft does not move it for good, a published change does, and a write not yet published moves it at
once. Signed-in readers, who may see drafts, keep the full version, which any write moves (common.cache)."""

import pytest
from django.test import Client

from changes.publisher import publish
from common.cache import data_version
from tests.factories import DetaineeFactory

pytestmark = pytest.mark.django_db


def public_version(url: str) -> str:
    response = Client().get(url)
    assert response.status_code == 200
    return response["X-Data-Version"]


def test_a_draft_edit_leaves_the_public_version_and_a_published_change_moves_it(editor_client):
    person = DetaineeFactory(is_published=True)
    draft = DetaineeFactory(is_published=False)
    publish()
    url = person.get_absolute_url()
    before = public_version(url)
    editors_before = data_version(public=False)

    draft.description = "Only editors know this."
    draft.save()
    assert public_version(url) != before  # marked, not yet published: the version moves at once, to be safe
    publish()  # the publisher renders the draft: nothing public, no event
    assert public_version(url) == before
    assert data_version(public=False) != editors_before  # editors see drafts: their version moved

    answer = editor_client.patch(f"/api/v1/detainees/{draft.pk}/", {"description": "Again, privately."},
                                 content_type="application/json")  # fmt: skip
    assert answer.status_code == 200
    assert public_version(url) == before  # through the API: published after the request, nothing public

    person.description = "Corrected in public."
    person.save()
    publish()
    after = public_version(url)
    assert after != before
    assert public_version(url) == after == data_version(public=True)


def test_signed_in_responses_are_not_keyed_by_the_public_version(editor_client):
    person = DetaineeFactory(is_published=True)
    publish()
    assert "X-Data-Version" not in editor_client.get(person.get_absolute_url())  # private, no-store: no key at all
    assert data_version(public=True) != data_version(public=False)
