"""The CSV of a whole public list served from a file built beforehand (dataset.csvfiles): the same bytes the request
would stream, never a stale file after a change the public can see, never built by a request."""

import datetime
import hashlib
import json
import random

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from changes.publisher import publish
from dataset import csvfiles
from detainees.models import Detainee
from tests.factories import (
    ChargeFactory,
    DetaineeFactory,
    DetentionFactory,
    ExchangeFactory,
    ParticipantFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db(transaction=False)

LISTS = sorted(csvfiles.resources())


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def get(path: str = "detainees", client=None, **params):
    response = (client or APIClient()).get(f"/api/v1/{path}/", {"format": "csv", **params})
    assert response.status_code in (200, 304), response.content[:300] if not response.streaming else ""
    return response


def streamed(settings, path: str = "detainees") -> bytes:
    """What the request streams, with no file to serve."""
    settings.CSV_FILES = False
    try:
        response = get(path)
        assert "X-Feed-Seq" not in response
        return body(response)
    finally:
        settings.CSV_FILES = True


def random_history(rng: random.Random, steps: int = 25) -> None:
    """Random writes over cases: people (some drafts), detentions with charges, sources, an exchange."""
    source = SourceFactory()
    people = []
    for step in range(steps):
        move = rng.choice(["person", "draft", "detention", "rename", "unpublish", "delete", "exchange"])
        if move in ("person", "draft") or not people:
            person = DetaineeFactory(name=f"Person {step} {rng.choice(['Иван', '=SUM(1)', 'O’Neil', 'Ли, Бо'])}",
                                     is_published=move != "draft", citizenships=rng.sample(["RU", "US", "GB"], 2),
                                     aliases=[f"Alias {step}"])  # fmt: skip
            person.sources.add(source)
            people.append(person)
        elif move == "detention":
            detention = DetentionFactory(detainee=rng.choice(people), detained_on=datetime.date(2020, 1, 1 + step))
            ChargeFactory(detention=detention)
        elif move == "rename":
            person = rng.choice(people)
            Detainee.objects.filter(pk=person.pk).update(name=f"{person.name} renamed")
            person.refresh_from_db()
            person.save()  # through the ORM: the triggers mark it
        elif move == "unpublish":
            Detainee.objects.filter(pk=rng.choice(people).pk).update(is_published=False)
        elif move == "delete" and len(people) > 2:
            person = people.pop(rng.randrange(len(people)))
            Detainee.objects.filter(pk=person.pk).delete()
        elif move == "exchange":
            ParticipantFactory(exchange=ExchangeFactory(), detainee=people.pop(rng.randrange(len(people))))
    publish()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_random_writes_every_file_served_is_the_stream_byte_for_byte(settings, seed):
    random_history(random.Random(seed))
    written = csvfiles.build()
    assert set(written) == set(LISTS)
    for path in LISTS:
        response = get(path)
        assert response["X-Feed-Seq"], f"{path} was not served from its file"
        served = body(response)
        assert served == streamed(settings, path), path
        assert response["Content-Length"] == str(len(served))
        assert response["Content-Disposition"] == get(path).get("Content-Disposition")


def test_the_file_is_the_stream_of_the_demo_in_either_language(demo, settings):
    csvfiles.build()
    for path in LISTS:
        served = body(get(path))
        assert served.count(b"\n") > 1 or path in ("claims", "sentence-changes") and served
        assert served == streamed(settings, path), path
        russian = APIClient().get(f"/api/v1/{path}/", {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="ru")
        assert russian["X-Feed-Seq"] and body(russian) == served  # no cell is in words of a language


def test_without_a_file_the_request_streams(settings):
    DetaineeFactory(name="Streamed Person")
    response = get()
    assert "X-Feed-Seq" not in response and b"Streamed Person" in body(response)


def test_no_request_builds_a_file(settings):
    DetaineeFactory(name="Nobody Builds")
    publish()
    get()
    get()
    assert not csvfiles.files()


def test_filtered_signed_in_and_paged_requests_stream(settings, editor):
    DetentionFactory(detainee=DetaineeFactory(name="Filtered Person", citizenships=["US"]))
    publish()
    csvfiles.build()
    assert get()["X-Feed-Seq"]
    for params in ({"citizenship": "US"}, {"fields": "id,name"}, {"ordering": "-name"}, {"page_size": "10"}):
        assert "X-Feed-Seq" not in get(**params), params
    signed_in = APIClient()
    signed_in.force_authenticate(editor)
    assert "X-Feed-Seq" not in get(client=signed_in)


def test_the_file_carries_its_checksum_seq_and_validators(settings):
    DetaineeFactory(name="Checksummed Person")
    publish()
    paths = csvfiles.build()
    path = paths["detainees"]
    meta = json.loads(path.with_name(path.name + ".json").read_text())
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert meta["sha256"] == digest and digest[:12] in path.name and f"-seq{meta['seq']}-" in path.name
    response = get()
    assert response["X-Checksum-SHA256"] == digest and response["X-Feed-Seq"] == str(meta["seq"])
    assert response["ETag"] == f'"{digest[:32]}"' and response["Last-Modified"]
    again = APIClient().get("/api/v1/detainees/", {"format": "csv"}, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    since = APIClient().get("/api/v1/detainees/", {"format": "csv"}, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304


# ---- never stale after a change the public can see ------------------------------------------------------------


@pytest.fixture
def built(settings):
    people = [DetaineeFactory(name=f"Visible {n}") for n in range(3)]
    for person in people:
        DetentionFactory(detainee=person)
    publish()
    csvfiles.build()
    assert get()["X-Feed-Seq"]
    return people


def test_an_unpublish_is_never_served_from_the_old_file(built):
    Detainee.objects.filter(pk=built[0].pk).update(is_published=False)
    response = get()  # the mark is pending: streamed
    assert "X-Feed-Seq" not in response and b"Visible 0" not in body(response)
    publish()
    response = get()  # published: the feed moved past the file
    assert "X-Feed-Seq" not in response and b"Visible 0" not in body(response)


def test_a_delete_is_never_served_from_the_old_file(built):
    Detainee.objects.filter(pk=built[1].pk).delete()
    assert b"Visible 1" not in body(get())
    publish()
    assert b"Visible 1" not in body(get())


def test_a_new_draft_and_its_publishing(built, settings):
    draft = DetaineeFactory(name="Secret Draft", is_published=False)
    assert b"Secret Draft" not in body(get())
    publish()
    response = get()
    assert b"Secret Draft" not in body(response)
    Detainee.objects.filter(pk=draft.pk).update(is_published=True)
    assert b"Secret Draft" in body(get())
    publish()
    assert b"Secret Draft" in body(get())
    csvfiles.build()
    response = get()
    assert response["X-Feed-Seq"] and b"Secret Draft" in body(response)


def test_an_unpublish_through_the_api_stops_the_file(built, editor):
    client = APIClient()
    client.force_authenticate(editor)
    response = client.patch(f"/api/v1/detainees/{built[2].pk}/", {"is_published": False}, format="json")
    assert response.status_code == 200, response.content
    response = get()
    assert "X-Feed-Seq" not in response and b"Visible 2" not in body(response)


def test_a_file_of_yesterday_is_not_served(built, monkeypatch):
    tomorrow = csvfiles.timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(csvfiles.timezone, "localdate", lambda *a, **k: tomorrow)
    assert "X-Feed-Seq" not in get()  # days_held counts to the day the file was built


def test_a_file_for_another_origin_is_not_served(settings):
    DetaineeFactory(name="Origin Person")
    publish()
    csvfiles.build(origin="https://elsewhere.example")
    assert "X-Feed-Seq" not in get()


def test_writes_between_publishing_and_the_snapshot_leave_no_file(settings):
    DetaineeFactory(name="Late Write")  # marked, not published
    assert csvfiles.build(drain=False) == {}
    assert not csvfiles.files()


# ---- who builds ------------------------------------------------------------------------------------------------


def test_the_worker_round_rebuilds_after_the_feed_moves_at_most_once_per_interval(settings):
    DetaineeFactory(name="Worker Person")
    publish()
    assert set(csvfiles.refresh(min_interval=0)) == set(LISTS)
    assert csvfiles.refresh(min_interval=0) == {}  # current: nothing to do
    DetaineeFactory(name="Second Person")
    publish()
    assert csvfiles.refresh(min_interval=3600) == {}  # tried a moment ago
    assert set(csvfiles.refresh(min_interval=0)) == set(LISTS)
    assert b"Second Person" in body(get()) and get()["X-Feed-Seq"]


@pytest.mark.django_db(transaction=True)  # the worker runs its tasks in transactions of its own
def test_the_worker_command_builds_the_files(settings, monkeypatch):
    monkeypatch.setitem(csvfiles._last_try, "at", 0.0)
    DetaineeFactory(name="Worker Command Person")  # marked: the worker publishes it, then builds
    call_command("alerts_worker", "--batch", stdout=open("/dev/null", "w"))
    response = get()
    assert response["X-Feed-Seq"] and b"Worker Command Person" in body(response)


@pytest.mark.slow  # the whole demo loaded by the command (README, "Suite times")
def test_the_command_and_load_demo_build_the_files(settings):
    call_command("build_csv_files", "detainees", "exchanges", stdout=open("/dev/null", "w"))
    assert {name for name, _seq, _path in csvfiles.files()} == {"detainees", "exchanges"}
    call_command("load_demo", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    assert {name for name, _seq, _path in csvfiles.files()} == set(LISTS)
    assert get()["X-Feed-Seq"]


def test_the_command_and_load_demo_of_a_one_case_document_build_the_files(settings, monkeypatch):
    """The slow test above with the demo document cut to one case: the command's own steps (the merge, the feed
    drained, every list's file built at its head) are the same."""
    from dataset import demo
    from dataset.management.commands import load_demo as command

    one_case = {**demo.demo_document(), "records": {"detainees.detainee": [
        {"id": 1, "fields": {"name": "One Demo Case", "is_published": False}}]}}  # fmt: skip
    for module in (demo, command):
        monkeypatch.setattr(module, "demo_document", lambda starter=False: one_case)
    call_command("build_csv_files", "detainees", "exchanges", stdout=open("/dev/null", "w"))
    assert {name for name, _seq, _path in csvfiles.files()} == {"detainees", "exchanges"}
    call_command("load_demo", stdout=open("/dev/null", "w"), stderr=open("/dev/null", "w"))
    assert Detainee.objects.filter(name="One Demo Case").exists()
    assert {name for name, _seq, _path in csvfiles.files()} == set(LISTS)
    assert get()["X-Feed-Seq"]


def test_old_files_are_pruned(settings):
    for n in range(4):
        DetaineeFactory(name=f"Pruned {n}")
        publish()
        csvfiles.build(only=["detainees"])
    assert len([1 for name, _s, _p in csvfiles.files() if name == "detainees"]) == csvfiles.KEEP


@pytest.mark.django_db(transaction=True)  # the build's thread has a connection of its own
def test_the_running_worker_builds_the_files_in_a_thread_and_drains_marks_meanwhile(settings, monkeypatch):
    """A build of every list took a minute at 100,000 cases and held up the worker's next round: documents stayed
    stale and the feed unpublished for that minute after any write (make bench)."""
    import threading

    from alerts.management.commands import alerts_worker

    monkeypatch.setitem(csvfiles._last_try, "at", 0.0)
    started, release = threading.Event(), threading.Event()
    real_build = csvfiles.build

    def slow_build(*args, **kwargs):
        started.set()
        assert release.wait(10), "the test never let the build finish"
        return real_build(*args, **kwargs)

    monkeypatch.setattr(csvfiles, "build", slow_build)
    DetaineeFactory(name="Background Build Person")
    publish()
    assert alerts_worker.refresh_csv_files(background=True) == 0  # started, not waited for
    assert started.wait(10)
    assert alerts_worker._building.is_alive()
    assert alerts_worker.refresh_csv_files(background=True) == 0  # one build at a time: no second thread
    DetaineeFactory(name="Written Meanwhile")  # a write while the files are built: the round drains it at once
    from common.derived import drain

    assert drain()["events"] >= 1
    release.set()
    alerts_worker._building.join(10)
    assert alerts_worker.refresh_csv_files(background=True) == len(LISTS)  # the finished build's files, counted
    alerts_worker._building.join(10)
