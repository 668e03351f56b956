"""The Russian admin's own phrases read as Russian: Django puts a model's singular name into "Изменить %s",
"Добавить %(name)s" and "Выберите %s для изменения" (the accusative) and cannot decline it, so "Изменить задержанный"
is avoided by naming such records with a noun whose accusative is its nominative ("профиль задержанного",
common.i18n.ADMIN_OBJECT_NAMES); the rows of the inlines are headed in Russian (a custody "под стражей (Россия) с
июня 2024 г.", a count "3 человека"), not "held by … from …" or "people"."""

import datetime
import re

import pytest
from django.utils import translation

from common.models import EditorLanguage
from detainees.models import Detainee, Group
from exchanges.models import ExchangeCount
from tests.factories import DetaineeFactory, DetentionFactory, ExchangeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def russian_admin(client, superuser):
    EditorLanguage.objects.create(user=superuser, language="ru")
    client.force_login(superuser)
    return client


def text(html: str, tag: str) -> list[str]:
    found = re.findall(rf"<{tag}[^>]*>(.*?)</{tag}>", html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", h)).strip() for h in found]


def test_change_add_and_select_read_in_the_accusative(russian_admin):
    person = DetaineeFactory(name="Laurent Vinatier")
    change = russian_admin.get(f"/admin/detainees/detainee/{person.pk}/change/").content.decode()
    assert "Изменить профиль задержанного" in text(change, "h1")
    assert "Изменить задержанный" not in change
    assert "Править всё дело на одном экране" in change and "Edit the whole case" not in change
    add = russian_admin.get("/admin/detainees/detainee/add/").content.decode()
    assert "Добавить профиль задержанного" in text(add, "h1")
    listing = russian_admin.get("/admin/detainees/detainee/").content.decode()
    assert "Выберите профиль задержанного для изменения" in text(listing, "h1")
    group = Group.objects.create(name="Hamas")
    assert "Изменить профиль группы" in text(
        russian_admin.get(f"/admin/detainees/group/{group.pk}/change/").content.decode(), "h1"
    )
    index = russian_admin.get("/admin/").content.decode()
    assert "Задержанные" in index  # the sidebar's plural keeps the plain word
    with translation.override("en"):
        assert str(Detainee._meta.verbose_name) == "detainee"  # English reads as before


def test_inline_rows_are_headed_in_russian(russian_admin):
    detention = DetentionFactory(detainee__name="Laurent Vinatier", detained_on=datetime.date(2024, 6, 6),
                                 detained_on_precision="month")  # fmt: skip
    html = russian_admin.get(f"/admin/detainees/detainee/{detention.detainee_id}/change/").content.decode()
    headings = " ".join(text(html, "h3"))
    assert "Laurent Vinatier: под стражей (Россия) с июня 2024 г." in headings, headings
    assert "held by" not in headings and " from " not in headings
    exchange = ExchangeFactory()
    ExchangeCount.objects.create(exchange=exchange, number=3, released_by="RU", received_by="")
    page = russian_admin.get(f"/admin/exchanges/exchange/{exchange.pk}/change/").content.decode()
    rows = " ".join(re.findall(r'<td class="original">(.*?)</td>', page, re.S))
    assert "3 человека: Россия → сторона не указана" in page, rows
    assert "people" not in rows and "a side not on file" not in rows
