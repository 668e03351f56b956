"""A reader who wants no account follows a case by its public Atom feed: the case's published changes only."""

import xml.etree.ElementTree as ET

import pytest

from tests.factories import DetaineeFactory, DetentionFactory, SourceFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    root = ET.fromstring(response.content)
    return [(e.find(f"{ATOM}title").text, e.find(f"{ATOM}link").get("href")) for e in root.iter(f"{ATOM}entry")]


def published_case(name):
    person = DetaineeFactory(name=name, is_published=True)
    person.sources.add(SourceFactory())
    return person


def test_case_page_links_its_public_atom_feed_beside_follow(client):
    person = published_case("Feed Reader Case")
    page = client.get(f"/detainees/{person.slug}/").content.decode()
    assert f'href="/detainees/{person.slug}/feed.atom"' in page
    # also discoverable by a feed reader from the page's head
    assert f'type="application/atom+xml" title="Changes to this case" href="/detainees/{person.slug}/feed.atom"' in page


def test_case_feed_lists_the_case_published_changes_and_no_other_case(client):
    person = published_case("Feed Reader Case")
    other = published_case("Someone Else")
    assert client.get(f"/detainees/{person.slug}/feed.atom").status_code == 200  # publishes the first version
    person.description = "Journalist, arrested in Moscow."
    person.save()
    other.description = "Changed too."
    other.save()
    DetentionFactory(detainee=person, held_by="RU").sources.add(SourceFactory())
    response = client.get(f"/detainees/{person.slug}/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    found = entries(response)
    assert found, response.content
    assert all("Feed Reader Case" in title for title, _link in found)
    assert all(link.endswith(f"/detainees/{person.slug}/") for _title, link in found)
    assert "Someone Else" not in response.content.decode()
    assert found[-1][0].startswith("Published")  # oldest last: when the case came into public view
    assert b"description" in response.content  # says which fields changed


def test_case_feed_of_a_draft_is_404_and_shows_nothing(client):
    draft = DetaineeFactory(name="Secret Draft Person", is_published=False)
    response = client.get(f"/detainees/{draft.slug}/feed.atom")
    assert response.status_code == 404
    assert b"Secret Draft Person" not in response.content
    assert client.get("/detainees/no-such-person/feed.atom").status_code == 404


def test_case_feed_in_russian(client):
    person = published_case("Feed Reader Case")
    response = client.get(f"/ru/detainees/{person.slug}/feed.atom")
    assert response.status_code == 200
    assert f"/ru/detainees/{person.slug}/" in response.content.decode()
