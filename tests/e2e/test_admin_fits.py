"""The admin's record pages fit a 1280 px screen: no page scrolls sideways (a table of inline rows too wide for its
column scrolls inside its own box), with the demo cases loaded."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from exchanges.models import Exchange
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e  # a browser: not in `make check`


@pytest.fixture
def admin_page(browser, live_server, demo):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_record_pages_with_inline_tables_fit_1280_px(admin_page):
    from detainees.models import Detainee, Detention, Sentence

    whelan = Detainee.objects.get(slug="paul-whelan")
    pages = [
        reverse("admin:index"),
        reverse("admin:detainees_detainee_change", args=[whelan.pk]),
        reverse("admin:detainees_detention_change", args=[Detention.objects.filter(detainee=whelan).first().pk]),
        reverse("admin:detainees_sentence_change", args=[Sentence.objects.first().pk]),
        reverse("admin:exchanges_exchange_change", args=[Exchange.objects.get(slug="griner-bout-exchange").pk]),
    ]
    for path in pages:
        admin_page.goto(path)
        width = admin_page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"{path} is {width} px wide"


def test_the_desk_fits_a_phone(admin_page):
    admin_page.set_viewport_size({"width": 390, "height": 844})
    admin_page.goto(reverse("admin:index"))
    assert admin_page.evaluate("document.documentElement.scrollWidth") <= 390
    link = admin_page.get_by_role("link", name="Add a case")
    assert link.bounding_box()["height"] < 30  # one line, not a letter or two per line


def test_type_to_find_boxes_know_everyday_names(admin_page):
    person, sentence = reverse("admin:detainees_detainee_add"), reverse("admin:detainees_sentence_add")
    citizenships, currency = ".field-citizenships .select2-selection", ".field-fine_currency .select2-selection"
    for path, box, typed, first in [
        (person, citizenships, "usa", "United States"),
        (person, citizenships, "britain", "United Kingdom"),
        (sentence, currency, "rouble", "RUB — "),
        (sentence, currency, "rub", "RUB — "),
    ]:
        admin_page.goto(path)
        admin_page.click(box)
        admin_page.keyboard.type(typed)
        option = admin_page.locator(".select2-results__option").first
        assert option.text_content().startswith(first), (typed, option.text_content())
