"""`held_by` has two meanings, both promised by SPEC.md: the filter `?held_by=RU` is "ever held by", the field
`held_by` of each case (and the CSV column) is the holder now. The list says so beside the filter and where the
files are offered, in English and in Russian."""

import datetime

import pytest
from django.core.cache import cache

from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db


def test_the_list_explains_that_the_filter_means_ever_held_and_the_column_the_holder_now(client):
    person = DetaineeFactory(name="Handed On")
    DetentionFactory(detainee=person, held_by="TH", detained_on=datetime.date(2008, 3, 6),
                     released_on=datetime.date(2010, 11, 16), end_reason="extradited")  # fmt: skip
    DetentionFactory(detainee=person, held_by="US", detained_on=datetime.date(2010, 11, 16))
    cache.clear()
    # The filter finds him by a past holder; the file's held_by column names the present one.
    csv = client.get("/api/v1/detainees/", {"held_by": "TH", "format": "csv"})
    rows = b"".join(csv.streaming_content).decode().splitlines()
    header = rows[0].split(",")
    assert rows[1].split(",")[header.index("held_by")] == "US"
    html = client.get("/detainees/", {"held_by": "TH"}).content.decode()
    assert 'aria-describedby="facet-held_by-hint"' in html
    assert "Anyone a state has held at any time, now or in the past" in html
    assert "the column held_by is the state holding the person now" in html
    ru = client.get("/ru/detainees/", {"held_by": "TH"}).content.decode()
    assert "в прошлом или сейчас" in ru
    assert "столбец held_by — государство, удерживающее человека сейчас" in ru
    schema = client.get("/api/schema/", {"format": "json"}).content.decode()
    assert "which is the country holding the person now" in schema
