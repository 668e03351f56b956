"""The Redoc page asks no other host for anything: the vendored bundle drew Redocly's logo from cdn.redoc.ly (refused by
the CSP, a console error on every visit); it is served from the site with that address replaced by a local logo."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_redoc_page_and_bundle_reference_no_other_host(client):
    page = client.get("/api/redoc/").content.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts == ["/api/redoc/redoc.standalone.js"]
    assert not re.search(r'(src|href)="(https?:)?//', page)
    bundle = client.get(scripts[0])
    assert bundle.status_code == 200 and bundle["Content-Type"].startswith("application/javascript")
    text = b"".join(bundle.streaming_content if bundle.streaming else [bundle.content]).decode()
    assert "cdn.redoc.ly" not in text
    assert 'src:"/static/img/api-docs-mini.svg"' in text
    from django.contrib.staticfiles import finders

    assert finders.find("img/api-docs-mini.svg")
