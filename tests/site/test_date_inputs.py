"""The site writes dates "2 May 2024" and its filters take YYYY-MM-DD; a browser's own date picker shows the order of
the reader's system (05/02/2024 in a US browser: read back as 5 February by half the readers). Every date box of the
public pages is a text box that asks for year-month-day, in English and Russian; the editors' date boxes are the
partial-date text fields, untouched."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import DetaineeFactory, DetentionFactory, EditorFactory

pytestmark = pytest.mark.django_db

PAGES = ["/detainees/", "/census/", "/flows/", "/statements/", "/sources/"]


@pytest.mark.parametrize("path", PAGES)
def test_public_date_boxes_ask_for_year_month_day_not_the_browsers_order(client, path):
    html = client.get(path).content.decode()
    assert 'type="date"' not in html
    boxes = re.findall(r'<input type="text" inputmode="numeric" pattern="\[0-9\]\{4\}-\[0-9\]\{2\}-\[0-9\]\{2\}" '
                       r'placeholder="YYYY-MM-DD"[^>]*>', html)  # fmt: skip
    assert boxes
    ru = client.get("/ru" + path).content.decode()
    assert 'placeholder="ГГГГ-ММ-ДД"' in ru


def test_a_day_typed_year_month_day_still_filters_the_list(client):
    import datetime

    DetentionFactory(detainee=DetaineeFactory(name="Held Then"), held_by="RU", detained_on=datetime.date(2020, 1, 1),
                     released_on=datetime.date(2021, 1, 1), end_reason="released")  # fmt: skip
    html = client.get("/detainees/", {"held_on": "2020-06-01"}).content.decode()
    assert "Held Then" in html and 'value="2020-06-01"' in html
    assert client.get("/detainees/", {"held_on": "06/01/2020"}).status_code == 400


def test_the_editors_date_fields_stay_partial_date_text(client):
    editor = EditorFactory()
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["add_detainee", "change_detainee"]))
    client.force_login(editor)
    html = client.get(reverse("admin:detainees_case_entry")).content.decode()
    assert 'type="date"' not in html and "vDateField" not in html
    assert re.search(r'<input type="text" name="[^"]*detained_on"[^>]*placeholder="e.g. 2 May 2024', html)
