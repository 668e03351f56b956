"""The one-screen case entry names each source by outlet, date and headline, and a row added to a case on file
starts with none of the case's sources ticked (JS: tests/e2e/test_case_entry.py)."""

import datetime

import pytest

from sources.models import Outlet, Source
from tests.detainees.test_case_entry import URL, edit_url, gordon_black  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_sources_are_named_by_outlet_date_and_headline(editor_client, gordon_black):  # noqa: F811
    outlet = Outlet.objects.create(name="Test Outlet (test)", country="US", kind="newspaper")
    source = Source.objects.create(
        outlet=outlet, title="Soldier jailed in Vladivostok (test)", url="https://example.org/h46-test",
        published_on=datetime.date(2024, 6, 19),
    )
    gordon_black.detentions.get().sources.add(source)
    page = editor_client.get(edit_url(gordon_black))
    screen = page.context["screen"]
    key = next(k for k, form in screen.sources if form.initial.get("on_file") == source.pk)
    labels = dict(screen.detentions[0]["form"].fields["cites"].choices)
    assert "Test Outlet (test)" in labels[key] and "19 June 2024" in labels[key]
    assert "Soldier jailed in Vladivostok (test)" in labels[key]
    html = page.content.decode()
    assert f'data-key="{key}" data-on-file' in html  # the browser adds new rows with the case's sources unticked
    assert "Soldier jailed in Vladivostok (test)" in html.split(f'id="id_det-0-cites-{key}"')[1].split("</label>")[0]


def test_a_new_case_screen_still_ticks_its_new_source_on_each_fact(editor_client):
    screen = editor_client.get(URL).context["screen"]
    assert screen.detentions[0]["form"]["cites"].value() == ["src-0"]
    assert dict(screen.detentions[0]["form"].fields["cites"].choices)["src-0"] == "Source 1"
