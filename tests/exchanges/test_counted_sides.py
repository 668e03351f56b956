"""A counted side of an exchange is named by the side the exchange records (issue 24, h13 item 3).

The Shalit exchange records Hamas releasing Gilad Shalit to Israel and Israel releasing 1,027 people counted, their
receiver not on file. The counted side is named as the exchange records its other side (Hamas), said to be that,
never "a side not on file", and never a side the exchange does not record.
"""

import datetime

import pytest

from detainees.models import Group
from exchanges.models import ExchangeCount
from tests.factories import DetaineeFactory, ExchangeFactory, ParticipantFactory

pytestmark = pytest.mark.django_db


def test_the_shalit_exchange_names_its_counted_side_by_the_other_side_it_records(client, demo):
    exchange = client.get("/exchanges/gilad-shalit-prisoner-exchange/").content.decode()
    assert "a side not on file" not in exchange
    assert '<a href="/groups/hamas/">Hamas</a> <span class="count">1,027 people</span>' in exchange.replace(
        '<span class="arrow" aria-label="released to">→</span> ', ""
    ).split("<span>Israel</span> ", 1)[1]
    assert "Hamas: the exchange's other side; who received them is not on file." in exchange
    overview = client.get("/").content.decode()
    assert "Israel → Hamas: 1,027" in overview and "a side not on file" not in overview
    listing = client.get("/exchanges/").content.decode()
    assert "Israel → Hamas: 1,027" in listing


def test_an_unrecorded_side_stays_unnamed_when_the_exchange_records_no_single_other_side(client):
    a, b = Group.objects.create(name="Group A", kind="armed_group"), Group.objects.create(name="Group B",
                                                                                          kind="armed_group")
    swap = ExchangeFactory(name="Three-way", date=datetime.date(2020, 1, 1), place_country="")
    ParticipantFactory(exchange=swap, detainee=DetaineeFactory(name="One"), released_by="", released_by_group=a,
                       received_by="IL")  # fmt: skip
    ParticipantFactory(exchange=swap, detainee=DetaineeFactory(name="Two"), released_by="", released_by_group=b,
                       received_by="IL")  # fmt: skip
    ExchangeCount.objects.create(exchange=swap, released_by="IL", number=40)
    directions = {(d["released_by"], d["received_by"]): d for d in swap.directions()}
    assert ("Israel", "a side not on file") in directions  # two sides released to Israel: neither is chosen


def test_a_counted_side_given_by_no_side_at_all_stays_unnamed(client):
    swap = ExchangeFactory(name="Counted only", date=datetime.date(2020, 1, 1), place_country="")
    ExchangeCount.objects.create(exchange=swap, released_by="IL", number=40)
    assert [(d["released_by"], d["received_by"]) for d in swap.directions()] == [("Israel", "a side not on file")]


def test_the_flows_name_each_direction_as_the_exchange_pages_do(client, demo):
    """Differential: /flows/ (page and API) adds up exactly the directions the exchange pages show, sides named the
    same way. The flows showed Shalit's 1,027 going to "a side not on file" while his exchange's page said Hamas."""
    from collections import Counter

    from exchanges.models import Exchange, ExchangeStatus, side_label

    shown = Counter()
    for exchange in Exchange.objects.published().filter(status=ExchangeStatus.COMPLETED).with_participants():
        for direction in exchange.directions():
            shown[side_label(direction["released_by"]), side_label(direction["received_by"])] += direction["total"]
    flows = client.get("/api/v1/flows/").json()["flows"]
    assert Counter({(f["released_by_name"], f["received_by_name"]): f["number"] for f in flows}) == shown
    assert shown["Israel", "Hamas"] == 1027
    page = client.get("/flows/").content.decode()
    assert "a side not on file" not in page and "Hamas" in page
