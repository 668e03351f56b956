"""The API's name search picks its page by id (h65, issue 21 item 4): the page query that counts and ranks every match
selects their ids alone, and whole rows are read only for the people of the page with no stored document. The
answers are the bytes the whole-row page gave, documents stored or not, drafts never listed nor counted; a search
whose documents are stored is two statements (the page with its count, the documents), its page query no wider than
the ids; the count is counted in each page's query, not kept under a key that costs the data version read."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from casedocs import services
from detainees.api import DetaineeViewSet
from detainees.models import Detainee
from tests.factories import DetaineeFactory, DetentionFactory

pytestmark = pytest.mark.django_db

SEARCHES = ["q=whelan", "q=whelan&page=2", "q=whelan&page_size=7&page=3", "q=paul+whe", "q=whelan&status=held",
            "q=whelan&fields=id,name", "q=whelan&ordering=-detained_on", "q=nobody", "q=whelan&page=9",
            "q=whelan&cursor=bogus", "q=уэлан"]  # fmt: skip


@pytest.fixture
def people():
    for i in range(30):
        DetentionFactory(detainee=DetaineeFactory(name=f"Paul Whelan {i:02d}", name_original=f"Пол Уэлан {i:02d}"))
    DetaineeFactory(name="Paul Whelan 99", is_published=False)  # a draft: never listed nor counted
    DetaineeFactory(name="Anna Whelanova")


def answers(monkeypatch, *, by_id: bool) -> list[tuple[int, bytes]]:
    monkeypatch.setattr(DetaineeViewSet, "pages_by_id", lambda self: by_id and DetaineeViewSet_pages_by_id(self))
    out = []
    for search in SEARCHES:
        cache.clear()  # a first visit: the count inside the page query
        response = Client().get(f"/api/v1/detainees/?{search}")
        out.append((response.status_code, response.content))
    return out


DetaineeViewSet_pages_by_id = DetaineeViewSet.pages_by_id


@override_settings(PAGE_CACHE_SECONDS=0)
@pytest.mark.parametrize("documents", ["stored", "not built", "off"])
def test_a_search_by_id_answers_what_the_whole_rows_did(monkeypatch, people, documents, settings):
    settings.CASE_DOCUMENTS = documents != "off"
    if documents == "stored":
        services.build(list(Detainee.objects.values_list("pk", flat=True)), pages=False)
    by_id, whole = answers(monkeypatch, by_id=True), answers(monkeypatch, by_id=False)
    assert by_id == whole
    assert by_id[0][0] == 200 and b'"count":31' in by_id[0][1].replace(b" ", b"")  # 30 Whelans and Whelanova
    assert b"Whelan 99" not in b"".join(body for _, body in by_id)
    assert {status for status, _ in by_id} == {200, 400}  # beyond the last page, a bad cursor


@override_settings(PAGE_CACHE_SECONDS=0)
def test_a_stored_search_is_two_statements_and_its_page_query_reads_ids(people):
    services.build(list(Detainee.objects.values_list("pk", flat=True)), pages=False)
    client = Client()
    client.get("/api/v1/detainees/?q=anna")
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/detainees/?q=whelan")
    assert response.status_code == 200 and response.json()["count"] == 31
    # the page with its count, the stored documents (the count is not kept: no data version to key it by)
    assert len(queries) == 2, [q["sql"][:100] for q in queries]
    [page] = [q["sql"] for q in queries if " OVER " in q["sql"].upper()]
    assert page.split(" FROM ")[0].count(",") == 1, page  # the id and the count, no more
    # a person with no stored document: their whole row read by id, one statement more, then their document
    # assembled as a cold detail assembles it (their records and citations in one statement since h64)
    Detainee.objects.filter(name="Paul Whelan 05").update(description="edited")  # its document now stale
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/detainees/?q=whelan").json()
    assert len(queries) == 2 + 1 + 1, [q["sql"][:100] for q in queries]
    assert [r["description"] for r in body["results"] if r["name"] == "Paul Whelan 05"] == ["edited"]
    # the next page counts in its own query too, the same count
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/api/v1/detainees/?q=whelan&page=2&page_size=20").json()
    assert body["count"] == 31 and len(body["results"]) == 11
    assert [q for q in queries if " OVER " in q["sql"].upper()]
