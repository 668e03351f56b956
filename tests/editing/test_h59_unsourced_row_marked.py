"""h59: a refused save of a published case ("… cites no source") named the row only in the banner at the top. The
row itself is marked: outlined in red (class "invalid"), its source boxes `aria-invalid`, the reason inside the row,
and the banner links to the row, which takes the focus (tabindex="-1")."""

import re

import pytest

from tests.editing.test_case_entry_refusals import URL, new_case

pytestmark = pytest.mark.django_db


def row_html(html: str, key: str) -> str:
    start = html.index(f'data-key="{key}"')
    start = html.rindex("<div", 0, start)
    end = html.find('<div class="case-row"', start + 10)
    return html[start : end if end != -1 else len(html)]


def test_the_unsourced_row_itself_is_marked_and_the_banner_links_to_it(editor_client):
    data = new_case(editor_client, **{"person-is_published": "on", "det-0-cites": []})
    html = editor_client.post(URL, data).content.decode()
    assert "cite a source for every fact" in html  # the banner is still there
    row = row_html(html, "det-0")
    assert re.search(r'<div class="case-row invalid"[^>]*id="row-det-0"[^>]*tabindex="-1"', row), row[:300]
    assert "cites no source: tick at least one source under" in row.replace("\u201c", "").replace("\u201d", "")
    assert 'aria-invalid="true"' in row and 'aria-describedby="row-det-0-error"' in row
    assert 'href="#row-det-0"' in html  # the banner's line for it leads there
    # The person's row, which cites its source, is not marked.
    person = row_html(html, "person")
    assert "invalid" not in person.split(">", 1)[0] and 'aria-invalid="true"' not in person
