"""`?page=99` beyond the last page showed the last page as if it had been asked for (a new user, h67); `?page=abc`
the first. A list page now says so: 404 and a notice for a page that does not exist (the last page shown, so the
reader sees where they are), 400 and a notice for a page number that is not one; never a 500. The API answers 400
naming `page` for both, as before."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.factories import DetaineeFactory, ExchangeFactory, SourceFactory

pytestmark = pytest.mark.django_db


def notice(html: str) -> str:
    if '<div class="errors" role="alert"><p>' not in html:
        return ""
    return html.split('<div class="errors" role="alert"><p>', 1)[1].split("</p>", 1)[0]


@override_settings(PAGE_CACHE_SECONDS=0)
@pytest.mark.parametrize("path", ["/detainees/", "/exchanges/", "/sources/", "/statements/"])
def test_a_page_beyond_the_last_is_a_404_that_says_so(client, path):
    for i in range(3):
        DetaineeFactory(name=f"Person {i}", is_published=True)
        ExchangeFactory(is_published=True)
        SourceFactory()
    cache.clear()
    fine = client.get(path, {"page": "1"})
    assert fine.status_code == 200 and notice(fine.content.decode()) == ""
    beyond = client.get(path, {"page": "99"})
    assert beyond.status_code == 404
    assert notice(beyond.content.decode()).startswith("There is no page 99: these results fill 1 page")
    for bad in ("abc", "0", "-2", "1.5", "٣"):
        refused = client.get(path, {"page": bad})
        assert refused.status_code == 400, bad
        assert notice(refused.content.decode()) == "A page is a whole number of 1 or more: the first page is shown."


@override_settings(PAGE_CACHE_SECONDS=0)
def test_the_notice_is_russian_on_russian_pages_and_the_api_names_page(client):
    DetaineeFactory(is_published=True)
    page = client.get("/ru/detainees/", {"page": "7", "q": "Person"})
    assert page.status_code == 404
    assert notice(page.content.decode()).startswith("Страницы 7 нет: эти результаты занимают 1 страницу")
    api = client.get("/api/v1/detainees/", {"page": "99"})
    assert api.status_code == 400 and "page" in api.json()


@override_settings(PAGE_CACHE_SECONDS=0, DEBUG=True)
def test_with_debug_on_the_page_beyond_the_last_still_says_which_pages_there_are(client):
    """`make run` (DEBUG on) swapped every HTML 404 for the site's "no public record at this address" page, this one
    too (the new user's browser trial, h68); a missing address still gets that page."""
    for i in range(3):
        DetaineeFactory(name=f"Person {i}", is_published=True)
    cache.clear()
    beyond = client.get("/detainees/", {"page": "99"})
    assert beyond.status_code == 404
    assert notice(beyond.content.decode()).startswith("There is no page 99: these results fill 1 page")
    missing = client.get("/detainees/no-such-person/")
    assert missing.status_code == 404 and "There is no public record at this address" in missing.content.decode()
