"""Claims are shown wherever they apply (issue 24, item 7)."""

import csv
import io

import pytest
from django.contrib.contenttypes.models import ContentType

from exchanges.models import Exchange
from sources.models import Claim
from tests.factories import DetentionFactory, ExchangeFactory, SourceFactory

pytestmark = pytest.mark.django_db


def claim(record, field, value, title):
    return Claim.objects.create(content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
                                field=field, value=value, source=SourceFactory(title=title))  # fmt: skip


def test_a_claim_about_a_detention_is_shown_on_the_case_page_with_its_source(client):
    detention = DetentionFactory(place="Moscow")
    detention.detainee.sources.add(SourceFactory())
    claim(detention, "place", "Sheremetyevo airport", "Airport report")
    claim(detention, "place", "Khimki", "Court report")
    page = client.get(f"/detainees/{detention.detainee.slug}/").content.decode()
    section = page[page.index(f'id="detention-{detention.pk}"') :]
    assert "Disputed: Sheremetyevo airport" in section and "Khimki" in section
    assert "Airport report" in page and "Court report" in page  # each version's source is in the sources list


def test_claims_csv_names_what_each_claim_is_about(client):
    detention = DetentionFactory()
    exchange = ExchangeFactory()
    claim(detention, "held_by", "BY", "A")
    claim(exchange, "mediators", "AE", "B")
    response = client.get("/api/v1/claims/", {"format": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert sorted(r["about_type"] for r in rows) == ["detention", "exchange"]


def test_the_exchange_header_shows_a_disputed_field_as_disputed_never_a_third_unsourced_version(client):
    exchange = ExchangeFactory(name="Disputed swap", mediators=["AE"])
    exchange.sources.add(SourceFactory())
    claim(exchange, "mediators", "AE, SA", "Gulf report")
    claim(exchange, "mediators", "none", "Moscow report")
    page = client.get(Exchange.objects.get().get_absolute_url()).content.decode()
    article = page[page.index('<article class="exchange">') :]
    header = article[: article.index("</header>")]
    assert "Disputed: United Arab Emirates, Saudi Arabia" in header and "none" in header
    mediators = header[header.index("<dt>Mediators</dt>") :]
    mediators = mediators[: mediators.index("</dd>")]
    assert "<dd>United Arab Emirates</dd>" not in mediators
    assert mediators.count('class="cite"') == 2  # each version with its source
