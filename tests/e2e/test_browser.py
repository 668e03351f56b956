"""A newcomer's path through the site, in a real headless Chromium."""

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_newcomer_finds_griner_and_reaches_the_exchange_in_two_clicks(page, screenshot):
    page.goto("/")
    assert "held now" in page.content()
    page.get_by_label("Find a case").fill("griner")
    page.get_by_label("Find a case").press("Enter")
    page.wait_for_url(re.compile(r"/detainees/\?q=griner"))
    assert page.locator(".result-count").inner_text().startswith("1 case")
    page.get_by_role("link", name="Brittney Griner").click()  # click 1
    page.wait_for_url("**/detainees/brittney-griner/")
    assert "Exchanged on 8 December 2022" in page.locator(".status-line").inner_text()
    timeline = page.locator("ol.timeline")
    assert "17 February 2022" in timeline.inner_text() and "Khimki City Court" in timeline.inner_text()
    assert page.locator("ol.timeline sup.cite a").count() >= 6
    screenshot(page, "case-page")
    page.locator("ol.timeline").get_by_role("link", name="Griner–Bout exchange").click()  # click 2
    page.wait_for_url("**/exchanges/griner-bout-exchange/")
    who = page.locator(".direction").all_inner_texts()
    assert any("Russia" in t and "United States of America" in t and "Brittney Griner" in t for t in who)
    assert any("Viktor Bout" in t for t in who)
    screenshot(page, "exchange-page")


def test_citation_leads_to_the_source_and_its_original(page):
    page.goto("/detainees/viktor-bout/")
    page.locator("ol.timeline sup.cite a").first.click()
    assert page.url.endswith("#source-1")
    source_link = page.locator("#source-1 a").first
    source_link.click()
    page.wait_for_url(re.compile(r"/sources/\d+/"))
    assert "Viktor Bout" in page.locator("h1").inner_text()
    assert page.get_by_role("link", name="https://en.wikipedia.org/wiki/Viktor_Bout").count() == 1
    assert "Viktor Bout" in page.locator("main").inner_text()  # "Cited in" lists the case


def test_filter_and_search_in_any_script(page):
    page.goto("/detainees/")
    page.get_by_role("link", name=re.compile(r"^Espionage 2")).click()  # a facet value applies at once
    page.wait_for_url(re.compile(r"charge_category=espionage"))
    names = page.locator(".cards h2 a").all_inner_texts()
    assert names == ["Evan Gershkovich", "Paul Whelan"]
    page.goto("/detainees/")
    page.locator("#id_q").fill("Бут")
    page.locator("#id_q").press("Enter")
    page.wait_for_url(re.compile(r"q="))
    assert page.locator(".cards h2 a").all_inner_texts() == ["Viktor Bout"]


def test_multi_country_exchange_page_groups_people_by_direction(page, screenshot):
    page.goto("/exchanges/2024-ankara-prisoner-exchange/")
    headings = page.locator(".direction h3").all_inner_texts()
    assert len(headings) == 8  # RU→DE, RU→US, US→RU, SI→RU, BY→DE, DE→RU, NO→RU, PL→RU
    assert any("Germany" in h and "Russia" in h for h in headings)
    screenshot(page, "exchange-multiparty")


def test_keyboard_user_can_skip_to_content_and_sees_focus(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_pages_work_on_a_phone(browser, live_server, demo, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url)
    page = context.new_page()
    page.goto("/detainees/paul-whelan/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px screen"
    screenshot(page, "case-page-phone")
    context.close()


def test_real_cases_render_in_the_browser(page, screenshot):
    """Issue 12: a custody chain, a wrongful-detention designation, a group-held case, the full Ankara exchange and
    an official's page, as a reader sees them."""
    page.goto("/detainees/viktor-bout/")
    chain = page.locator(".custody-chain").inner_text()
    assert "Held by Thailand from 6 March 2008, extradited to the United States of America on 16 November 2010" in chain
    assert page.locator("section.detention h2").all_inner_texts()[0].startswith("Held by Thailand")
    assert "18 U.S.C. § 2332g" in page.content() and "editors’ description, headline unknown" in page.content()
    screenshot(page, "case-bout-custody-chain")

    page.goto("/detainees/paul-whelan/")
    assert "Wrongfully detained" in page.locator("#designations-h + ul").inner_text()
    timeline = page.locator("ol.timeline").inner_text()
    assert timeline.index("15 June 2020") < timeline.index("Penal colony IK-17")
    screenshot(page, "case-whelan")

    page.goto("/detainees/gilad-shalit/")
    assert page.locator("section.detention h2").first.inner_text().startswith("Held by Hamas")
    screenshot(page, "case-shalit-held-by-group")
    assert page.locator("section.detention h2 a").first.get_attribute("href") == "/groups/hamas/"
    page.goto("/groups/hamas/")
    assert "Gilad Shalit" in page.content()
    screenshot(page, "group-hamas")

    page.goto("/exchanges/2024-ankara-prisoner-exchange/")
    assert "24 people in all" in page.content()
    who = page.locator(".direction").all_inner_texts()
    assert any("Belarus" in t and "Rico Krieger" in t for t in who)
    assert any("Slovenia" in t and "Anna Dultseva" in t for t in who)
    screenshot(page, "exchange-ankara")

    page.goto("/exchanges/gilad-shalit-prisoner-exchange/")
    assert "1,028 people in all" in page.content()
    screenshot(page, "exchange-shalit-counted")

    page.goto("/officials/sergei-vershinin/")
    assert "exceeds 60 people" in page.content()
    screenshot(page, "official-vershinin")


def test_a_script_author_searches_the_api_reference(browser, live_server):
    """Redoc builds its search index in a Web Worker (blob:), which a CSP without worker-src refuses: the box then
    filters nothing. (No demo: the reference needs no case.)"""
    page = browser.new_context(base_url=live_server.url).new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and "worker" in message.text and errors.append(message))
    page.goto("/api/redoc/", wait_until="networkidle")
    page.get_by_placeholder("Search...").fill("exchange")
    results = page.locator('[data-role="search:results"] li, [role="search"] ~ * li').filter(has_text="Get an exchange")
    results.first.wait_for(timeout=10_000)
    assert not errors
    page.context.close()
