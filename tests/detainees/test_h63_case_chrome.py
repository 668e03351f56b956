"""h63: the case page's chrome (base.html) is rendered once per language and variant (common.chrome) and each
person's parts are spliced into it: the same bytes as the template rendered whole, for different people one after
the other (each with their own canonical address, hreflang links and language switcher), in both languages, on two
hosts; a signed-in editor's page (the Edit link, the messages) and an address with a query are rendered whole."""

from unittest import mock

import pytest
from django.contrib.messages import constants
from django.test import Client, override_settings

from common import chrome
from detainees.views import DetaineeDetailView
from tests.factories import DetaineeFactory, DetentionFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

FRESH = override_settings(PAGE_CACHE_SECONDS=0, CASE_DOCUMENTS=False, ALLOWED_HOSTS=["testserver", "other.example"])


def spy():
    """chrome.render, recording what it returned."""
    returned, render = [], chrome.render

    def recorded(*args, **kwargs):
        returned.append(render(*args, **kwargs))
        return returned[-1]

    return mock.patch.object(chrome, "render", recorded), returned


def whole(client, url: str, **extra) -> bytes:
    with mock.patch.object(DetaineeDetailView, "chrome_once", False):
        return client.get(url, **extra).content


@FRESH
def test_people_one_after_another_get_the_bytes_of_the_whole_template():
    people = [DetaineeFactory(name="Anna First"), DetaineeFactory(name="Boris Second", name_original="Борис Второй")]
    DetentionFactory(detainee=people[1], held_by="US")
    ParticipantFactory(detainee=people[1], released_by="US", received_by="RU")
    client, (spying, returned) = Client(), spy()
    with spying:
        for host in ("testserver", "other.example"):
            for prefix in ("", "/ru"):
                for person in people:
                    url = f"{prefix}{person.get_absolute_url()}"
                    page = client.get(url, HTTP_HOST=host).content
                    assert page == whole(client, url, HTTP_HOST=host), (host, url)
                    text = page.decode()
                    assert f'<link rel="canonical" href="http://{host}{url}">' in text
                    assert f'href="/ru{person.get_absolute_url()}" hreflang="ru"' in text or prefix == "/ru"
                    assert text.count(person.slug) >= 6
    assert len(returned) == 8 and None not in returned  # each spliced, none rendered whole


@FRESH
def test_an_editor_and_an_address_with_a_query_get_the_whole_template(editor_client):
    person = DetaineeFactory(name="Clara Third")
    url = person.get_absolute_url()
    spying, returned = spy()
    with spying:
        assert 'class="edit-link"' in editor_client.get(url).content.decode()
        anonymous = Client().get(f"{url}?utm=1").content
    assert returned == [None, None]
    assert anonymous == whole(Client(), f"{url}?utm=1")


@FRESH
def test_a_signed_in_users_messages_are_shown(editor_client):
    person = DetaineeFactory(name="Dora Fourth")
    with mock.patch("django.contrib.messages.context_processors.get_messages") as messages:
        message = mock.Mock(tags="info", level=constants.INFO)
        message.__str__ = lambda self: "Saved, thank you."
        messages.return_value = [message]
        page = editor_client.get(person.get_absolute_url()).content.decode()
    assert '<ul class="messages" role="status"><li class="info">Saved, thank you.</li></ul>' in page
