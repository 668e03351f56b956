"""The browsable API shows each view's docstring as words, not as the Markdown source: a new user saw raw backticks
on /api/v1/changes/ and /api/v1/releases/ (DRF renders Markdown only when the `markdown` package is installed)."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/v1/changes/", "/api/v1/releases/", "/api/v1/deletions/", "/api/v1/dump/",
                                 "/api/v1/detainees/"])  # fmt: skip
def test_the_browsable_api_describes_each_view_without_markdown_source(client, url):
    html = client.get(url, HTTP_ACCEPT="text/html").content.decode()
    description = re.search(r'<div class="pull-left">(.*?)</div>', html, flags=re.DOTALL)
    assert description, url
    assert "`" not in description.group(1), description.group(1)


def test_code_in_a_docstring_is_code_and_stays_escaped(client):
    html = client.get("/api/v1/changes/", HTTP_ACCEPT="text/html").content.decode()
    assert "<code>after=&lt;seq&gt;</code>" in html
    options = client.options("/api/v1/changes/").json()["description"]  # plain text where there is no HTML
    assert "`" not in options and "after=<seq>" in options
