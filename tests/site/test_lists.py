"""List pages on any screen: facet values are links that apply at once, unknown parameters are reported."""

import datetime
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIST = "/detainees/"


def test_each_facet_value_is_a_link_with_its_count_that_applies_at_once(client, demo):
    html = client.get(LIST).content.decode()
    link = re.search(r'<a href="/detainees/\?charge_category=espionage"><span class="label">Espionage</span> '
                     r'<span class="count">(\d+)</span></a>', html)  # fmt: skip
    assert link and link.group(1) == "2"
    names = [p.name for p in client.get(LIST + "?charge_category=espionage").context["object_list"]]
    assert names == ["Evan Gershkovich", "Paul Whelan"]


def test_a_facet_link_keeps_the_other_filters_and_goes_back_to_page_one(client, demo):
    html = client.get(LIST, {"citizenship": "US", "page": "1"}).content.decode()
    assert 'href="/detainees/?citizenship=US&amp;charge_category=espionage"' in html


def test_the_selected_value_links_to_the_list_without_it(client, demo):
    html = client.get(LIST, {"citizenship": "US", "charge_category": "espionage"}).content.decode()
    assert re.search(r'<a class="selected" href="/detainees/\?citizenship=US" aria-current="true">', html)
    # the free-text form keeps the facet chosen, so "Apply filters" does not drop it
    assert '<input type="hidden" name="charge_category" value="espionage">' in html


def test_a_value_no_case_has_is_text_not_a_link(client, demo):
    html = client.get(LIST, {"held_by": "RU"}).content.decode()
    assert 'charge_category=arms_trafficking"' not in html
    assert '<span class="none"><span class="label">Arms trafficking</span> <span class="count">0</span></span>' in html


def test_filters_fold_into_a_disclosure_that_counts_the_active_ones(client, demo):
    html = client.get(LIST, {"status": "exchanged", "citizenship": "US", "ordering": "name"}).content.decode()
    assert '<details class="filters-disclosure">' in html
    assert '<summary>Filters <span class="count">(2 active)</span></summary>' in html


def test_an_unknown_parameter_is_named_and_not_claimed_as_a_filter(client, demo):
    response = client.get(LIST, {"citizenshp": "US"})
    html = response.content.decode()
    assert "Not understood, so not applied" in html
    assert "<code>citizenshp</code> — did you mean <code>citizenship</code>?" in html
    assert "match these filters" not in html and "matches these filters" not in html
    assert "citizenshp" not in html.split("Download these results")[1].split("</p>")[0]  # downloads would 400


def test_known_parameters_raise_no_warning(client, demo):
    html = client.get(LIST, {"citizenship": "US", "page": "1", "ordering": "name"}).content.decode()
    assert "Not understood" not in html


@pytest.mark.parametrize(
    ("params", "text"),
    [
        ({"q": "griner"}, "<strong>1</strong> case matches these filters"),
        ({"citizenship": "US"}, "cases match these filters"),
    ],
)
def test_count_sentence_agrees_with_its_number(client, demo, params, text):
    assert text in client.get(LIST, params).content.decode()


@pytest.mark.parametrize("url", ["exchanges:exchange-list", "sources:source-list", "sources:statement-list"])
def test_every_list_reports_unknown_parameters(client, demo, url):
    html = client.get(reverse(url), {"yeer": "2022"}).content.decode()
    assert "<code>yeer</code>" in html


def test_a_list_card_names_a_group_holder_and_starts_no_line_with_a_dot(client):
    from detainees.models import Group
    from tests.factories import DetaineeFactory, DetentionFactory, SourceFactory

    hamas = Group.objects.create(name="Hamas")
    person = DetaineeFactory(name="Gilad Shalit", citizenships=[], description="Israeli soldier", is_published=False)
    detention = DetentionFactory(detainee=person, held_by="", held_by_group=hamas, place="Gaza",
                                 detained_on=datetime.date(2006, 6, 25), released_on=datetime.date(2011, 10, 18),
                                 end_reason="released")  # fmt: skip
    source = SourceFactory()
    person.sources.add(source)
    detention.sources.add(source)
    person.is_published = True
    person.save()
    html = client.get(LIST).content.decode()
    assert "custody by Hamas 25 June 2006 – 18 October 2011" in html
    assert '<p class="meta">Israeli soldier</p>' in html  # not "· Israeli soldier" with no citizenship before it
