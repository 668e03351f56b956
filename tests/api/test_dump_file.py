"""/api/v1/dump/ is built once per data version into a gzip file, then served from disk with an ETag and checksum."""

import fcntl
import gzip
import hashlib
import json

import pytest
from django.test import Client, RequestFactory

from common.cache import data_version
from dataset.dumpfile import _build_while_streaming, site_directory
from tests.factories import DetaineeFactory

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate"}


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def files(settings) -> list[str]:
    return sorted(p.name for p in settings.DUMP_DIR.rglob("*") if p.is_file() and p.name != ".lock")


def test_the_first_request_builds_the_file_and_the_next_are_served_from_it(settings, django_assert_num_queries):
    DetaineeFactory(name="Paul Whelan", is_published=True)
    version = data_version()
    client = Client()
    first = client.get("/api/v1/dump/", **GZIP)
    built = body(first)
    assert first["Content-Disposition"] == f'attachment; filename="prisoner-exchange-tracker-{version}.json"'
    assert files(settings) == [f"prisoner-exchange-tracker-{version}.json.gz",
                               f"prisoner-exchange-tracker-{version}.json.sha256"]  # fmt: skip
    checksum = hashlib.sha256(built).hexdigest()
    with django_assert_num_queries(1):  # the data version, nothing else
        again = client.get("/api/v1/dump/", **GZIP)
    assert again["Content-Encoding"] == "gzip" and again["Content-Type"] == "application/json"
    compressed = body(again)
    assert gzip.decompress(compressed) == built and len(compressed) < len(built)
    assert again["X-Checksum-SHA256"] == checksum and again["ETag"] == f'"{checksum[:32]}-gzip"'
    assert again["Content-Length"] == str(len(compressed)) and again["Last-Modified"].endswith("GMT")
    assert "Accept-Encoding" in again["Vary"] and again["X-Data-Version"] == version
    assert [d["name"] for d in json.loads(built)["detainees"]] == ["Paul Whelan"]
    plain = client.get("/api/v1/dump/")  # a client that does not take gzip gets the same bytes, decompressed
    assert "Content-Encoding" not in plain and body(plain) == built and plain["ETag"] == f'"{checksum[:32]}"'
    (sha_file,) = settings.DUMP_DIR.rglob("*.sha256")
    assert sha_file.read_text() == f"{checksum}  prisoner-exchange-tracker-{version}.json\n"


def test_if_none_match_answers_304_in_either_encoding():
    DetaineeFactory(is_published=True)
    client = Client()
    body(client.get("/api/v1/dump/"))
    etag = client.get("/api/v1/dump/", **GZIP)["ETag"]
    assert client.get("/api/v1/dump/", HTTP_IF_NONE_MATCH=etag, **GZIP).status_code == 304
    assert client.get("/api/v1/dump/", HTTP_IF_NONE_MATCH=etag.replace("-gzip", "")).status_code == 304
    assert client.get("/api/v1/dump/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_change_makes_a_new_file_and_removes_the_old_one(settings):
    DetaineeFactory(name="Paul Whelan", is_published=True)
    client = Client()
    body(client.get("/api/v1/dump/"))
    old_version = data_version()
    DetaineeFactory(name="Evan Gershkovich", is_published=True)
    fresh = json.loads(body(client.get("/api/v1/dump/")))
    assert sorted(d["name"] for d in fresh["detainees"]) == ["Evan Gershkovich", "Paul Whelan"]
    assert not any(old_version in name for name in files(settings)) and len(files(settings)) == 2
    assert json.loads(gzip.decompress(body(client.get("/api/v1/dump/", **GZIP)))) == fresh


def test_the_file_never_holds_drafts_even_when_an_editor_asked_first(editor_client):
    DetaineeFactory(name="Secret Lead", is_published=False)
    DetaineeFactory(name="Paul Whelan", is_published=True)
    first = json.loads(body(editor_client.get("/api/v1/dump/")))
    served = json.loads(body(Client().get("/api/v1/dump/")))
    assert [d["name"] for d in first["detainees"]] == [d["name"] for d in served["detainees"]] == ["Paul Whelan"]


def test_a_client_that_leaves_mid_way_leaves_no_file_and_closes_the_build(settings):
    closed = []

    def document():  # stands for the dump's generator, whose database cursors must close with the stream
        try:
            yield '{"a": 1'
            yield ', "b": 2}'
        finally:
            closed.append(True)

    directory = settings.DUMP_DIR / "site"
    stream = _build_while_streaming(document(), directory, directory / "d.json.gz", directory / "d.json.sha256", "d")
    assert next(stream) == b'{"a": 1'
    stream.close()  # what the server does when the client disconnects
    assert closed and files(settings) == [] and not list(directory.glob(".building-*"))
    DetaineeFactory(is_published=True)
    assert json.loads(body(Client().get("/api/v1/dump/")))["detainees"] and len(files(settings)) == 2


def test_while_another_worker_builds_the_file_a_request_is_streamed_without_writing(settings):
    DetaineeFactory(name="Paul Whelan", is_published=True)
    site = site_directory(RequestFactory().get("/"))  # the test client's address: http://testserver
    site.mkdir(parents=True)
    with (site / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        streamed = json.loads(body(Client().get("/api/v1/dump/")))
    assert [d["name"] for d in streamed["detainees"]] == ["Paul Whelan"]
    assert files(settings) == []


def test_the_file_can_be_built_ahead_of_the_first_request(settings, capsys, django_assert_num_queries):
    from django.core.management import call_command

    DetaineeFactory(name="Paul Whelan", is_published=True)
    call_command("build_dump", "--base-url", "http://testserver")
    assert "is ready" in capsys.readouterr().err and len(files(settings)) == 2
    with django_assert_num_queries(1):
        response = Client().get("/api/v1/dump/", **GZIP)
    assert response["Content-Encoding"] == "gzip"
