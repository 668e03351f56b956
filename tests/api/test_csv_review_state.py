"""The CSV says what the JSON says of a case's review state (a new user found the column empty on every row)."""

import csv
import io

import pytest
from rest_framework.test import APIClient

from tests.factories import DetaineeFactory, ExchangeFactory

pytestmark = pytest.mark.django_db


def states(client, path: str) -> tuple[dict, dict]:
    rows = csv.DictReader(io.StringIO(b"".join(client.get(f"/api/v1/{path}/", {"format": "csv"}).streaming_content)
                                      .decode().lstrip("\ufeff")))  # fmt: skip
    in_csv = {int(row["id"]): row["review_state"] for row in rows}
    in_json = {item["id"]: item["review_state"]
               for item in client.get(f"/api/v1/{path}/", {"page_size": 500}).json()["results"]}  # fmt: skip
    return in_csv, in_json


@pytest.mark.parametrize(("path", "factory"), [("detainees", DetaineeFactory), ("exchanges", ExchangeFactory)])
def test_each_rows_review_state_is_the_jsons(editor, path, factory):
    factory(is_published=True)
    factory(is_published=False, awaiting_review=False)
    factory(is_published=False, awaiting_review=True)
    client = APIClient()
    client.force_authenticate(editor)  # an editor sees the drafts too
    in_csv, in_json = states(client, path)
    assert in_csv == in_json and sorted(in_csv.values()) == ["awaiting_review", "draft", "published"]
    anonymous = states(APIClient(), path)
    assert anonymous[0] == anonymous[1] and list(anonymous[0].values()) == ["published"]
