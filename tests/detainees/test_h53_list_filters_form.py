"""The list's filter form: the citizenship menu offers the countries that occur in published data, with how many people
hold each (not all 250 countries: Antarctica...); a filter left empty is no filter (`?status=&held_by=RU` is read as
`?held_by=RU`, the downloads' links included) and the page loads a script (a static file: the CSP allows no inline
script) that leaves empty fields out of the address; the download note names the filter by its label, not `held_by=`."""

import re

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db


def menu(html: str) -> list[str]:
    select = re.search(r'<select name="citizenship"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", option).strip() for option in re.findall(r"<option[^>]*>.*?</option>", select)]


@override_settings(PAGE_CACHE_SECONDS=0)
def test_citizenship_menu_lists_published_citizenships_with_counts(client, editor_client):
    cache.clear()
    DetaineeFactory(citizenships=["US"])
    DetaineeFactory(citizenships=["US", "RU"])
    DetaineeFactory(citizenships=["FR"], is_published=False)  # a draft's country is not offered, nor counted
    options = menu(client.get("/detainees/").content.decode())
    assert options == ["Any citizenship", "Russia (1)", "United States of America (2)"], options
    assert "Antarctica" not in client.get("/detainees/?status=held").content.decode()
    ru = menu(client.get("/ru/detainees/").content.decode())
    assert ru[1:] == ["Россия (1)", "Соединенные Штаты Америки (2)"] or ru[1:] == ["Россия (1)", "США (2)"], ru
    chosen = client.get("/detainees/?citizenship=US").content.decode()
    assert '<option value="US" selected>' in chosen
    assert len(menu(editor_client.get("/detainees/").content.decode())) == 3  # an editor's list too


@override_settings(PAGE_CACHE_SECONDS=0)
def test_empty_filters_are_absent(client):
    cache.clear()
    DetentionFactory(held_by="RU")
    DetentionFactory(held_by="IR")
    plain = client.get("/detainees/?held_by=RU")
    empty = client.get("/detainees/?q=&status=&held_by=RU&citizenship=&held_on=&ordering=&page=")
    assert empty.status_code == 200 and empty.context["result_count"] == plain.context["result_count"] == 1
    html = empty.content.decode()
    links = re.findall(r'href="(/api/v1/detainees/\?[^"]*)"', html)
    assert links and all("status=" not in link and "q=&" not in link for link in links), links
    assert "/api/v1/detainees/?held_by=RU&amp;format=csv" in html
    assert '<script src="/static/js/filter_forms.js" defer></script>' in html
    assert "<script>" not in html


def test_the_script_leaves_empty_fields_out_of_a_get_form():
    from django.contrib.staticfiles import finders

    script = open(finders.find("js/filter_forms.js"), encoding="utf-8").read()
    assert 'addEventListener("submit"' in script and "disabled = true" in script


@override_settings(PAGE_CACHE_SECONDS=0)
def test_download_note_names_the_filter_by_its_label(client):
    cache.clear()
    DetaineeFactory()
    html = client.get("/detainees/").content.decode()
    note = re.search(r'<p class="download-note meta">(.*?)</p>', html, re.S).group(1)
    assert "held_by=" not in note and "“Ever held by”" in note
    ru = client.get("/ru/detainees/").content.decode()
    note = re.search(r'<p class="download-note meta">(.*?)</p>', ru, re.S).group(1)
    assert "held_by=" not in note and "«Когда-либо удерживал»" in note
