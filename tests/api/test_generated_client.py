"""A client generated from /api/schema/ by openapi-python-client, used as a script author would use it.

The schema is what outside tools read: if the generated client cannot page, filter or write, the schema lies.
The client talks to the app in-process (httpx's WSGI transport), on the test database.
"""

import datetime
import importlib
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from rest_framework.authtoken.models import Token

from config.wsgi import application
from detainees.models import Detainee
from exchanges.models import Exchange
from tests.factories import DetaineeFactory

# One process generates the client for the whole module (make test distributes by xdist group).
# slow: openapi-python-client runs as a subprocess and its package is imported
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("generated_client"), pytest.mark.slow]
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture(scope="module")
def tracker_client(tmp_path_factory, django_db_blocker):
    """The generated package, imported as `tracker_client`."""
    from django.test import Client

    out = tmp_path_factory.mktemp("generated")
    with django_db_blocker.unblock():
        schema = Client().get("/api/schema/", {"format": "json"}).json()
    (out / "schema.json").write_text(json.dumps(schema))
    (out / "config.yml").write_text("package_name_override: tracker_client\npost_hooks: []\n")
    result = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(out / "schema.json"), "--output-path", str(out / "tracker_client"),
         "--config", str(out / "config.yml"), "--meta", "none"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr  # every part understood
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("tracker_client")
    finally:
        sys.path.remove(str(out))
        for name in [n for n in sys.modules if n == "tracker_client" or n.startswith("tracker_client.")]:
            del sys.modules[name]


@pytest.fixture
def in_process():
    """httpx arguments for talking to the app in-process; the WSGI handler is kept from closing the test's
    database connection after each request (Django's test client does the same)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield {"transport": httpx.WSGITransport(app=application)}
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def test_a_generated_client_pages_filters_and_writes(tracker_client, in_process, demo, editor):
    from tracker_client import AuthenticatedClient, Client
    from tracker_client.api.detainees import detainees_create, detainees_list, detainees_retrieve
    from tracker_client.api.exchanges import exchanges_create, exchanges_list
    from tracker_client.models import (
        CountryEnum,
        DetaineeRequest,
        ExchangeRequest,
        PaginatedDetaineeList,
        ParticipantRequest,
    )
    from tracker_client.models import (
        Exchange as ExchangeModel,
    )

    anonymous = Client(base_url="http://testserver", httpx_args=in_process, raise_on_unexpected_status=True)

    # Page through every detainee with cursor pages, two at a time.
    seen, cursor = [], ""
    while cursor is not None:
        page = detainees_list.sync(client=anonymous, cursor=cursor, page_size=2)
        assert isinstance(page, PaginatedDetaineeList), page
        seen += [person.id for person in page.results]
        cursor = parse_qs(urlparse(page.next_).query).get("cursor", [None])[0] if page.next_ else None
    published = list(Detainee.objects.published().order_by("id").values_list("id", flat=True))
    assert seen == published and page.count == len(published)

    # Page numbers too, and a `fields=` response parses.
    first = detainees_list.sync(client=anonymous, page=1, page_size=3, fields="id,name,status")
    assert len(first.results) == 3 and first.results[0].name
    bout = Detainee.objects.get(slug="viktor-bout")
    one = detainees_retrieve.sync(client=anonymous, id=bout.pk, fields="name,detentions.held_by")
    assert one.name == "Viktor Bout" and [d.held_by for d in one.detentions] == [CountryEnum.TH, CountryEnum.US]

    # Exchanges with the United States in 2022: Reed–Yaroshenko (April) and Griner–Bout (December).
    found = exchanges_list.sync(client=anonymous, country=[CountryEnum.US], year=[2022])
    expected = set(Exchange.objects.filter(date__year=2022).values_list("name", flat=True))
    assert {e.name for e in found.results} == expected and len(expected) == 2
    both = exchanges_list.sync(client=anonymous, country=[CountryEnum.DE, CountryEnum.TR], year=[2022, 2024])
    wanted = {"DE", "TR"}  # Reed–Yaroshenko was in Turkey in 2022; the 2024 exchange in Ankara, Germany a party
    assert {e.name for e in both.results} == {
        e.name for e in Exchange.objects.filter(date__year__in=[2022, 2024])
        if wanted & {*e.country_codes(), e.place_country.code}
    }  # fmt: skip
    assert len(both.results) == 2

    # An editor creates a person (aliases exactly as sent) and an exchange with its participants in one call.
    key = Token.objects.create(user=editor).key
    editor_client = AuthenticatedClient(base_url="http://testserver", token=key, prefix="Token",
                                        httpx_args=in_process, raise_on_unexpected_status=True)  # fmt: skip
    person = detainees_create.sync(client=editor_client, body=DetaineeRequest(
        name="Test Person", aliases=["Alias One", "Alias Two"], citizenships=[CountryEnum.US]))  # fmt: skip
    assert Detainee.objects.get(pk=person.id).aliases == ["Alias One", "Alias Two"]
    other = DetaineeFactory(name="Other Person")
    created = exchanges_create.sync(client=editor_client, body=ExchangeRequest(
        name="Test swap", date=datetime.date(2025, 2, 11), place="Moscow", place_country=CountryEnum.RU,
        participants=[
            ParticipantRequest(detainee=person.id, released_by=CountryEnum.RU, received_by=CountryEnum.US),
            ParticipantRequest(detainee=other.pk, released_by=CountryEnum.US, received_by=CountryEnum.RU, note="x"),
        ],
    ))  # fmt: skip
    assert isinstance(created, ExchangeModel), created
    saved = Exchange.objects.get(pk=created.id)
    assert [(p.detainee_id, p.released_by.code, p.note) for p in saved.participants.order_by("id")] == [
        (person.id, "RU", ""), (other.pk, "US", "x")]  # fmt: skip
    assert [p.detainee for p in created.participants] == [person.id, other.pk]
