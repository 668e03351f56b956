"""After saving a published case on the one-screen editor the editor lands on the public page, told that it was
saved and, with review on, that the change waits in "To check" for a second editor (h24, issue 26)."""

import pytest

from common.models import ReviewItem
from detainees.models import Detainee
from tests.detainees.test_case_entry import edit_url, gordon_black, screen_data  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def publish_as_a_command(person) -> Detainee:
    person = Detainee.objects.get(pk=person.pk)
    person.is_published, person.awaiting_review = True, False
    person.save()  # no account acting: public at once
    return person


def edit_place(editor_client, person):
    data = screen_data(editor_client.get(edit_url(person)))
    data["det-0-place"] = "Vladivostok (test edit)"
    return editor_client.post(edit_url(person), data, follow=True)


def test_saving_a_published_case_says_it_was_saved(editor_client, gordon_black):  # noqa: F811
    person = publish_as_a_command(gordon_black)
    response = edit_place(editor_client, person)
    assert response.redirect_chain[-1][0] == person.get_absolute_url()
    html = response.content.decode()
    assert "Saved “Gordon Black”." in html and 'class="messages"' in html
    assert "second editor" not in html


def test_with_review_on_it_says_the_change_is_queued_for_a_second_editor(settings, editor_client, gordon_black):  # noqa: F811
    settings.REVIEW_REQUIRED = True
    person = publish_as_a_command(gordon_black)
    response = edit_place(editor_client, person)
    assert response.redirect_chain[-1][0] == person.get_absolute_url()
    assert "Saved “Gordon Black”: queued in “To check” for a second editor to check." in response.content.decode()
    assert ReviewItem.objects.filter(object_id=person.pk, outcome="", kind="change").exists()


def test_an_anonymous_public_page_shows_no_message(client, editor_client, gordon_black):  # noqa: F811
    person = publish_as_a_command(gordon_black)
    client.logout()
    assert 'class="messages"' not in client.get(person.get_absolute_url()).content.decode()
