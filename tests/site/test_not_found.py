"""`make run` (DEBUG on) shows the site's own 404 page, with a note, not Django's debug page."""

import pytest

pytestmark = pytest.mark.django_db


def test_with_debug_a_missing_page_shows_the_site_404_with_a_note(client, settings):
    settings.DEBUG = True
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html and "DEBUG_TECHNICAL_404=true" in html
    assert "Using the URLconf defined in" not in html
    title = html[html.index("<title>") : html.index("</title>")]
    assert title.startswith("<title>Page not found") and "<p" not in title and "DEBUG" not in title


def test_a_missing_case_shows_the_site_404_too(client, settings):
    settings.DEBUG = True
    response = client.get("/detainees/nobody/")
    assert response.status_code == 404 and "<h1>Page not found</h1>" in response.content.decode()


def test_the_debug_page_comes_back_when_asked_for(client, settings):
    settings.DEBUG, settings.DEBUG_TECHNICAL_404 = True, True
    assert "Using the URLconf defined in" in client.get("/no-such-page/").content.decode()


def test_without_debug_there_is_no_developer_note(client, settings):
    settings.DEBUG = False
    html = client.get("/no-such-page/").content.decode()
    assert "<h1>Page not found</h1>" in html and "DEBUG_TECHNICAL_404" not in html


def test_the_api_keeps_its_json_404(client, settings):
    settings.DEBUG = True
    response = client.get("/api/v1/detainees/999999/")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
