"""A source whose exact headline is not known is shown by the editors' description, and every page says so in the
same words, as a fact about the record: "editors' description, headline unknown" (not "headline not on file", which
read as something missing from the site) on the case page, the exchange page, the sources list and the source's page,
in both languages."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.factories import DetaineeFactory, ExchangeFactory, SourceFactory

pytestmark = pytest.mark.django_db

EN, RU = "editors’ description, headline unknown", "описание редакции, заголовок неизвестен"


@override_settings(PAGE_CACHE_SECONDS=0)
def test_every_page_says_the_headline_is_unknown_in_the_same_words(client):
    cache.clear()
    source = SourceFactory(title="Statement on the release (summary)", headline_on_file=False)
    person = DetaineeFactory()
    person.sources.add(source)
    exchange = ExchangeFactory()
    exchange.sources.add(source)
    for prefix, words in (("", EN), ("/ru", RU)):
        for path in (
            f"/detainees/{person.slug}/",
            f"/exchanges/{exchange.slug}/",
            "/sources/",
            f"/sources/{source.pk}/",
        ):
            html = client.get(prefix + path).content.decode()
            assert words in html, prefix + path
            assert "headline not on file" not in html and "заголовок не внесён" not in html
