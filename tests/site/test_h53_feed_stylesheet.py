"""Atom feeds open as a readable page in a browser: each feed names the site's XSLT (`<?xml-stylesheet?>`, same
origin, in the feed's language) before its root, and stays the same Atom for feed readers."""

import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache

from tests.factories import DetaineeFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
XSL = "{http://www.w3.org/1999/XSL/Transform}"


@pytest.mark.parametrize("prefix", ["", "/ru"])
def test_feeds_name_the_stylesheet_and_stay_atom(client, prefix):
    cache.clear()
    DetaineeFactory(name="Ilya Yashin", name_original="Илья Яшин")
    body = client.get(f"{prefix}/feed.atom").content.decode()
    head = body.split("<feed", 1)[0]
    assert f'<?xml-stylesheet href="{prefix}/feed.xsl" media="screen" type="text/xsl"?>' in head
    root = ET.fromstring(body.encode())
    assert root.tag == f"{ATOM}feed" and root.find(f"{ATOM}entry/{ATOM}title") is not None
    stylesheet = client.get(f"{prefix}/feed.xsl")
    assert stylesheet["Content-Type"].startswith("text/xsl")
    xsl = ET.fromstring(stylesheet.content)
    assert xsl.tag == f"{XSL}stylesheet"
    text = stylesheet.content.decode()
    assert "http://" not in text.replace("http://www.w3.org/", "")  # nothing from another host
    assert "<script" not in text
    if prefix:
        assert "Это лента (Atom)" in text and 'lang="ru"' in text


def test_a_browser_gets_xml_it_styles_and_a_reader_gets_atom(client):
    cache.clear()
    DetaineeFactory()
    reader = client.get("/feed.atom", HTTP_ACCEPT="application/atom+xml, application/xml;q=0.9, */*;q=0.8")
    assert reader["Content-Type"].startswith("application/atom+xml") and "Accept" in reader["Vary"]
    browser = client.get("/feed.atom", HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert browser["Content-Type"].startswith("application/xml")  # Chromium shows atom+xml as text, unstyled
    assert browser.content == reader.content


def test_a_case_feed_names_the_stylesheet(client):
    cache.clear()
    person = DetaineeFactory(name="Ilya Yashin")
    response = client.get(f"/ru/detainees/{person.slug}/feed.atom")
    if response.status_code == 200:
        assert '<?xml-stylesheet href="/ru/feed.xsl"' in response.content.decode()
        ET.fromstring(response.content)
