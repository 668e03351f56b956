""" "Held now" has one meaning (issue 24, h13 item 4): the census of today — custody on file that certainly covers
today, the `held_on` rule of every list — on the overview, the census and the lists alike.

The stored status says "held" where the census cannot: a start known only as this month or this year (custody may
not have begun yet), and a handover to a custody not on file (no record covers today).
"""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db


def overview_numbers(client) -> tuple[int, dict[str, int]]:
    html = client.get("/").content.decode()
    total = int(re.search(r'<span class="big-number">([\d,]+)</span> held now', html).group(1).replace(",", ""))
    table = html.split('id="held-h"', 1)[1].split("</table>", 1)[0]
    rows = {name: int(n.replace(",", "")) for name, n in re.findall(
        r'<tr><td>(?:<a [^>]*>)?([^<]+)(?:</a>)?</td><td class="num">([\d,]+)</td></tr>', table)}  # fmt: skip
    return total, rows


def test_the_overview_counts_held_now_as_the_census_of_today_does(client):
    today = timezone.localdate()
    DetentionFactory(detainee=DetaineeFactory(name="Open Custody"), held_by="IR", detained_on=datetime.date(2023, 3, 1))
    # Stored status "held" for each of these, but no custody on file certainly covers today:
    DetentionFactory(detainee=DetaineeFactory(name="This Month"), held_by="IR", detained_on=today.replace(day=1),
                     detained_on_precision="month")  # fmt: skip
    DetentionFactory(detainee=DetaineeFactory(name="Handed Over"), held_by="BY", detained_on=datetime.date(2020, 1, 1),
                     released_on=datetime.date(2021, 1, 1), end_reason="handed_over")  # fmt: skip
    cache.clear()
    census = client.get(reverse("api:census")).json()
    assert census["on"] == today.isoformat()
    total, rows = overview_numbers(client)
    assert total == census["held"] == 1
    listed = client.get(reverse("api:detainee-list"), {"held_on": today.isoformat()}).json()["count"]
    assert listed == total
    assert rows == {r["name"]: r["held"] for r in census["by_holder"]} == {"Iran": 1}
    html = client.get("/").content.decode()
    assert "And 1 whose custody may cover today" in html and "the census</a>" in html
    assert f'href="/detainees/?held_on={today.isoformat()}&amp;held_by=IR"' in html


def test_the_overview_maps_where_people_are_held_now_with_a_key_and_the_places_on_file(client):
    """Issue 25, done means: the overview shows the real number held now and the map shows where."""
    from tests.factories import TransferFactory

    moved = DetentionFactory(detainee=DetaineeFactory(name="Moved"), held_by="RU", place="Moscow",
                             detained_on=datetime.date(2023, 3, 1))  # fmt: skip
    TransferFactory(detention=moved, moved_on=datetime.date(2024, 5, 1), facility_name="Penal colony IK-7, Mordovia")
    DetentionFactory(detainee=DetaineeFactory(name="Arrested"), held_by="RU", place="Moscow",
                     detained_on=datetime.date(2023, 3, 1))  # fmt: skip
    DetentionFactory(
        detainee=DetaineeFactory(name="Nowhere"), held_by="RU", place="", detained_on=datetime.date(2023, 3, 1)
    )
    DetentionFactory(detainee=DetaineeFactory(name="Draft Person", is_published=False), held_by="BY", place="Minsk",
                     detained_on=datetime.date(2023, 3, 1))  # fmt: skip
    cache.clear()
    html = client.get("/").content.decode()
    where = html.split('id="where-h"', 1)[1].split("</section>", 1)[0]
    # Russia is shaded darkest, with its number; Belarus (a draft's holder) is drawn but not shaded.
    assert re.search(r'<path class="land level-4" d="[^"]*" data-people="3"><title>Russia: 3 people</title>', where)
    assert "Belarus" not in where and "Minsk" not in where and "Draft Person" not in html
    assert '<desc id="where-map-desc">Russia: 3. ' in where
    assert '<span class="swatch level-4" aria-hidden="true"></span>3</li>' in where  # the key
    table = where.split('<table class="places-table">', 1)[1]
    assert re.search(r'<tr class="state"><th scope="rowgroup"><a [^>]*>Russia</a></th><td class="num">3</td>', table)
    places = dict(re.findall(r'<tr class="place"><td>(.*?)</td><td class="num">(\d+)</td>', table))
    assert places == {"Penal colony IK-7, Mordovia": "1", 'Moscow <span class="meta">(where detained)</span>': "1",
                      "no place on file": "1"}  # fmt: skip
    # The same in Russian, and /flows/ has the same key under its map.
    ru = client.get("/ru/").content.decode()
    assert "Россия: 3" in ru and "Условные обозначения" in ru
    assert '<span class="swatch level-4" aria-hidden="true"></span>3</li>' in client.get("/flows/").content.decode()
