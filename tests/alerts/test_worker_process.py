"""The worker as a real process (`manage.py alerts_worker`) on its own SQLite file, killed with SIGKILL in the
middle of a delivery and started again: the receiver on loopback still gets every matching event, at least once,
with the same delivery id on every retry, so that counting by id counts each exactly once; every signature
verifies. The 500 and the timeout are induced on the way."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from tests.alerts.helpers import Receiver
from tests.servers import ROOT

pytestmark = pytest.mark.slow

SEED = """
import json
from django.contrib.auth import get_user_model
from django.utils import timezone
from alerts.models import Account
from alerts.services import create_webhook
from tests.alerts.helpers import publish
from tests.factories import DetaineeFactory, DetentionFactory

user = get_user_model().objects.create_user(username="script@example.org", email="script@example.org")
Account.objects.create(user=user, email_confirmed=user.email, confirmed_at=timezone.now())
hook = create_webhook(user=user, url=URL, resources=["detainees", "detentions"])
people = [DetaineeFactory() for _ in range(5)]
seqs = [publish("detainees", person.pk).seq for person in people]
seqs.append(publish("detentions", DetentionFactory(detainee=people[0]).pk).seq)
publish("sources", 1, op="delete")  # a resource the hook did not choose: never sent
print(json.dumps({"secret": hook.secret, "seqs": seqs}))
"""


def manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


def start_worker(env, log):
    return subprocess.Popen(
        [sys.executable, "manage.py", "alerts_worker", "--interval", "0.1", "--tick", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )


def test_every_event_arrives_once_by_id_after_a_500_a_timeout_and_a_kill_9(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "ALERTS_BACKOFF_SECONDS": "0.3",
        "ALERTS_BACKOFF_MAX_SECONDS": "1",
        "ALERTS_WEBHOOK_TIMEOUT": "1",
        "ALERTS_LEASE_SECONDS": "3",
        "ALERTS_WEBHOOK_ALLOW_PRIVATE": "true",
        "CASE_DOCUMENTS": "false",
        "RELEASES_DAILY_AT": "",
        "WORKER_PUBLISH_LIMIT": "0",  # the test writes the feed's events itself (tests/alerts/conftest.py)
    }
    manage(env, "migrate", "-v0")
    held = threading.Event()
    seen = {}

    def behaviour(number, body):
        seq = json.loads(body)["event"]["seq"]
        seen[seq] = seen.get(seq, 0) + 1
        if seen[seq] > 1:
            return "200"
        # the first try of the first three events: a 500, a timeout, then held while the worker is killed
        return {first: "500", first + 1: "sleep:2", first + 2: "hold"}.get(seq, "200")

    with Receiver() as receiver:
        first = None

        def plan(number, body):
            answer = behaviour(number, body)
            if answer == "hold":
                held.set()
                return "sleep:6"
            return answer

        receiver.behaviour = plan
        seeded = json.loads(
            manage(env, "shell", "-c", f"URL = {receiver.url!r}\n" + SEED).stdout.strip().splitlines()[-1]
        )
        first = seeded["seqs"][0]
        log = open(tmp_path / "worker.log", "ab")
        worker = start_worker(env, log)
        try:
            assert held.wait(60), (tmp_path / "worker.log").read_text()
            worker.send_signal(signal.SIGKILL)  # mid-delivery: the POST is in flight
            worker.wait(10)
            assert worker.returncode == -signal.SIGKILL
            worker = start_worker(env, log)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with sqlite3.connect(database) as db:
                    pending = db.execute("SELECT count(*) FROM alerts_delivery WHERE status != 'delivered'").fetchone()
                    total = db.execute("SELECT count(*) FROM alerts_delivery").fetchone()
                if total[0] == len(seeded["seqs"]) and pending[0] == 0:
                    break
                time.sleep(0.3)
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    events = receiver.events()  # one entry per delivery id
    assert sorted(event["seq"] for event in events.values()) == sorted(seeded["seqs"])
    ids = receiver.ids()
    assert len(ids) >= len(seeded["seqs"]) + 3  # the 500, the timeout and the killed delivery came again
    retried = {event_id for event_id in ids if ids.count(event_id) > 1}
    assert {events[event_id]["seq"] for event_id in retried} == {first, first + 1, first + 2}
    assert receiver.all_signatures_verify(seeded["secret"])
    assert not receiver.all_signatures_verify("another secret")
