"""Issue 26 item 1, in a real headless Chromium: two editors in two browser contexts. Editor A asks to publish a
case (it awaits review, invisible to the public); A cannot approve their own work; editor B approves it from the
desk's "To check" list, and the public page appears, saying when a second editor last checked it (never who).

The person and the source are test data (the name is the issue's example; nothing here is presented as fact)."""

import re

import pytest
from django.conf import settings
from django.test import Client

from detainees.models import Detainee
from tests.factories import DetaineeFactory, DetentionFactory, ReviewerFactory, SourceFactory

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _review_on(settings):
    settings.REVIEW_REQUIRED = True


def signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_a_second_editor_approves_what_the_first_asked_to_publish(browser, live_server, screenshot):
    source = SourceFactory(title="Test report (test data)", url="https://example.org/review-e2e")
    person = DetaineeFactory(name="Siamak Namazi", is_published=False, description="test data")
    person.sources.add(source)
    DetentionFactory(detainee=person, held_by="IR", place="Evin (test data)").sources.add(source)
    a, b = ReviewerFactory(username="editor_a"), ReviewerFactory(username="editor_b")  # both may review: not own
    public_url = person.get_absolute_url()
    contexts = []
    try:
        context_a, page_a = signed_in(browser, live_server, a)
        context_b, page_b = signed_in(browser, live_server, b)
        anonymous = browser.new_context(base_url=live_server.url)
        contexts += [context_a, context_b, anonymous]
        visitor = anonymous.new_page()

        # A ticks "published" on the admin form and saves: the case awaits review, and stays invisible.
        page_a.goto(f"/admin/detainees/detainee/{person.pk}/change/")
        page_a.check("#id_is_published")
        page_a.click("input[name=_save]")
        page_a.wait_for_load_state()
        assert "Sent for review" in page_a.content()
        assert Detainee.objects.get(pk=person.pk).review_state == "awaiting_review"
        assert visitor.goto(public_url).status == 404

        # A finds it on the desk but cannot approve it: their own work.
        page_a.goto("/admin/")
        assert "To check (1)" in page_a.content()
        page_a.click("text=Siamak Namazi >> nth=0")
        page_a.wait_for_load_state()
        assert page_a.locator("button[value=approve]").count() == 0
        assert "a second editor must check them, not you" in page_a.content()
        screenshot(page_a, "review-own-work-refused")

        # B opens the same item from their desk and approves it.
        page_b.goto("/admin/")
        page_b.click("text=Siamak Namazi >> nth=0")
        page_b.wait_for_load_state()
        assert "Publication to approve" in page_b.content()
        page_b.click("button[value=approve]")
        page_b.wait_for_load_state()
        assert "Approved" in page_b.content()
        screenshot(page_b, "review-approved")

        # The public sees it now, with the date of the check and no editor's name (a new visitor: the first one's
        # browser may keep the earlier 404 for the minute anonymous answers may be kept).
        later = browser.new_context(base_url=live_server.url)
        contexts.append(later)
        visitor = later.new_page()
        assert visitor.goto(public_url).status == 200
        body = visitor.content()
        assert re.search(r"Last checked by a second editor on\s*<time", body)
        assert "editor_a" not in body and "editor_b" not in body
        assert Detainee.objects.get(pk=person.pk).review_state == "published"
    finally:
        for context in contexts:
            context.close()
