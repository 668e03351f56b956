"""Every public page at a desk (1280 px) and on a phone (390 px): screenshots for review, no sideways scrolling,
no request leaving the site, and no serious or critical axe-core violation.

Screenshots land in tests/artifacts/ (git-ignored; CI keeps them as artefacts). axe-core is vendored under
tests/e2e/vendor/ (MPL-2.0) and injected into the page under test only.
"""

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import ARTIFACTS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
DESK, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}

# The pages the issue names, at both widths.
KEY_PAGES = {
    "overview": "/",
    "case-list": "/detainees/?citizenship=US",
    "case": "/detainees/paul-whelan/",
    "flows": "/flows/",
    "census": "/census/?on=2022-12-01",
    "census-partial-dates": "/census/?on=2019-08-15",
    "map-on-a-day": "/flows/?on=2022-12-01#held-map",
    "methodology": "/about/",
}
# Every other public page, at a desk.
OTHER_PAGES = {
    "exchange-list": "/exchanges/",
    "exchange": "/exchanges/2024-ankara-prisoner-exchange/",
    "source-list": "/sources/",
    "statement-list": "/statements/",
    "not-found": "/no-such-page/",
    "api-root": "/api/v1/",
    "api-docs": "/api/docs/",
    "api-redoc": "/api/redoc/",
}


@pytest.fixture
def visit(browser, live_server, demo):
    """Open a path in a fresh context of the given size; returns the page and the hosts it requested."""
    contexts = []

    def open_(path: str, viewport: dict):
        # the site's Content-Security-Policy stays on, as visitors get it; axe goes in through the debugger
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        hosts = set()
        # what reached a network: requests that got an answer, or failed for another reason than the site's CSP
        # (Redoc's bundle asks for a logo at cdn.redoc.ly; img-src 'self' stops it inside the browser)
        page.on("response", lambda response: hosts.add(urlsplit(response.url).netloc))
        page.on(
            "requestfailed",
            lambda request: (
                request.failure not in ("csp", "net::ERR_BLOCKED_BY_CSP") and hosts.add(urlsplit(request.url).netloc)
            ),
        )
        page.goto(path, wait_until="networkidle")
        return page, hosts

    yield open_
    for context in contexts:
        context.close()


def serious_violations(page) -> list[dict]:
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(v => ({
             id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))"""
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def check(page, hosts, live_server, screenshot, name: str, width: int):
    if name.startswith("api-redoc"):  # one very long page: the first screen says enough
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    else:
        screenshot(page, name)
    assert hosts - {""} <= {urlsplit(live_server.url).netloc}  # "": data: addresses, f"requests left the site: {hosts}"
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{name} is {scroll_width}px wide on a {width}px screen"
    violations = serious_violations(page)
    assert not violations, json.dumps(violations, indent=1)


@pytest.mark.parametrize(("name", "path"), KEY_PAGES.items(), ids=KEY_PAGES)
@pytest.mark.parametrize(("size", "viewport"), [("desk", DESK), ("phone", PHONE)], ids=["1280", "390"])
def test_key_pages_at_a_desk_and_on_a_phone(visit, live_server, screenshot, name, path, size, viewport):
    page, hosts = visit(path, viewport)
    check(page, hosts, live_server, screenshot, f"{name}-{viewport['width']}", viewport["width"])


@pytest.mark.parametrize(("name", "path"), OTHER_PAGES.items(), ids=OTHER_PAGES)
def test_every_other_public_page(visit, live_server, screenshot, name, path):
    page, hosts = visit(path, DESK)
    check(page, hosts, live_server, screenshot, f"{name}-1280", 1280)


def test_on_a_phone_the_first_result_comes_before_the_fold(visit):
    page, _ = visit("/detainees/", PHONE)
    top = page.locator(".cards .card").first.bounding_box()["y"]
    assert top < 844, f"the first result starts {top}px down a 844px screen"
    page.locator(".filters-disclosure > summary").click()
    assert page.get_by_role("link", name="Espionage 2").is_visible()


def test_at_a_desk_the_filters_are_open_beside_the_results(visit):
    page, _ = visit("/detainees/", DESK)
    assert page.get_by_role("link", name="Espionage 2").is_visible()
    assert page.locator("#id_q").is_visible()


def test_source_page(visit, live_server, screenshot):
    from sources.models import Source

    page, hosts = visit(Source.objects.order_by("pk").first().get_absolute_url(), DESK)
    check(page, hosts, live_server, screenshot, "source-1280", 1280)


def test_api_docs_show_one_group_per_resource(visit):
    page, _ = visit("/api/docs/", DESK)
    page.locator(".opblock-tag").first.wait_for()
    groups = page.locator(".opblock-tag").all_inner_texts()
    assert any(g.strip().startswith("detainees") for g in groups) and len(groups) >= 10
    assert page.locator(".opblock").count() == 0  # folded: nothing to lay out until a group is opened


def test_the_header_search_shows_its_whole_placeholder_at_a_desk(visit):
    page, _ = visit("/detainees/", DESK)
    room, needed = page.evaluate(
        """() => { const input = document.querySelector("#header-q"); const style = getComputedStyle(input);
                   const ctx = document.createElement("canvas").getContext("2d"); ctx.font = style.font;
                   const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
                   return [input.clientWidth - padding, ctx.measureText(input.placeholder).width]; }"""
    )
    assert needed <= room, f"the placeholder needs {needed:.0f}px and has {room:.0f}px"


@pytest.mark.parametrize("path", ["/detainees/", "/detainees/paul-whelan/", "/about/", "/flows/"])
def test_inner_page_headings_do_not_sit_against_the_header(visit, path):
    page, _ = visit(path, DESK)
    gap = page.evaluate(
        "() => document.querySelector('h1').getBoundingClientRect().top"
        " - document.querySelector('.site-header').getBoundingClientRect().bottom"
    )
    assert gap >= 24, f"{path}: the h1 starts {gap:.0f}px below the header"


@pytest.mark.parametrize(("size", "viewport"), [("desk", DESK), ("phone", PHONE)], ids=["1280", "390"])
def test_flow_diagram_labels_are_readable_and_cover_no_band(visit, size, viewport):
    """At 390 px the labels covered the bands; they now stand outside the node columns, apart from each other."""
    page, _ = visit("/flows/", viewport)
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('svg.sankey text, svg.chart text')]"
        ".filter(t => t.closest('svg').getBoundingClientRect().width > 0)"
        ".map(t => t.getBoundingClientRect().height)"
    )
    assert sizes and min(sizes) >= 11, f"smallest label {min(sizes):.1f}px high"
    panels = page.evaluate(
        """() => [...document.querySelectorAll('svg.sankey')].filter(s => s.getBoundingClientRect().width > 0)
             .map(svg => {
               const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
               const nodes = [...svg.querySelectorAll('rect.node:not(.scale-key)')].map(box);
               return {nodes, labels: [...svg.querySelectorAll('text.node-label')].map(box),
                       svg: box(svg)}; })"""
    )
    assert len(panels) == 2  # the named people and the counted ones, one drawing each at this width
    for panel in panels:
        inner_left = min(n[2] for n in panel["nodes"])  # the right edge of the left column
        inner_right = max(n[0] for n in panel["nodes"])  # the left edge of the right column
        for left, _top, right, _bottom in panel["labels"]:
            assert right <= inner_left - 9 or left >= inner_right + 9, "a label stands over the bands"
            assert left >= panel["svg"][0] - 0.5 and right <= panel["svg"][2] + 0.5, "a label is cut off"
        labels = sorted(panel["labels"], key=lambda b: (b[0] > inner_right, b[1]))
        for a, b in zip(labels, labels[1:], strict=False):
            same_side = (a[0] > inner_right) == (b[0] > inner_right)
            assert not same_side or a[3] <= b[1] + 0.5, f"labels overlap: {a} {b}"


def test_the_census_page_counts_a_day_chosen_in_its_form(visit, screenshot):
    page, _ = visit("/census/", PHONE)
    page.fill("#id_on", "2019-08-15")
    page.get_by_role("button", name="Count").click()
    page.wait_for_url("**/census/?on=2019-08-15")
    assert "Trevor Reed" in page.locator(".uncertain").first.inner_text()
    screenshot(page, "census-form-390")


def test_every_source_page_fits_a_phone(visit, screenshot):
    """A new-user check found 12 of the 14 demo source pages 427–600 px wide on a phone: long addresses did not wrap."""
    from sources.models import Source

    longest = max(Source.objects.all(), key=lambda s: len(s.url)).pk
    for pk in Source.objects.order_by("pk").values_list("pk", flat=True):
        page, _ = visit(f"/sources/{pk}/", PHONE)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"/sources/{pk}/ is {width}px wide on a {PHONE['width']}px screen"
        if pk == longest:  # the longest address, for review
            screenshot(page, "source-longest-address-390")
        page.context.close()


@pytest.mark.parametrize(("size", "viewport"), [("desk", DESK), ("phone", PHONE)], ids=["1280", "390"])
def test_the_overview_years_stand_apart_inside_the_chart(visit, screenshot, size, viewport):
    """At 390 px the year labels touched ("20102012…") and the last was cut off at the picture's edge."""
    page, _ = visit("/", viewport)
    screenshot(page, f"overview-chart-{viewport['width']}")
    boxes = page.evaluate(
        """() => { const svg = document.querySelector('svg.chart'); const s = svg.getBoundingClientRect();
             return {svg: [s.left, s.right], years: [...svg.querySelectorAll('text:not(.value):not(.tick)')]
               .filter(t => getComputedStyle(t).display != 'none')
               .map(t => { const r = t.getBoundingClientRect(); return [r.left, r.right]; })}; }"""
    )
    years = sorted(boxes["years"])
    assert len(years) >= 2
    for (_, right), (left, _) in zip(years, years[1:], strict=False):
        assert left - right >= 4, f"year labels {left - right:.1f}px apart"
    assert years[0][0] >= boxes["svg"][0] - 0.5 and years[-1][1] <= boxes["svg"][1] + 0.5, "a year is cut off"


@pytest.mark.parametrize(("size", "viewport"), [("desk", DESK), ("phone", PHONE)], ids=["1280", "390"])
@pytest.mark.parametrize("prefix", ["", "/ru"])
def test_a_readers_follows_fit_a_phone_with_every_button_whole(visit, live_server, screenshot, size, viewport, prefix):
    """At 390 px the follows table ran 94px past the screen and cut "Stop following" off."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from alerts.models import Account
    from alerts.services import create_follow
    from detainees.models import Detainee
    from exchanges.models import Exchange

    user = get_user_model().objects.create_user(username="r@example.org", email="r@example.org", password="pw-x9!k2")
    Account.objects.create(user=user, email_confirmed=user.email, confirmed_at=timezone.now())
    person, swap = Detainee.objects.published().first(), Exchange.objects.published().first()
    create_follow(user=user, kind="detainee", object_id=person.pk, label=person.name)
    create_follow(user=user, kind="exchange", object_id=swap.pk, label=swap.name)
    create_follow(user=user, kind="search", query="held_by=RU")
    page, _ = visit(f"{prefix}/account/login/", viewport)
    page.fill("#id_username", "r@example.org")
    page.fill("#id_password", "pw-x9!k2")
    page.press("#id_password", "Enter")
    page.wait_for_url(f"**{prefix}/account/")
    screenshot(page, f"account-follows{prefix.replace('/', '-')}-{viewport['width']}")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    buttons = page.evaluate(
        """() => [...document.querySelectorAll('form[action*="/follows/"] button')].map(b => {
             const r = b.getBoundingClientRect(); return [r.left, r.right, b.scrollWidth <= b.clientWidth]; })"""
    )
    assert len(buttons) == 3
    assert all(left >= 0 and right <= viewport["width"] and whole for left, right, whole in buttons), buttons
