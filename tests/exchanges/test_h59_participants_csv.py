"""h59: an exchange page offered no CSV of its participants. It links to the participants endpoint's CSV
(`/api/v1/exchange-participants/?exchange=<id>&format=csv`, a format of an existing list, as SPEC has every list
answer `?format=csv`), which now names each person and side, not ids alone. A draft person is not in it."""

import csv
import io

import pytest

from tests.factories import DetaineeFactory, ExchangeFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def test_an_exchange_page_links_the_csv_of_its_participants_and_the_csv_names_them(client):
    exchange = ExchangeFactory(name="CSV Test exchange")
    ParticipantFactory(exchange=exchange, detainee=DetaineeFactory(name="Alsu Kurmasheva Test"), released_by="RU",
                       received_by="US")  # fmt: skip
    ParticipantFactory(exchange=exchange, detainee=DetaineeFactory(name="Vadim Krasikov Test"), released_by="DE",
                       received_by="RU")  # fmt: skip
    ParticipantFactory(exchange=exchange, detainee=DetaineeFactory(name="Hidden Draft Test", is_published=False))
    ParticipantFactory(detainee=DetaineeFactory(name="Someone Elsewhere Test"))  # another exchange
    html = client.get(exchange.get_absolute_url()).content.decode()
    link = f"/api/v1/exchange-participants/?exchange={exchange.pk}&amp;format=csv"
    assert f'href="{link}"' in html
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["detainee_name"], r["released_by"], r["released_by_name"], r["received_by_name"]) for r in rows] == [
        ("Alsu Kurmasheva Test", "RU", "Russia", "United States of America"),
        ("Vadim Krasikov Test", "DE", "Germany", "Russia"),
    ]
    assert all(r["detainee_html_url"].endswith(f"/detainees/{r['detainee_name'].lower().replace(' ', '-')}/")
               for r in rows)  # fmt: skip
    assert "Hidden Draft Test" not in text


def test_the_russian_exchange_page_links_it_too(client):
    exchange = ExchangeFactory()
    ParticipantFactory(exchange=exchange)
    html = client.get("/ru" + exchange.get_absolute_url()).content.decode()
    assert f"/api/v1/exchange-participants/?exchange={exchange.pk}&amp;format=csv" in html
