"""The one-screen case entry offers the person's description in Russian (`Detainee.description_ru`), as the admin's
own form does: labelled in the editor's language, saved with the case, and shown again when the case is opened."""

import re

import pytest
from django.urls import reverse

from common.models import EditorLanguage
from detainees.models import Detainee
from tests.detainees.test_case_entry import GORDON_BLACK

pytestmark = pytest.mark.django_db
URL = reverse("admin:detainees_case_entry")


def labels(html: str) -> list[str]:
    return [label.strip() for label in re.findall(r"<label[^>]*>([^<]+)</label>", html)]


def test_the_screen_has_a_description_in_russian_saved_with_the_case(editor_client):
    html = editor_client.get(URL).content.decode()
    assert 'name="person-description_ru"' in html
    assert any(label.startswith("Description in Russian") for label in labels(html)), labels(html)
    response = editor_client.post(URL, {**GORDON_BLACK, "person-description": "former US soldier",
                                        "person-description_ru": "бывший военный США"})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Detainee.objects.get(name="Gordon Black")
    assert person.description_ru == "бывший военный США"
    again = editor_client.get(reverse("admin:detainees_case_edit", args=[person.pk])).content.decode()
    assert "бывший военный США" in again


def test_the_label_reads_russian_for_a_russian_editor(client, editor):
    EditorLanguage.objects.create(user=editor, language="ru")
    client.force_login(editor)
    html = client.get(URL).content.decode()
    assert 'name="person-description_ru"' in html
    assert any(label.startswith("Описание на русском") for label in labels(html)), labels(html)
