"""h29: a Russian case page read "Paul Whelan" above Russian text. Where a Russian name is on file (the
original-script name, or an alias, in Cyrillic) the /ru/ page is headed with it, the English name beside it; the
Russian description is used when there is one. Nothing is transliterated: with no Cyrillic name on file, the
English name stays."""

import pytest

from common.text import russian_name
from tests.factories import DetaineeFactory

pytestmark = pytest.mark.django_db


def heading(client, url: str) -> str:
    html = client.get(url).content.decode()
    return html.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_a_russian_page_heads_the_case_with_the_russian_name_and_the_english_beside_it(client):
    person = DetaineeFactory(name="Paul Whelan", name_original="Пол Уилан", description="former US Marine",
                             description_ru="бывший морской пехотинец США")  # fmt: skip
    url = person.get_absolute_url()
    assert (
        heading(client, "/ru" + url)
        == '<span lang="ru">Пол Уилан</span> <span class="name-en" lang="en">Paul Whelan</span>'
    )
    ru = client.get("/ru" + url).content.decode()
    assert "<title>Пол Уилан (Paul Whelan)" in ru
    assert "Бывший морской пехотинец США" in ru and "former US Marine" not in ru
    assert '<p class="original" lang="und">Пол Уилан</p>' not in ru  # not said twice
    # The English page is as it was.
    assert heading(client, url) == "Paul Whelan"
    assert '<p class="original" lang="und">Пол Уилан</p>' in client.get(url).content.decode()


def test_an_alias_in_russian_heads_the_page_when_the_original_name_is_not_russian(client):
    pole = DetaineeFactory(name="Andrzej Poczobut", name_original="Andrzej Poczobut",
                           aliases=["Andrei Poczobut", "Анджей Почобут"])  # fmt: skip
    assert heading(client, "/ru" + pole.get_absolute_url()).startswith('<span lang="ru">Анджей Почобут</span>')
    # A Belarusian spelling gives way to a Russian one on file.
    youras = DetaineeFactory(name="Youras Ziankovich", name_original="Юрась Зянковіч", aliases=["Юрас Зенкович"])
    assert heading(client, "/ru" + youras.get_absolute_url()).startswith('<span lang="ru">Юрас Зенкович</span>')
    latin = DetaineeFactory(name="Trevor Reed", aliases=["Trevor R."])
    assert heading(client, "/ru" + latin.get_absolute_url()) == '<span lang="en">Trevor Reed</span>'


def test_russian_name_prefers_russian_spelling_and_never_invents_one():
    assert russian_name("Юрась Зянковіч", ["Yuras Zyankovich", "Юрас Зенкович"]) == "Юрас Зенкович"
    assert russian_name("Юрась Зянковіч", []) == "Юрась Зянковіч"  # Cyrillic still reads better than Latin
    assert russian_name("גלעד שליט", ["Guilad Shalit"]) == ""
    assert russian_name("", ["Viktor Bout", "Виктор Бут"]) == "Виктор Бут"
    assert russian_name("", None) == ""
