"""The published list's page query compiled once, not once per page (h65, issue 21 item 4): an unfiltered list page's
SQL differs from page to page by its LIMIT and OFFSET alone, so `common.sql.page_of` keeps the ORM's SQL and the way
it reads the rows per order and runs it with each page's slice. The pages are the bytes the ORM gave (rendered with
the fast paths switched off, `common.fastpaths.plain()`), in each order and both languages, drafts never shown to the
public, the statements as many as before."""

import random

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

import common.sql
from common.fastpaths import plain
from tests.detainees.test_h45_list_render import random_cases

pytestmark = pytest.mark.django_db

ORDERS = ["", "ordering=-detained_on", "ordering=detained_on", "ordering=-updated_at", "ordering=name"]
URLS = [f"/{lang}detainees/?{order}{'&' if order else ''}page={page}"
        for lang in ("", "ru/") for order in ORDERS for page in (1, 2, 3)]  # fmt: skip


def render(who, url: str, *, fast: bool) -> tuple[int, str]:
    cache.clear()
    if fast:
        response = who.get(url)
    else:
        with plain():
            response = who.get(url)
    return response.status_code, response.content.decode()


@override_settings(PAGE_CACHE_SECONDS=0)
def test_pages_from_sql_compiled_once_are_the_pages_the_orm_gives(monkeypatch, editor_client):
    random_cases(random.Random(65), 70)  # three pages of 25 published people, and drafts
    compiled = []
    original = common.sql._compiled_page
    monkeypatch.setattr(common.sql, "_compiled_page", lambda qs, key: compiled.append(key) or original(qs, key))
    monkeypatch.setattr(common.sql, "_PAGES", {})
    public = Client()
    for url in URLS:
        fast, slow = render(public, url, fast=True), render(public, url, fast=False)
        assert fast == slow, url
        assert fast[0] == 200
        assert "badge draft" not in fast[1]  # the public never sees a draft
    # one compilation per order, whatever the page and language: by name (asked, or by default), by detention (two
    # ways), by update, and a Russian page's default, by the Russian name
    assert len(compiled) == len(set(compiled)) == len(ORDERS), compiled
    # an editor, who may see drafts, and a filtered list are compiled page by page, as before
    for who, url in ((editor_client, "/detainees/?page=2"), (public, "/detainees/?status=held&page=2"),
                     (public, "/detainees/?q=anna"), (public, "/detainees/?held_on=2024-13-45&page=2")):  # fmt: skip
        assert render(who, url, fast=True) == render(who, url, fast=False), url
    assert len(compiled) == len(ORDERS)
    assert "badge draft" in render(editor_client, "/detainees/?page=2", fast=True)[1] + render(
        editor_client, "/detainees/?page=3", fast=True)[1]  # fmt: skip


@override_settings(PAGE_CACHE_SECONDS=0)
def test_a_list_page_is_two_statements_and_its_page_is_not_compiled(monkeypatch):
    """The stored counts (with their version) and the page: no statement added; and the page's SQL, once kept, is
    not compiled again by the ORM (Django's compiler is not asked for the people's query)."""
    random_cases(random.Random(650), 30)
    client = Client()
    client.get("/detainees/?page=2")  # compiled once, kept
    from django.db.models.sql.compiler import SQLCompiler

    compiled_models = []
    as_sql = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled_models.append(self.query.model.__name__)
                        or as_sql(self, *a, **k))  # fmt: skip
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/detainees/?page=1")
    assert response.status_code == 200
    assert len(queries) == 2, [q["sql"][:80] for q in queries]
    assert "Detainee" not in compiled_models, compiled_models


@override_settings(PAGE_CACHE_SECONDS=0)
def test_a_page_that_finds_its_filters_kept_counts_no_facet(monkeypatch):
    """The facets and the citizenship menu are computed when the filters beside the list are rendered, not on the
    pages that find that HTML kept (`{% cache %}` under the list's facets version); the page is the same either way."""
    from detainees.views import DetaineeListView

    random_cases(random.Random(651), 30)
    asked = []
    for name in ("get_facets", "citizenship_options"):
        method = getattr(DetaineeListView, name)
        monkeypatch.setattr(DetaineeListView, name, lambda self, _m=method, _n=name: asked.append(_n) or _m(self))
    client = Client()
    for url in ("/detainees/?page=2", "/ru/detainees/?status=held&page=1"):
        cache.clear()
        first = client.get(url).content.decode()
        assert sorted(asked) == ["citizenship_options", "get_facets"], url  # rendered: computed once each
        asked.clear()
        again = client.get(url).content.decode()
        assert asked == [], url  # kept: neither computed
        assert again == first, url
        assert 'name="citizenship"' in again and 'class="facet' in again, url
