"""A disputed field is shown as disputed where the field is shown (issue 24, h13 item 2).

The Hubbard case in the starter data: sources disagree on where he was detained (place) and on his sentence's term.
The page showed the record's own value flatly (an unsourced third version) and, further down, a separate "Disputed:"
line. Where a field is disputed, its row (or cell) gives the versions, each with its source, and nothing else.
"""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType

from detainees.models import Sentence
from sources.models import Claim
from tests.factories import DetentionFactory, SourceFactory

pytestmark = pytest.mark.django_db


def claim(record, field, value, title):
    return Claim.objects.create(content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
                                field=field, value=value, source=SourceFactory(title=title))  # fmt: skip


def rows(section: str) -> list[tuple[str, str]]:
    """The (dt, dd) pairs of a section's facts."""
    return re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", section, re.S)


def detention_section(page: str, detention) -> str:
    start = page.index(f'id="detention-{detention.pk}"')
    return page[start : page.index("</section>", start)]


@pytest.fixture
def disputed_case():
    detention = DetentionFactory(place="", circumstances="taken by Russian forces in Ukraine",
                                 detained_on=datetime.date(2022, 4, 2))  # fmt: skip
    detention.sources.add(SourceFactory(title="The record's report"))
    claim(detention, "place", "Izium, Kharkiv region, Ukraine", "RT report")
    claim(detention, "place", "not stated", "CBS report")
    claim(detention, "circumstances", "seized at his home", "Family statement")
    claim(detention, "circumstances", "captured in combat", "Court report")
    sentence = Sentence.objects.create(detention=detention, sentenced_on=datetime.date(2024, 10, 7), term_months=82,
                                       court="Moscow City Court")  # fmt: skip
    claim(sentence, "term_months", "82", "CBS sentence report")
    claim(sentence, "term_months", "84", "NTD sentence report")
    return detention, sentence


def test_a_disputed_detention_field_is_shown_disputed_in_its_own_row_never_beside_a_flat_value(client, disputed_case):
    detention, _ = disputed_case
    section = detention_section(client.get(f"/detainees/{detention.detainee.slug}/").content.decode(), detention)
    facts = rows(section)
    labels = [dt for dt, _ in facts]
    assert labels.count("Place") == 1 and labels.count("Circumstances") == 1  # one row each, not a second "Disputed"
    circumstances = dict(facts)["Circumstances"]
    assert "taken by Russian forces in Ukraine" not in section  # the record's value: an unsourced third version
    assert "Disputed: seized at his home" in circumstances and "captured in combat" in circumstances
    assert circumstances.count('class="cite"') == 2  # each version with its source
    place = dict(facts)["Place"]
    assert "Izium, Kharkiv region, Ukraine" in place and "not stated" in place and place.count('class="cite"') == 2
    assert labels.index("Place") < labels.index("Circumstances")  # where the field is shown, in its order


def test_a_disputed_sentence_term_is_shown_disputed_in_the_sentence_row(client, disputed_case):
    detention, sentence = disputed_case
    section = detention_section(client.get(f"/detainees/{detention.detainee.slug}/").content.decode(), detention)
    table = section[section.index("<h3>Sentences</h3>") :]
    row = table[table.index("<tbody>") : table.index("</tbody>")]
    assert row.count("6 years 10 months") == 1 and "source needed" not in row  # not also the record's flat value
    assert re.search(r"Disputed: 6 years 10 months.*; 7 years", row, re.S), row
    assert row.count('class="cite"') >= 2


def test_an_undisputed_field_is_shown_as_before(client):
    detention = DetentionFactory(place="Moscow", circumstances="arrested at the airport")
    detention.sources.add(SourceFactory())
    section = detention_section(client.get(f"/detainees/{detention.detainee.slug}/").content.decode(), detention)
    facts = dict(rows(section))
    assert facts["Circumstances"].startswith("Arrested at the airport") and "Disputed" not in section
    assert facts["Place"].startswith("Moscow")
