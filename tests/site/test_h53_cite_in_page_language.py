""" "Cite this page" cites a page by the heading it shows: on a Russian case or exchange page, the Russian name on file
(the downloads under /ru/ too); the English page keeps the English name."""

import html
import json

import pytest
from django.core.cache import cache

from tests.factories import DetaineeFactory, ExchangeFactory

pytestmark = pytest.mark.django_db


def citation(page: str) -> str:
    start = page.index('<code id="citation">') + len('<code id="citation">')
    return html.unescape(page[start : page.index("</code>", start)])


def test_russian_case_page_cites_the_russian_name(client):
    cache.clear()
    person = DetaineeFactory(name="Ilya Yashin", name_original="Илья Яшин")
    ru = client.get(f"/ru/detainees/{person.slug}/").content.decode()
    assert "«Илья Яшин»" in citation(ru) or "“Илья Яшин”" in citation(ru)
    assert "Ilya Yashin" not in citation(ru)
    en = client.get(f"/detainees/{person.slug}/").content.decode()
    assert "“Ilya Yashin”" in citation(en)
    data = json.loads(client.get(f"/ru/detainees/{person.slug}/cite.json").content)
    assert data[0]["title"] == "Илья Яшин"
    assert "TI  - Илья Яшин" in client.get(f"/ru/detainees/{person.slug}/cite.ris").content.decode()
    latin = DetaineeFactory(name="Evan Gershkovich")  # no Russian name on file: the English one
    assert "Evan Gershkovich" in citation(client.get(f"/ru/detainees/{latin.slug}/").content.decode())


def test_russian_exchange_page_cites_the_russian_name(client):
    cache.clear()
    exchange = ExchangeFactory(name="Griner–Bout exchange", name_ru="Обмен Грайнер — Бут")
    ru = citation(client.get(f"/ru/exchanges/{exchange.slug}/").content.decode())
    assert "Обмен Грайнер — Бут" in ru and "Griner" not in ru
