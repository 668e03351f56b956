"""Ids that survive merges: a record merged into another answers with the survivor on every surface."""

import csv
import io
import json

import pytest
from django.test import Client

from detainees.models import Detainee
from detainees.services import merge_detainees
from tests.factories import DetaineeFactory, SourceFactory


def sourced(**fields):
    person = DetaineeFactory(**fields)
    person.sources.add(SourceFactory())
    return person


pytestmark = pytest.mark.django_db


@pytest.fixture
def merged():
    keep = sourced(name="Viktor Bout", is_published=True)
    gone = DetaineeFactory(name="Victor Bout", is_published=True)
    gone_id, gone_slug = gone.pk, gone.slug
    merge_detainees(keep=keep, remove=gone)
    return keep, gone_id, gone_slug


def test_old_case_page_answers_301_to_the_survivor(client, merged):
    keep, _gone_id, gone_slug = merged
    response = client.get(f"/detainees/{gone_slug}/?tab=1")
    assert response.status_code == 301
    assert response["Location"] == f"/detainees/{keep.slug}/?tab=1"
    assert client.get(response["Location"]).status_code == 200
    cite = client.get(f"/detainees/{gone_slug}/cite.bib")
    assert cite.status_code == 301 and cite["Location"] == f"/detainees/{keep.slug}/cite.bib"


def test_old_api_detail_answers_301_with_merged_into(client, merged):
    keep, gone_id, _slug = merged
    response = client.get(f"/api/v1/detainees/{gone_id}/")
    assert response.status_code == 301
    assert response["Location"].endswith(f"/api/v1/detainees/{keep.pk}/")
    assert response.json()["merged_into"] == keep.pk and response.json()["id"] == gone_id
    assert client.get(response["Location"]).json()["id"] == keep.pk
    assert client.get("/api/v1/detainees/999999/").status_code == 404


def test_csv_export_and_dump_carry_the_merge(client, merged):
    keep, gone_id, _slug = merged
    text = b"".join(client.get("/api/v1/detainees/?format=csv").streaming_content).decode("utf-8-sig")
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows[str(keep.pk)]["merged_ids"] == str(gone_id)
    assert str(gone_id) not in rows
    from dataset.dump import build_dump

    build_dump()  # the dump is built by its command, never in a request (issue 23)
    dump = client.get("/api/v1/dump/")
    body = b"".join(dump.streaming_content) if dump.streaming else dump.content
    if dump.get("Content-Encoding") == "gzip":
        import gzip

        body = gzip.decompress(body)
    merges = json.loads(body)["merged"]
    assert [(m["id"], m["merged_into"]) for m in merges] == [(gone_id, keep.pk)]


def test_a_new_case_never_takes_a_merged_address(merged):
    _keep, _gone_id, gone_slug = merged
    again = DetaineeFactory(name="Victor Bout")
    assert again.slug != gone_slug


def test_merging_the_survivor_moves_the_redirect_along(client, merged):
    keep, gone_id, gone_slug = merged
    final = sourced(name="Viktor Anatolyevich Bout", is_published=True)
    merge_detainees(keep=final, remove=keep)
    assert client.get(f"/api/v1/detainees/{gone_id}/").json()["merged_into"] == final.pk
    assert client.get(f"/detainees/{gone_slug}/")["Location"] == f"/detainees/{final.slug}/"


def test_a_merged_draft_stays_unknown_to_the_public(editor_client):
    client = Client()  # anonymous (editor_client logs in the `client` fixture)
    keep = sourced(name="Viktor Bout", is_published=True)
    draft = DetaineeFactory(name="Victor Bout", is_published=False)
    draft_id, draft_slug = draft.pk, draft.slug
    merge_detainees(keep=keep, remove=draft)
    assert client.get(f"/detainees/{draft_slug}/").status_code == 404
    assert client.get(f"/api/v1/detainees/{draft_id}/").status_code == 404
    assert editor_client.get(f"/detainees/{draft_slug}/").status_code == 301
    text = b"".join(client.get("/api/v1/detainees/?format=csv").streaming_content).decode("utf-8-sig")
    assert str(draft_id) not in [row["merged_ids"] for row in csv.DictReader(io.StringIO(text))]


def test_a_draft_survivor_is_not_revealed(client):
    keep = DetaineeFactory(name="Viktor Bout", is_published=False)
    gone = DetaineeFactory(name="Victor Bout", is_published=True)
    gone_id, gone_slug = gone.pk, gone.slug
    merge_detainees(keep=keep, remove=gone)
    assert client.get(f"/detainees/{gone_slug}/").status_code == 404
    assert client.get(f"/api/v1/detainees/{gone_id}/").status_code == 404
    assert Detainee.objects.filter(pk=gone_id).count() == 0
