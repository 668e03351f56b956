"""Cite this page: on case, exchange and source pages; BibTeX, RIS and CSL-JSON that parse; sharing and
schema.org tags; day counts with a thousands separator."""

import datetime
import json
import re

import bibtexparser
import pytest
import rispy
from django.urls import reverse
from django.utils import timezone

from common.citations import PageCitation, to_bibtex
from detainees.models import Detainee
from exchanges.models import Exchange
from sources.models import Source
from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db


def pages(demo_objects=None):
    person = Detainee.objects.get(slug="paul-whelan")
    exchange = Exchange.objects.get(slug="2024-ankara-prisoner-exchange")
    source = Source.objects.filter(cited_detainees=person).first() or Source.objects.first()
    return [
        (person.get_absolute_url(), "detainees:detainee-cite", {"slug": person.slug}, person.name),
        (exchange.get_absolute_url(), "exchanges:exchange-cite", {"slug": exchange.slug}, exchange.name),
        (source.get_absolute_url(), "sources:source-cite", {"pk": source.pk}, source.title),
    ]


def test_case_exchange_and_source_pages_offer_a_citation_and_three_downloads(client, demo):
    for url, cite_name, kwargs, title in pages():
        html = client.get(url).content.decode()
        assert "Cite this page" in html, url
        assert f"Prisoner Exchange Tracker, “{title}”, http://testserver{url}" in html
        for fmt, label in [("bib", "BibTeX"), ("ris", "RIS"), ("json", "CSL-JSON")]:
            assert f'<a href="{reverse(cite_name, kwargs={**kwargs, "fmt": fmt})}" download>{label}</a>' in html


def test_bibtex_parses_with_the_page_fields(client, demo):
    for url, cite_name, kwargs, title in pages():
        response = client.get(reverse(cite_name, kwargs={**kwargs, "fmt": "bib"}))
        assert response["Content-Type"].startswith("application/x-bibtex")
        library = bibtexparser.parse_string(response.content.decode())
        assert not library.failed_blocks, [b.error for b in library.failed_blocks]
        (entry,) = library.entries
        assert entry.entry_type == "misc"
        assert entry["url"] == f"http://testserver{url}"
        assert entry["urldate"] == timezone.localdate().isoformat()
        assert entry["title"].replace("\\", "") == title.replace("\\", "")


def test_bibtex_escapes_what_latex_reads_as_commands():
    day = datetime.date(2024, 8, 1)
    citation = PageCitation(key="pet-x", title="50% of {cases} & more_#", url="http://x/", kind="Case record",
                            updated=day, accessed=day, site="S")  # fmt: skip
    (entry,) = bibtexparser.parse_string(to_bibtex(citation)).entries
    assert entry["title"] == r"50\% of \{cases\} \& more\_\#"


def test_ris_parses_with_the_page_fields(client, demo):
    for url, cite_name, kwargs, title in pages():
        response = client.get(reverse(cite_name, kwargs={**kwargs, "fmt": "ris"}))
        assert response["Content-Type"].startswith("application/x-research-info-systems")
        (record,) = rispy.loads(response.content.decode())
        assert record["type_of_reference"] == "ELEC"
        assert record["title"] == title
        assert record["urls"] == [f"http://testserver{url}"]
        assert record["access_date"] == timezone.localdate().strftime("%Y/%m/%d")


def test_csl_json_parses_with_the_page_fields(client, demo):
    for url, cite_name, kwargs, title in pages():
        response = client.get(reverse(cite_name, kwargs={**kwargs, "fmt": "json"}))
        assert response["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
        (item,) = json.loads(response.content)
        assert item["type"] == "webpage" and item["title"] == title and item["URL"] == f"http://testserver{url}"
        today = timezone.localdate()
        assert item["accessed"] == {"date-parts": [[today.year, today.month, today.day]]}
        assert all(isinstance(n, int) for n in item["issued"]["date-parts"][0])


def test_citation_of_a_draft_is_a_404_and_an_unknown_format_too(client, demo):
    draft = DetaineeFactory(is_published=False)
    assert client.get(reverse("detainees:detainee-cite", kwargs={"slug": draft.slug, "fmt": "bib"})).status_code == 404
    assert (
        client.get(reverse("detainees:detainee-cite", kwargs={"slug": "paul-whelan", "fmt": "doc"})).status_code == 404
    )


def test_pages_carry_open_graph_and_twitter_tags(client, demo):
    html = client.get("/detainees/paul-whelan/").content.decode()
    assert '<meta property="og:title" content="Paul Whelan">' in html
    assert '<meta property="og:url" content="http://testserver/detainees/paul-whelan/">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<meta property="og:title" content="Prisoner Exchange Tracker">' in client.get("/").content.decode()


def json_ld(html: str) -> dict:
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


def test_case_page_describes_a_person_in_schema_org(client, demo):
    data = json_ld(client.get("/detainees/paul-whelan/").content.decode())
    assert data["@context"] == "https://schema.org" and data["@type"] == "Person"
    assert data["name"] == "Paul Whelan" and "Пол Уилан" in data["alternateName"]
    assert {"@type": "Country", "name": "Canada", "identifier": "CA"} in data["nationality"]
    assert data["url"] == "http://testserver/detainees/paul-whelan/"
    assert data["subjectOf"][0]["@type"] == "Event"


def test_exchange_page_describes_an_event_in_schema_org(client, demo):
    data = json_ld(client.get("/exchanges/griner-bout-exchange/").content.decode())
    assert data["@type"] == "Event" and data["startDate"] == "2022-12-08"
    assert data["location"]["address"]["addressCountry"] == "AE"
    assert sorted(p["name"] for p in data["about"]) == ["Brittney Griner", "Viktor Bout"]


def test_json_ld_cannot_close_its_script_block(client):
    DetaineeFactory(name="Evil </script><script>alert(1)</script>", slug="evil")
    html = client.get("/detainees/evil/").content.decode()
    block = html.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block and json.loads(block)["name"].startswith("Evil </script>")


def test_day_counts_have_a_thousands_separator(client):
    person = DetaineeFactory(name="Long Held")
    DetentionFactory(detainee=person, detained_on=datetime.date(2015, 1, 1), released_on=datetime.date(2020, 8, 6),
                     end_reason="released")  # fmt: skip
    html = client.get(person.get_absolute_url()).content.decode()
    assert re.search(r"\b2,044 days in custody in all", html)
