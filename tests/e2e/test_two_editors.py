"""Two editors in two browsers edit the same case (issue 26, item 2): changes to different fields both survive; a
field both changed shows the side-by-side choice to the second, whose input is kept."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import EditorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_editors(browser, live_server, demo):
    contexts = []

    def signed_in():
        client = Client()
        client.force_login(EditorFactory())
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield signed_in(), signed_in()
    for context in contexts:
        context.close()


def save(page):
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state("networkidle")


def test_two_editors_merge_then_choose_side_by_side(two_editors):
    from detainees.models import Detainee

    one, two = two_editors
    whelan = Detainee.objects.get(slug="paul-whelan")
    detention = whelan.detentions.order_by("pk").first()
    url = reverse("admin:detainees_detainee_change", args=[whelan.pk])
    one.goto(url, wait_until="networkidle")
    two.goto(url, wait_until="networkidle")
    # Different fields: one the description, two a detention's place (in its inline row).
    one.fill("#id_description", "former US Marine (editor one)")
    save(one)
    assert "was changed successfully" in one.content()
    place = two.locator("input[name$='-place'][name^='detentions-']").first
    place.fill("Lefortovo prison, Moscow (editor two)")
    save(two)
    assert "was changed successfully" in two.content(), two.locator(".errornote, .errorlist").all_inner_texts()
    whelan.refresh_from_db()
    detention.refresh_from_db()
    assert whelan.description == "former US Marine (editor one)"
    assert detention.place == "Lefortovo prison, Moscow (editor two)"

    # The same field: the second sees theirs, theirs and the original side by side, with a choice.
    one.goto(url, wait_until="networkidle")
    two.goto(url, wait_until="networkidle")
    one.fill("#id_description", "theirs: former Marine")
    save(one)
    two.fill("#id_description", "mine: former US Marine")
    save(two)
    table = two.locator(".merge-conflicts")
    assert table.is_visible()
    assert "theirs: former Marine" in table.inner_text() and "mine: former US Marine" in table.inner_text()
    assert "former US Marine (editor one)" in table.inner_text()  # the original, when two opened it
    assert two.input_value("#id_description") == "mine: former US Marine"  # the input kept
    whelan.refresh_from_db()
    assert whelan.description == "theirs: former Marine"
    two.get_by_label("mine: former US Marine").check()
    save(two)
    assert "was changed successfully" in two.content()
    whelan.refresh_from_db()
    assert whelan.description == "mine: former US Marine"
