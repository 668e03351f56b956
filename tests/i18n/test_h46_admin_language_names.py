"""The admin's language menu lists the site's languages by their own names, as the public switcher does."""

import re

import pytest

from common.models import EditorLanguage

pytestmark = pytest.mark.django_db


def menu(html: str) -> list[str]:
    select = html.split('id="editor-language-select"')[1].split("</select>")[0]
    return re.findall(r">([^<]+)</option>", select)


def test_the_admin_language_menu_says_english_and_russian_in_their_own_names(client, editor):
    client.force_login(editor)
    assert menu(client.get("/admin/").content.decode()) == ["English", "Русский"]
    EditorLanguage.objects.create(user=editor, language="ru")
    assert menu(client.get("/admin/").content.decode()) == ["English", "Русский"]  # not "Английский"
