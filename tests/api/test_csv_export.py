"""The CSV export of every list, differential: the faster writer (buffered chunks, one `csv.writer` row from a list,
per-column conversion) writes the same bytes as the writer it replaced (tests/api/csv_reference.py), and its
queries grow with chunks of rows, never with rows."""

import pytest
from rest_framework.test import APIClient

from common import api as common_api
from tests.api import csv_reference
from tests.factories import DetaineeFactory, DetentionFactory, SourceFactory

pytestmark = pytest.mark.django_db

LISTS = ["detainees", "detentions", "charges", "sentences", "sentence-changes", "transfers", "designations",
         "exchanges", "exchange-participants", "sources", "outlets", "groups", "statements", "officials",
         "claims"]  # fmt: skip


def export(client, path: str, **params) -> bytes:
    response = client.get(f"/api/v1/{path}/", {"format": "csv", **params})
    assert response.status_code == 200, response.content[:300]
    return b"".join(response.streaming_content)


def reference(client, monkeypatch, path: str, **params) -> bytes:
    with monkeypatch.context() as patched:
        patched.setattr(common_api, "csv_stream", csv_reference.csv_stream)
        patched.setattr(common_api.CSVStreamMixin, "iter_csv_rows", csv_reference.iter_csv_rows)
        return export(client, path, **params)


@pytest.mark.parametrize("path", LISTS)
def test_the_demo_exports_the_same_bytes_as_before(demo, monkeypatch, path):
    client = APIClient()
    new = export(client, path)
    assert new.count(b"\n") > 1, "the demo has rows in every list"
    assert new == reference(client, monkeypatch, path)


def test_an_editor_and_a_field_selection_export_the_same_bytes_as_before(demo, editor, monkeypatch):
    DetaineeFactory(name="=HYPERLINK(1)", is_published=False, citizenships=["RU", "US"], aliases=["A", "Б"])
    client = APIClient()
    client.force_authenticate(editor)  # drafts too
    for params in ({}, {"fields": "id,name,citizenships,sources"}, {"ordering": "-born_on"}):
        new = export(client, "detainees", **params)
        assert new == reference(client, monkeypatch, "detainees", **params)
    assert b"'=HYPERLINK(1)" in new  # no cell a spreadsheet runs as a formula


def test_the_export_is_sent_in_chunks_not_a_write_per_row(demo):
    response = APIClient().get("/api/v1/detainees/", {"format": "csv"})
    chunks = list(response.streaming_content)
    rows = b"".join(chunks).count(b"\n") - 1
    assert rows > 3 and len(chunks) <= 3, (rows, len(chunks))  # the header at once, then 64 kB at a time


def test_the_queries_grow_with_chunks_of_rows_not_with_rows(monkeypatch, django_assert_max_num_queries):
    source = SourceFactory()
    for n in range(12):
        person = DetaineeFactory(name=f"Person {n:02d}")
        person.sources.add(source)
        DetentionFactory(detainee=person)
    monkeypatch.setattr(common_api.CSVStreamMixin, "csv_chunk_size", 4)
    client = APIClient()
    # The rows (one cursor), then per chunk of 4: the sources, the merged ids, the detentions' days: 1 + 3 × 3.
    with django_assert_max_num_queries(10 + 2):  # and the throttle's and the session's own, at most
        body = export(client, "detainees")
    assert body.count(b"\n") == 13
