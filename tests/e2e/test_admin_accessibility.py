"""Every admin page the editors use passes axe-core with no serious or critical violation at 1280 px, and fits the
screen (issue 26, item 7). axe-core is vendored under tests/e2e/vendor/ (MPL-2.0) and injected into the page under
test only. The review queue (issue 26, item 1) is checked with the review work."""

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.e2e.test_pages import serious_violations
from tests.factories import EditorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor_page(browser, live_server, demo):
    """A browser signed in as an editor (not a superuser: the pages as the editors see them)."""
    client = Client()
    client.force_login(EditorFactory())
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def editors_pages() -> dict[str, str]:
    from detainees.models import Detainee
    from exchanges.models import Exchange
    from sources.models import Source

    whelan = Detainee.objects.get(slug="paul-whelan")
    return {
        "desk": reverse("admin:index"),
        "case entry": reverse("admin:detainees_case_entry"),
        "case entry, a case on file": reverse("admin:detainees_case_edit", args=[whelan.pk]),
        "intake": reverse("admin:detainees_intake"),
        "intake, an article's cases": reverse("admin:detainees_intake_review",
                                              args=[Source.objects.order_by("pk").first().pk]),  # fmt: skip
        "exchange add": reverse("admin:exchanges_exchange_add"),
        "exchange change": reverse("admin:exchanges_exchange_change",
                                   args=[Exchange.objects.get(slug="griner-bout-exchange").pk]),  # fmt: skip
        "detainee change": reverse("admin:detainees_detainee_change", args=[whelan.pk]),
        "source change": reverse("admin:sources_source_change", args=[Source.objects.order_by("pk").first().pk]),
    }


def test_the_editors_admin_pages_pass_axe_at_1280_px(editor_page):
    failures = {}
    for name, path in editors_pages().items():
        editor_page.goto(path, wait_until="networkidle")
        violations = serious_violations(editor_page)
        width = editor_page.evaluate("document.documentElement.scrollWidth")
        if violations or width > 1280:
            failures[name] = {"width": width, "violations": violations}
    assert not failures, json.dumps(failures, indent=1)


def test_the_exchange_participants_table_shows_note_and_delete_at_1280_px(editor_page):
    from exchanges.models import Exchange

    editor_page.goto(reverse("admin:exchanges_exchange_add"), wait_until="networkidle")
    for column in ("Note", "Delete?"):
        header = editor_page.locator("#participants-group th", has_text=column).first
        box = header.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1280, (column, box)
    pk = Exchange.objects.get(slug="griner-bout-exchange").pk
    editor_page.goto(reverse("admin:exchanges_exchange_change", args=[pk]), wait_until="networkidle")
    delete = editor_page.locator("#participants-group td.delete input").first
    box = delete.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1280, box


def test_an_exact_country_name_ranks_first_and_enter_picks_it(editor_page):
    """Typing "United States" and Enter picks the United States, not the Minor Outlying Islands (issue 26, item 5):
    an exact name, code or everyday name ranks first."""
    editor_page.goto(reverse("admin:detainees_detainee_add"), wait_until="networkidle")
    for typed, first in [("United States", "United States of America"), ("niger", "Niger"), ("Guinea", "Guinea"),
                         ("ir", "Iran")]:
        editor_page.click(".field-citizenships .select2-selection")
        editor_page.keyboard.type(typed)
        option = editor_page.locator(".select2-results__option").first
        assert option.text_content() == first, (typed, option.text_content())
        editor_page.keyboard.press("Escape")
    editor_page.click(".field-citizenships .select2-selection")
    editor_page.keyboard.type("United States")
    editor_page.keyboard.press("Enter")
    assert editor_page.locator("#id_citizenships").evaluate("s => Array.from(s.selectedOptions, o => o.value)") == [
        "US"
    ]
