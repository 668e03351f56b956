"""Helpers for tests that read the change feed's doors."""

import gzip
import io
import json

from django.core.management import call_command


def built_dump(client, **headers) -> dict:
    """Build the dump with its command (never built on request), then read it as a client does."""
    call_command("build_dump", stdout=io.StringIO(), stderr=io.StringIO())
    response = client.get("/api/v1/dump/", **headers)
    assert response.status_code == 200, response.status_code
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return json.loads(body)
