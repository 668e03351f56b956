"""The one-screen editor numbers the case's sources as its public page does: the source the page cites as [3] is
"Source 3" on the screen (its heading and every "Cites" box), not a number of the screen's own order; a source added on
the screen comes after them all."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import DesignationFactory, DetaineeFactory, DetentionFactory, SourceFactory

pytestmark = pytest.mark.django_db


def public_numbers(html: str) -> dict[str, str]:
    return {pk: n for n, pk in re.findall(r'<li id="source-(\d+)"><a href="[^"]*/sources/(\d+)/"', html)}


def test_the_editor_numbers_sources_as_the_case_page(client, editor_client):
    cache.clear()
    person = DetaineeFactory(name="Gordon Black")
    a, b, c, d = (SourceFactory(title=f"Report {x}") for x in "ABCD")
    person.sources.add(a)
    detention = DetentionFactory(detainee=person)
    detention.sources.add(b, c)
    designation = DesignationFactory(detainee=person, kind="wrongfully_detained")
    designation.sources.add(d)
    person.save()
    from casedocs import services as casedocs

    casedocs.build([person.pk])  # the case page as stored (what a visit stores; the screen reads it, one query)
    page = public_numbers(client.get(person.get_absolute_url()).content.decode())
    assert len(page) == 4
    html = editor_client.get(reverse("admin:detainees_case_edit", args=[person.pk])).content.decode()
    shown = {}
    for label, number in re.findall(r'data-label="Source (\d+):[^"]*" data-number="(\d+)"', html):
        assert number == label
    for source in (a, b, c, d):
        found = re.search(rf'data-label="Source (\d+):[^"]*{source.title}', html)
        assert found, source.title
        shown[str(source.pk)] = found.group(1)
    assert shown == page
    rows = [int(n) for n in re.findall(r'<div class="case-row" data-kind="source"[^>]*data-number="(\d+)"', html)]
    assert rows == sorted(rows) == [1, 2, 3, 4]  # the rows in the page's order
    # a new source row starts after the highest number on the page (the template's number is filled in by the script)
    assert 'data-add="source"' in html
