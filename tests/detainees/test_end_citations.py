"""The line of a custody's end cites what could report it: the custody's sources dated on or after the end (an
arrest report cannot tell of a release years later) and the sources of the exchange that ended it."""

import re
from datetime import date as D

import pytest
from django.urls import reverse

from detainees.selectors import could_report
from sources.models import Source
from tests.factories import DetentionFactory, ParticipantFactory, SentenceFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("published", "precision", "event", "event_precision", "can"),
    [
        (D(2022, 2, 18), "day", D(2022, 12, 8), "day", False),  # the arrest report, ten months before
        (D(2022, 12, 8), "day", D(2022, 12, 8), "day", True),  # the same day
        (D(2022, 12, 1), "month", D(2022, 12, 8), "day", True),  # December 2022 may be after the 8th
        (D(2022, 11, 30), "day", D(2022, 12, 1), "month", False),
        (D(2022, 1, 1), "year", D(2022, 12, 8), "day", True),
        (D(2021, 1, 1), "year", D(2022, 12, 8), "day", False),
        (None, "day", D(2022, 12, 8), "day", True),  # undated: cannot be ruled out
        (D(2000, 1, 1), "day", None, "day", True),  # an end on no date on file
    ],
)
def test_a_source_could_report_an_event_on_or_after_its_date(published, precision, event, event_precision, can):
    source = Source(published_on=published, published_on_precision=precision)
    assert could_report(source, event, event_precision) is can


def cites_of(page: str, line: str) -> list[str]:
    """The titles of the sources cited by the timeline line that starts with `line`."""
    item = re.search(rf'<li class="event[^"]*">\s*<time[^>]*>[^<]*</time>\s*<span>(?:<a [^>]*>)?{line}(.*?)</li>',
                     page, re.S)  # fmt: skip
    assert item, line
    return re.findall(r'title="([^"]*)"', item.group(1))


def test_a_release_cites_the_reports_of_the_release_and_the_exchange_not_the_arrest(client):
    arrest = SourceFactory(title="Arrested at the airport", published_on=D(2022, 2, 18))
    release = SourceFactory(title="Freed at last", published_on=D(2022, 12, 9))
    swap = SourceFactory(title="The swap in Abu Dhabi", published_on=D(2022, 12, 8))
    custody = DetentionFactory(released_on=D(2022, 12, 8), end_reason="exchanged")
    custody.sources.set([arrest, release])
    custody.detainee.sources.set([arrest])
    taking_part = ParticipantFactory(detainee=custody.detainee, exchange__date=D(2022, 12, 8))
    taking_part.exchange.sources.set([swap])
    page = client.get(reverse("detainees:detainee-detail", args=[custody.detainee.slug]), {"fresh": "1"})
    html = page.content.decode()
    label = {s.pk: s.citation_label() for s in (arrest, release, swap)}
    assert cites_of(html, "Detained by") == [label[arrest.pk], label[release.pk]]  # the record's, as before
    assert cites_of(html, "Exchanged: released by") == [label[release.pk], label[swap.pk]]


def test_a_release_that_no_source_on_file_could_report_says_a_source_is_needed(client):
    arrest = SourceFactory(title="Arrested at the airport", published_on=D(2020, 1, 5))
    custody = DetentionFactory(detained_on=D(2020, 1, 3), released_on=D(2023, 6, 1), end_reason="released")
    custody.sources.set([arrest])
    custody.detainee.sources.set([arrest])
    html = client.get(reverse("detainees:detainee-detail", args=[custody.detainee.slug]), {"fresh": "1"}).content
    line = re.search(r'event-released">.*?</li>', html.decode(), re.S).group(0)
    assert "[source needed]" in line and "Arrested at the airport" not in line


def test_undated_sources_back_the_end_only_when_no_dated_report_or_exchange_does(client):
    arrest = SourceFactory(title="Arrested at the airport", published_on=D(2022, 2, 18))
    profile = SourceFactory(title="Who is she", published_on=None)
    swap = SourceFactory(title="The swap in Abu Dhabi", published_on=D(2022, 12, 8))
    custody = DetentionFactory(released_on=D(2022, 12, 8), end_reason="exchanged")
    custody.sources.set([arrest, profile])
    custody.detainee.sources.set([arrest])
    taking_part = ParticipantFactory(detainee=custody.detainee, exchange__date=D(2022, 12, 8))
    taking_part.exchange.sources.set([swap])
    url = reverse("detainees:detainee-detail", args=[custody.detainee.slug])
    label = {s.pk: s.citation_label() for s in (arrest, profile, swap)}
    assert cites_of(client.get(url, {"fresh": "1"}).content.decode(), "Exchanged: released by") == [label[swap.pk]]
    taking_part.exchange.sources.clear()
    released = DetentionFactory(detainee__name="Another Person", released_on=D(2023, 1, 5), end_reason="released")
    released.sources.set([arrest, profile])
    released.detainee.sources.set([arrest])
    html = client.get(reverse("detainees:detainee-detail", args=[released.detainee.slug]), {"fresh": "1"}).content
    line = re.search(r'event-released">.*?</li>', html.decode(), re.S).group(0)
    assert label[profile.pk] in line and label[arrest.pk] not in line


def test_a_sentence_no_report_dates_comes_before_the_release_not_after(client):
    """A new user read "Date unknown — Sentenced: 6 years 6 months" after "21 June 2025 Released by Belarus"."""
    custody = DetentionFactory(detained_on=D(2020, 9, 1), released_on=D(2025, 6, 21), end_reason="released")
    custody.sources.set([SourceFactory(published_on=D(2025, 6, 22))])
    custody.detainee.sources.set(custody.sources.all())
    sentence = SentenceFactory(detention=custody, sentenced_on=None, court="", term_months=78)
    sentence.sources.set(custody.sources.all())
    html = client.get(reverse("detainees:detainee-detail", args=[custody.detainee.slug]), {"fresh": "1"}).content
    lines = re.findall(r'<li class="event (event-[a-z_]+)">', html.decode())
    assert lines == ["event-detained", "event-sentenced", "event-released"]
