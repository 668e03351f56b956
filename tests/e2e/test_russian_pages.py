"""The site in Russian in a real browser: the overview, a list, a case, an exchange, the flows, the census and the
admin's one-screen case entry, at a desk (1280 px) and on a phone (390 px). Russian words are longer than English
ones: nothing may scroll sideways, and axe-core (vendored, tests/e2e/vendor) finds no serious or critical problem.
Screenshots land in tests/artifacts/ as ru-<page>-<width>.png.
"""

import pytest

from common.models import EditorLanguage
from tests.e2e.test_case_entry import editor_page  # noqa: F401  (the fixture)
from tests.e2e.test_pages import DESK, PHONE, check, serious_violations, visit  # noqa: F401  (visit: the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RUSSIAN_PAGES = {
    "overview": "/ru/",
    "case-list": "/ru/detainees/?citizenship=US",
    "case": "/ru/detainees/paul-whelan/",
    "exchange": "/ru/exchanges/2024-ankara-prisoner-exchange/",
    "flows": "/ru/flows/",
    "census": "/ru/census/?on=2022-12-01",
}
ENGLISH_NAV = ["Cases", "Exchanges", "Sources", "Flows", "Census", "Statements"]


@pytest.mark.parametrize(("name", "path"), RUSSIAN_PAGES.items(), ids=RUSSIAN_PAGES)
@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1280", "390"])
def test_russian_pages_at_a_desk_and_on_a_phone(visit, live_server, screenshot, name, path, viewport):  # noqa: F811
    page, hosts = visit(path, viewport)
    assert page.evaluate("document.documentElement.lang") == "ru"
    nav = page.locator(".site-header nav ul.nav").inner_text()
    assert "Дела" in nav and not any(word in nav.split() for word in ENGLISH_NAV), nav
    assert page.locator(".language-switcher a[hreflang=en]").count() == 1
    check(page, hosts, live_server, screenshot, f"ru-{name}-{viewport['width']}", viewport["width"])


def test_the_switcher_goes_to_the_same_page_in_the_other_language(visit):  # noqa: F811
    page, _ = visit("/ru/detainees/paul-whelan/", DESK)
    page.locator(".language-switcher a[hreflang=en]").click()
    page.wait_for_url("**/detainees/paul-whelan/")
    assert page.evaluate("document.documentElement.lang") == "en" and "/ru/" not in page.url
    page.locator(".language-switcher a[hreflang=ru]").click()
    page.wait_for_url("**/ru/detainees/paul-whelan/")
    assert page.evaluate("document.documentElement.lang") == "ru"


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["1280", "390"])
def test_the_case_entry_screen_in_russian(editor_page, screenshot, viewport):  # noqa: F811
    page = editor_page(viewport)
    page.goto("/admin/")
    page.locator("#editor-language-select").select_option("ru")  # the admin's header: the editor's language
    page.locator("form.editor-language button").click()
    page.wait_for_load_state()
    assert EditorLanguage.objects.filter(language="ru").exists()
    page.goto("/admin/detainees/detainee/case-entry/")
    assert page.evaluate("document.documentElement.lang") == "ru"
    assert page.get_by_role("button", name="Сохранить дело").count() == 1
    assert page.locator("text=Периоды содержания под стражей с обвинениями, приговорами и переводами").count() == 1
    screenshot(page, f"ru-admin-case-entry-{viewport['width']}")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= viewport["width"], f"the screen is {scroll_width}px wide on a {viewport['width']}px screen"
    violations = serious_violations(page)
    assert not violations, violations
