"""Test helpers for alerts: feed events made the way the publisher makes them, a webhook receiver on loopback."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.utils import timezone

from alerts.delivery import DELIVERY_HEADER, SIGNATURE_HEADER, verify
from changes.models import Change


def publish(resource: str, object_id: int, *, op: str = "upsert", document: dict | None = None) -> Change:
    """Append one event to the feed, as the test orders it. An upsert carries the record's anonymous API
    representation, rendered by the publisher's own code, unless a document is given; a delete carries none.

    The alerts tests are the feed's consumer tested against a feed the test writes (the publisher that writes it
    for real is proven in tests/changes; `real_feed_off` in conftest keeps it from adding events of its own here).
    """
    if op == "upsert" and document is None:
        from changes.publisher import localized, render

        rendered = render(resource, [object_id])
        assert object_id in rendered, (resource, object_id, "not visible to the public")
        document = localized(rendered[object_id], "http://testserver")
    return Change.objects.create(
        resource=resource,
        object_id=object_id,
        op=op,
        at=timezone.now(),
        document=document if op == "upsert" else None,
        digest="",
    )


class Receiver:
    """A webhook receiver on 127.0.0.1 in a thread. `plan` maps a 1-based request number to a behaviour:
    "500" answers 500, "sleep:<s>" waits that long before answering 200 (a timeout for the sender), anything else
    200. Every request is kept (headers, body, whether its signature verifies)."""

    def __init__(self, secret_of=lambda body: "", plan: dict | None = None):
        self.requests = []
        self.plan = plan or {}
        self.secret_of = secret_of
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    receiver.requests.append({"headers": headers, "body": body, "at": time.monotonic()})
                    number = len(receiver.requests)
                behaviour = receiver.behaviour(number, body)
                if behaviour.startswith("sleep:"):
                    time.sleep(float(behaviour.split(":")[1]))
                status = 500 if behaviour == "500" else 200
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender gave up (timeout) or died

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def behaviour(self, number: int, body: bytes) -> str:
        return self.plan.get(number, "200")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def ids(self) -> list[str]:
        return [r["headers"][DELIVERY_HEADER.lower()] for r in self.requests]

    def events(self) -> dict[str, dict]:
        """Each delivery id once, with its body's event (what a receiver that dedups by id keeps)."""
        return {r["headers"][DELIVERY_HEADER.lower()]: json.loads(r["body"])["event"] for r in self.requests}

    def all_signatures_verify(self, secret: str) -> bool:
        return all(verify(secret, r["body"], r["headers"].get(SIGNATURE_HEADER.lower(), "")) for r in self.requests)
