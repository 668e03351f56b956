"""The site in Russian: /ru/ pages, Russian plurals, dates and numbers, the API's words by Accept-Language, the
admin in an editor's language, and caches that never hand one language's bytes to the other."""

import datetime
import re

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from casedocs.models import CaseDocument
from common.models import DatePrecision, EditorLanguage, format_partial_date
from common.partial_dates import parse_partial_date

pytestmark = pytest.mark.django_db

RUSSIAN_PAGES = ["/ru/", "/ru/detainees/", "/ru/exchanges/", "/ru/sources/", "/ru/statements/", "/ru/flows/",
                 "/ru/census/", "/ru/about/", "/ru/groups/", "/ru/officials/",
                 "/ru/detainees/brittney-griner/"]  # fmt: skip


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("url", RUSSIAN_PAGES)
def test_every_public_page_has_a_russian_version_with_alternates(client, demo, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert response["Content-Language"] == "ru"
    english = url.removeprefix("/ru")
    assert f'hreflang="en" href="http://testserver{english}"' in html
    assert f'hreflang="ru" href="http://testserver{url}"' in html
    assert f'hreflang="x-default" href="http://testserver{english}"' in html
    assert f'<a href="{english}" hreflang="en" lang="en" rel="alternate">English</a>' in html  # the switcher
    nav = html.split('<nav aria-label="Основная навигация">')[1].split("</nav>")[0]
    assert ">Дела<" in nav and ">Обмены<" in nav and ">Перепись<" in nav
    assert 'href="/ru/detainees/"' in nav  # links stay in the language


@pytest.mark.parametrize("url", [u.removeprefix("/ru") for u in RUSSIAN_PAGES])
def test_english_pages_stay_where_they_were(client, demo, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="ru")  # the address, not the browser, says the language
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html and ">Cases<" in html
    assert f'<a href="/ru{url}" hreflang="ru" lang="ru" rel="alternate">Русский</a>' in html


@pytest.mark.parametrize(("old", "new"), [("/en/detainees/?q=bout", "/detainees/?q=bout"), ("/en/", "/"),
                                          ("/en-gb/exchanges/", "/exchanges/")])  # fmt: skip
def test_an_english_prefix_redirects_to_the_unprefixed_address(client, old, new):
    response = client.get(old)
    assert response.status_code == 301 and response["Location"] == new


def test_a_case_page_in_russian_reads_as_russian_reporting_writes(client, demo):
    html = client.get("/ru/detainees/brittney-griner/").content.decode()
    text = text_of(html)
    assert "Освобождение по обмену 8 декабря 2022 г." in text
    assert "Хронология" in text and "Источники" in text and "Цитировать эту страницу" in text
    assert "дата обращения" in text  # the citation of the page, in Russian
    assert '"inLanguage": "ru"' in html  # JSON-LD names the page's language
    assert '<meta property="og:locale" content="ru_RU">' in html
    # Nothing of the English interface is left in the page's own words.
    for english in ["Timeline", "Sources", "Cite this page", "Exchanged on", "accessed"]:
        assert english not in text, english


@pytest.mark.parametrize(("n", "words"), [(1, "1 день"), (2, "2 дня"), (3, "3 дня"), (5, "5 дней"),
                                          (11, "11 дней"), (21, "21 день"), (22, "22 дня"), (25, "25 дней"),
                                          (111, "111 дней")])  # fmt: skip
def test_russian_plural_forms_of_days(n, words):
    with translation.override("ru"):
        sentence = ngettext("%(days)s day in custody in all.", "%(days)s days in custody in all.", n) % {"days": n}
    assert sentence == f"Всего {words} под стражей."


@pytest.mark.parametrize(("n", "expected"), [(1, "1 дело"), (4, "4 дела"), (5, "5 дел"), (21, "21 дело")])
def test_russian_plural_forms_of_cases(n, expected):
    with translation.override("ru"):
        text = ngettext("<strong>%(total)s</strong> case", "<strong>%(total)s</strong> cases", n) % {"total": n}
    assert text == expected.replace(f"{n} ", f"<strong>{n}</strong> ")


def test_russian_dates_full_partial_and_in_the_case_a_sentence_needs():
    day, month, year = datetime.date(2022, 12, 8), datetime.date(2022, 2, 1), datetime.date(2008, 1, 1)
    with translation.override("ru"):
        assert format_partial_date(day) == "8 декабря 2022 г."
        assert format_partial_date(month, DatePrecision.MONTH) == "февраль 2022 г."
        assert format_partial_date(month, DatePrecision.MONTH, form="genitive") == "февраля 2022 г."
        assert format_partial_date(month, DatePrecision.MONTH, form="prepositional") == "феврале 2022 г."
        assert format_partial_date(year, DatePrecision.YEAR) == "2008 г."
    assert format_partial_date(day) == "8 December 2022"  # English as before
    assert format_partial_date(month, DatePrecision.MONTH, form="prepositional") == "February 2022"


def test_a_sentence_with_a_partial_date_takes_the_right_case(demo):
    from detainees.models import Detainee
    from detainees.selectors import status_sentence

    person = Detainee.objects.published().with_status().get(slug="brittney-griner")
    detention = person.latest_detention
    detention.released_on, detention.released_on_precision = datetime.date(2022, 12, 1), "month"
    with translation.override("ru"):
        assert status_sentence(person) == "Освобождение по обмену в декабре 2022 г."
    assert status_sentence(person) == "Exchanged in December 2022"


def test_numbers_are_grouped_as_each_language_groups_them():
    with translation.override("ru"):
        assert intcomma(5390).replace("\xa0", " ") == "5 390"
    assert intcomma(5390) == "5,390"


@pytest.mark.parametrize(("typed", "expected"), [
    ("17 августа 2023 года", (datetime.date(2023, 8, 17), "day")),
    ("17 авг. 2023 г.", (datetime.date(2023, 8, 17), "day")),
    ("в мае 2024 г.", (datetime.date(2024, 5, 1), "month")),
    ("май 2024", (datetime.date(2024, 5, 1), "month")),
    ("с февраля 2022 года", (datetime.date(2022, 2, 1), "month")),
    ("в 2008 году", (datetime.date(2008, 1, 1), "year")),
    ("8 декабря 2022 г.", (datetime.date(2022, 12, 8), "day")),
    ("2 May 2024", (datetime.date(2024, 5, 2), "day")),
])  # fmt: skip
def test_intake_and_every_date_field_read_russian_dates(typed, expected):
    assert parse_partial_date(typed) == expected


def test_a_russian_date_that_is_not_in_the_calendar_is_refused_in_russian():
    from django.core.exceptions import ValidationError

    with translation.override("ru"), pytest.raises(ValidationError) as refusal:
        parse_partial_date("31 февраля 2023 года")
    assert "такой даты нет в календаре" in refusal.value.messages[0]


def test_api_errors_follow_accept_language_and_documents_do_not(client, demo):
    english = client.get("/api/v1/detainees/?page_size=9999")
    russian = client.get("/api/v1/detainees/?page_size=9999", HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5")
    assert english.status_code == russian.status_code == 400
    assert "Must be from 1 to" in english.json()["page_size"][0]
    assert "Допустимо от 1 до" in russian.json()["page_size"][0]
    assert "page_size" in russian.json()  # field names stay English
    assert "Accept-Language" in russian["Vary"] and russian["Content-Language"] == "ru"
    # A document is the same bytes in every language: its page links stay the unprefixed English addresses.
    a = client.get("/api/v1/detainees/?q=griner")
    b = client.get("/api/v1/detainees/?q=griner", HTTP_ACCEPT_LANGUAGE="ru")
    assert a.status_code == b.status_code == 200 and a.content == b.content
    assert b"/ru/" not in b.content


def test_the_openapi_documentation_stays_english(client):
    schema = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Name in Latin script as most sources write it" in schema
    assert "Имя латиницей" not in schema


def test_an_editor_reads_the_admin_in_their_own_language(client, editor):
    client.force_login(editor)
    assert "С чего начать" not in client.get("/admin/").content.decode()
    response = client.post(reverse("editor-language"), {"language": "ru", "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert EditorLanguage.objects.get(user=editor).language == "ru"
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()  # the preference wins
    assert "С чего начать" in html and '<html lang="ru"' in html
    html = client.get("/admin/detainees/detainee/add/").content.decode()
    assert "Имя латиницей, как его пишут большинство источников" in html  # help texts too
    client.post(reverse("editor-language"), {"language": "en-gb", "next": "https://evil.example/"})
    assert "Start here" in client.get("/admin/").content.decode()


def test_an_admin_form_refuses_in_russian(client, editor):
    EditorLanguage.objects.create(user=editor, language="ru")
    client.force_login(editor)
    html = client.post("/admin/detainees/detainee/intake/", {"title": "", "text": ""}).content.decode()
    assert "Исправьте ошибк" in html and "Обязательное поле." in html


def test_the_page_cache_never_serves_one_language_to_the_other(client, demo, settings):
    settings.PAGE_CACHE_SECONDS = 600
    first = client.get("/detainees/")
    assert first["X-Page-Cache"] == "miss"
    russian = client.get("/ru/detainees/")
    assert russian["X-Page-Cache"] == "miss" and "Под стражей" in russian.content.decode()
    assert client.get("/ru/detainees/")["X-Page-Cache"] == "hit"
    again = client.get("/detainees/", HTTP_ACCEPT_LANGUAGE="ru")
    assert again["X-Page-Cache"] == "hit" and ">Cases<" in again.content.decode()
    assert "Под стражей" not in again.content.decode()  # facet labels too: the figures are cached per language


def test_stored_case_pages_are_english_and_russian_visitors_get_russian(client, demo, settings):
    settings.CASE_DOCUMENTS = True
    settings.PAGE_CACHE_SECONDS = 0
    english = client.get("/detainees/brittney-griner/").content.decode()
    stored = CaseDocument.objects.get(detainee__slug="brittney-griner")
    assert stored.built_on is not None and "Exchanged on 8 December 2022" in stored.page
    russian = client.get("/ru/detainees/brittney-griner/").content.decode()
    assert "Освобождение по обмену 8 декабря 2022 г." in russian and "Exchanged on" not in text_of(russian)
    assert "Exchanged on 8 December 2022" in english
    # A build asked for by a Russian request (an editor's Russian admin saving a case) still stores English.
    from casedocs import services

    CaseDocument.objects.filter(pk=stored.pk).update(built_on=None)
    with translation.override("ru"):
        services.build([stored.pk])
    assert "Exchanged on 8 December 2022" in CaseDocument.objects.get(pk=stored.pk).page
    assert "Exchanged on 8 December 2022" in client.get("/detainees/brittney-griner/").content.decode()


def test_the_sitemap_lists_both_languages_with_alternates(client, demo):
    xml = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://testserver/detainees/brittney-griner/</loc>" in xml
    assert "<loc>http://testserver/ru/detainees/brittney-griner/</loc>" in xml
    assert 'hreflang="ru" href="http://testserver/ru/detainees/brittney-griner/"' in xml
    assert 'hreflang="x-default"' in xml


def test_the_feed_follows_the_address_language(client, demo):
    assert "Трекер обменов заключёнными" in client.get("/ru/feed.atom").content.decode()
    assert "Prisoner Exchange Tracker: new cases" in client.get("/feed.atom").content.decode()


def test_a_russian_description_is_shown_on_russian_pages_and_the_english_one_is_marked_untranslated(client, demo):
    from detainees.models import Detainee

    person = Detainee.objects.get(slug="brittney-griner")
    english = person.description
    russian_page = client.get("/ru/detainees/brittney-griner/").content.decode()
    assert english in russian_page and "(ещё не переведено)" in russian_page  # the fallback, marked
    assert f'<dd lang="en">{english[:1].upper()}' in russian_page  # and marked as English for screen readers
    person.description_ru = "американская баскетболистка"
    person.save()  # through the ORM, as the admin saves: the data version moves and cached pages go
    russian_page = client.get("/ru/detainees/brittney-griner/").content.decode()
    assert "Американская баскетболистка" in russian_page and "(ещё не переведено)" not in russian_page
    english_page = client.get("/detainees/brittney-griner/").content.decode()
    assert english in english_page and "американская" not in english_page.lower()
    document = client.get(f"/api/v1/detainees/{person.pk}/").json()
    assert document["description_ru"] == "американская баскетболистка" and document["description"] == english


def test_sources_exchanges_groups_and_officials_have_their_russian_field_in_the_api(client, demo):
    from detainees.models import Group
    from exchanges.models import Exchange
    from sources.models import Official, Source

    source = Source.objects.first()
    source.summary_ru = "Краткое содержание"
    source.save()
    assert client.get(f"/api/v1/sources/{source.pk}/").json()["summary_ru"] == "Краткое содержание"
    assert "Краткое содержание" in client.get(f"/ru/sources/{source.pk}/").content.decode()
    assert "Краткое содержание" not in client.get(f"/sources/{source.pk}/").content.decode()
    exchange = Exchange.objects.published().first()
    assert "description_ru" in client.get(f"/api/v1/exchanges/{exchange.pk}/").json()
    assert "description_ru" in client.get(f"/api/v1/groups/{Group.objects.first().pk}/").json()
    assert "description_ru" in client.get(f"/api/v1/officials/{Official.objects.first().pk}/").json()


def test_a_readers_account_pages_have_a_russian_version(client):
    """Alerts and webhooks (h8) are public pages like the rest: /ru/account/… in Russian, /account/… in English, and
    the Russian footer's “Alerts and webhooks” link leads to the Russian one."""
    ru = client.get("/ru/account/signup/")
    assert ru.status_code == 200 and ru["Content-Language"] == "ru"
    assert "Регистрация для оповещений" in text_of(ru.content.decode())
    assert "Sign up for alerts" not in text_of(ru.content.decode())
    assert 'href="/ru/account/login/"' in ru.content.decode()
    en = client.get("/account/signup/")
    assert en.status_code == 200 and "Sign up for alerts" in text_of(en.content.decode())
    home = client.get("/ru/").content.decode()
    assert 'href="/ru/account/"' in home


def test_the_last_check_date_is_russian_with_the_month_in_the_genitive(client, demo):
    """“Last checked by a second editor on 7 декабря 2026”, not “7 Декабрь 2026” (Django's `F` is the nominative)."""
    from detainees.models import Detainee

    Detainee.objects.filter(slug="brittney-griner").update(last_checked_on=datetime.date(2026, 12, 7))
    ru = text_of(client.get("/ru/detainees/brittney-griner/").content.decode())
    assert "Последняя проверка вторым редактором: 7 декабря 2026 г." in ru  # “г.” as every Russian date
    en = text_of(client.get("/detainees/brittney-griner/").content.decode())
    assert "Last checked by a second editor on 7 December 2026" in en


def test_model_names_django_makes_from_code_are_russian_in_the_russian_admin():
    """A new user found the Russian admin's sidebar in English ("Charges", "Detainees"): Django's default plural is
    a lazy "{}s" over the English name, which the start-up translation of default names passed over."""
    import re

    from django.apps import apps
    from django.utils import translation

    from common.i18n import OWN_APPS

    with translation.override("ru"):
        english = [
            f"{model.__name__}: {model._meta.verbose_name_plural}"
            for model in apps.get_models()
            if model._meta.app_label in OWN_APPS and not model.__name__.startswith("Historical")
            and not re.search("[а-яё]", str(model._meta.verbose_name_plural), re.I)
        ]
    assert not english, english
