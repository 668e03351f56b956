"""h47: the Russian pages showed exchanges and people in English: "2024 Ankara prisoner exchange", "Ankara",
"Paul Whelan" on /ru/exchanges/ and the exchange pages, while the case page already read "Пол Уилан". A person's
Russian name is the one on file (`common.text.russian_name`: the original-script name or an alias in Cyrillic, never a
transliteration); an exchange has `name_ru` and `place_ru` (optional, like `description_ru`). Where no Russian is on
file the English is shown, marked `lang="en"` for screen readers. English pages are as they were; drafts never show;
the page cache and the stored (English-only) case documents never hand one language's words to the other."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from casedocs.models import CaseDocument
from detainees.models import Detainee
from exchanges.models import Exchange
from tests.factories import DetaineeFactory, DetentionFactory, ExchangeFactory, ParticipantFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def swap(db):
    """An exchange with a Russian name and place on file, a person with a Russian name and one without."""
    exchange = ExchangeFactory(name="Whelan–Lik exchange", name_ru="Обмен Уилан — Лик", place="Ankara",
                               place_ru="Анкара", place_country="TR", date=datetime.date(2024, 8, 1))  # fmt: skip
    whelan = DetaineeFactory(name="Paul Whelan", name_original="Пол Уилан", description="former US Marine")
    lik = DetaineeFactory(name="Kevin Lik", name_original="", aliases=["Kevin L."], description="schoolboy")
    ParticipantFactory(exchange=exchange, detainee=whelan, released_by="RU", received_by="US")
    ParticipantFactory(exchange=exchange, detainee=lik, released_by="RU", received_by="DE")
    return exchange


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def heading(html: str) -> str:
    return html.split("<h1>", 1)[1].split("</h1>", 1)[0]


def test_people_are_named_in_russian_on_exchange_pages_and_lists_from_the_names_on_file(client):
    """Needs no new field: the Russian name the case page shows, shown everywhere else too."""
    exchange = ExchangeFactory(name="Some exchange")
    whelan = DetaineeFactory(name="Paul Whelan", name_original="Пол Уилан")
    ParticipantFactory(exchange=exchange, detainee=whelan)
    assert ">Пол Уилан</a>" in page(client, "/ru" + exchange.get_absolute_url())
    assert "<p>Пол Уилан</p>" in page(client, "/ru/exchanges/")
    assert '>Пол Уилан</a> <span class="name-en" lang="en">Paul Whelan</span>' in page(client, "/ru/detainees/")
    assert ">Paul Whelan</a>" in page(client, exchange.get_absolute_url())
    assert "<p>Paul Whelan</p>" in page(client, "/exchanges/")


def test_a_russian_exchange_page_reads_the_russian_title_place_and_names(client, swap):
    ru = page(client, "/ru" + swap.get_absolute_url())
    title = '<span lang="ru">Обмен Уилан — Лик</span> <span class="name-en" lang="en">Whelan–Lik exchange</span>'
    assert heading(ru) == title
    assert "<title>Обмен Уилан — Лик ·" in ru
    assert "<dd>Анкара, Турция</dd>" in ru
    assert ">Пол Уилан</a>" in ru and ">Paul Whelan</a>" not in ru
    assert '<span lang="en">Kevin Lik</span></a>' in ru  # no Russian name on file: English, marked
    assert '— <span lang="en">schoolboy</span>' in ru  # the English description, marked too
    data = json.loads(ru.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])
    assert data["name"] == "Обмен Уилан — Лик" and data["location"]["name"] == "Анкара"
    assert {p["name"] for p in data["about"]} == {"Пол Уилан", "Kevin Lik"}


def test_the_english_exchange_page_is_unchanged(client, swap):
    en = page(client, swap.get_absolute_url())
    assert heading(en) == "Whelan–Lik exchange"
    assert "<dd>Ankara, Türkiye</dd>" in en
    assert ">Paul Whelan</a>" in en and ">Kevin Lik</a>" in en and "— schoolboy" in en
    assert "Обмен" not in en and "Уилан" not in en and "Анкара" not in en
    assert 'lang="en"' not in en.split('<article class="exchange">', 1)[1]  # nothing marked: it is all English


def test_with_no_russian_on_file_the_english_title_and_place_are_marked_english(client, swap):
    swap.name_ru = swap.place_ru = ""
    swap.save()
    ru = page(client, "/ru" + swap.get_absolute_url())
    assert heading(ru) == '<span lang="en">Whelan–Lik exchange</span>'
    assert '<dd><span lang="en">Ankara</span>, Турция</dd>' in ru


def test_russian_lists_show_russian_names(client, swap):
    exchanges = page(client, "/ru/exchanges/")
    assert ">Обмен Уилан — Лик</a>" in exchanges and "· Анкара, Турция" in exchanges
    assert 'Пол Уилан, <span lang="en">Kevin Lik</span>' in exchanges
    for url in ("/ru/detainees/", "/ru/detainees/?q=whelan", "/ru/detainees/?q=Уилан"):
        cards = page(client, url)
        assert '>Пол Уилан</a> <span class="name-en" lang="en">Paul Whelan</span>' in cards, url
        assert 'class="original" lang="und">Пол Уилан' not in cards  # not said twice
    assert '<span lang="en">Kevin Lik</span></a>' in page(client, "/ru/detainees/")
    assert ">Обмен Уилан — Лик</a>" in page(client, "/ru/")  # the overview's latest exchanges
    assert ">Обмен Уилан — Лик</a>" in page(client, "/ru/exchanges/?q=Анкара")  # found by its Russian place
    assert ">Пол Уилан</a>" in page(client, "/ru/flows/")
    feed = page(client, "/ru/feed.atom")
    assert "<title>Обмен Уилан — Лик</title>" in feed and "<title>Пол Уилан</title>" in feed
    assert "Анкара" in feed


def test_the_census_names_people_in_russian(client, swap):
    whelan = Detainee.objects.get(name="Paul Whelan")
    DetentionFactory(detainee=whelan, held_by="RU", detained_on=datetime.date(2018, 12, 28))
    census = page(client, "/ru/census/?on=2020-01-01")
    assert ">Пол Уилан</a>" in census and ">Paul Whelan</a>" not in census
    assert ">Paul Whelan</a>" in page(client, "/census/?on=2020-01-01")
    api = client.get("/api/v1/census/", {"on": "2020-01-01"}).json()
    assert [set(p) for p in api["people"]] and all("name_ru" not in p for p in api["people"])  # the API is as it was


def test_english_lists_are_unchanged(client, swap):
    for url in ("/exchanges/", "/detainees/", "/", "/flows/", "/feed.atom"):
        html = page(client, url)
        assert ">Пол Уилан</a>" not in html and "Обмен" not in html and "Анкара" not in html, url
    assert "Paul Whelan, Kevin Lik" in page(client, "/exchanges/")
    assert '>Paul Whelan</a> <span class="original" lang="und">Пол Уилан</span>' in page(client, "/detainees/")


def test_drafts_never_show_in_russian(client, swap):
    hidden = DetaineeFactory(name="Hidden Person", name_original="Скрытый Человек", is_published=False)
    ParticipantFactory(exchange=swap, detainee=hidden)
    draft = ExchangeFactory(name="Secret swap", name_ru="Тайный обмен", place_ru="Секретное место", is_published=False)
    ParticipantFactory(exchange=draft, detainee=Detainee.objects.get(name="Paul Whelan"))
    for url in ("/ru/exchanges/", "/ru" + swap.get_absolute_url(), "/ru/", "/ru/flows/", "/ru/feed.atom",
                "/ru/detainees/", "/ru/detainees/paul-whelan/", "/ru/exchanges/?q=Тайный"):  # fmt: skip
        html = page(client, url)
        for secret in ("Скрытый", "Hidden Person", "Тайный обмен", "Secret swap", "Секретное"):
            assert secret not in html, (url, secret)
    assert client.get("/ru" + draft.get_absolute_url()).status_code == 404


def test_the_page_cache_keeps_each_language_its_own_names(client, swap, settings):
    settings.PAGE_CACHE_SECONDS = 600
    url = swap.get_absolute_url()
    for first, second in ((url, "/ru" + url), ("/ru/exchanges/", "/exchanges/")):
        a, b = client.get(first), client.get(second)
        assert a["X-Page-Cache"] == "miss" and b["X-Page-Cache"] == "miss"
    assert client.get("/ru" + url)["X-Page-Cache"] == "hit"
    assert "Обмен Уилан — Лик" not in client.get(url).content.decode()
    assert "Обмен Уилан — Лик" in client.get("/ru" + url).content.decode()
    # An edit of the Russian name is seen at once: the data version moves, the cached pages go.
    swap.name_ru = "Обмен Уилан — Лик (2024)"
    swap.save()
    assert "Обмен Уилан — Лик (2024)" in client.get("/ru/exchanges/").content.decode()
    assert "Обмен Уилан — Лик (2024)" in client.get("/ru" + url).content.decode()


def test_stored_case_pages_stay_english_and_russian_case_pages_name_the_exchange_in_russian(client, swap, settings):
    settings.CASE_DOCUMENTS = True
    settings.PAGE_CACHE_SECONDS = 0
    whelan = Detainee.objects.get(name="Paul Whelan")
    english = page(client, whelan.get_absolute_url())
    stored = CaseDocument.objects.get(detainee=whelan)
    assert stored.built_on is not None and ">Whelan–Lik exchange</a>" in stored.page
    assert "Обмен" not in stored.page and ">Whelan–Lik exchange</a>" in english
    russian = page(client, "/ru" + whelan.get_absolute_url())
    assert ">Обмен Уилан — Лик</a>" in russian and ">Whelan–Lik exchange</a>" not in russian
    assert "Обмен" not in CaseDocument.objects.get(detainee=whelan).page  # the Russian visit stored nothing Russian
    # An edit of the exchange's Russian name reaches the Russian case page, and leaves the English one as it was.
    swap.name_ru = "Обмен в Анкаре"
    swap.save()
    assert ">Обмен в Анкаре</a>" in page(client, "/ru" + whelan.get_absolute_url())
    assert page(client, whelan.get_absolute_url()) == english


def test_the_api_reads_and_writes_the_russian_name_and_place(client, swap, editor_client):
    swap.sources.add(SourceFactory())  # a published exchange cites a source, or no write to it is taken
    data = client.get(f"/api/v1/exchanges/{swap.pk}/").json()
    assert data["name_ru"] == "Обмен Уилан — Лик" and data["place_ru"] == "Анкара"
    response = editor_client.patch(f"/api/v1/exchanges/{swap.pk}/", {"place_ru": "аэропорт Эсенбога"},
                                   content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    swap.refresh_from_db()
    assert swap.place_ru == "аэропорт Эсенбога" and swap.name_ru == "Обмен Уилан — Лик"
    too_long = editor_client.patch(f"/api/v1/exchanges/{swap.pk}/", {"name_ru": "я" * 201},
                                   content_type="application/json")  # fmt: skip
    assert too_long.status_code == 400 and "name_ru" in too_long.json().get("errors", too_long.json())


def test_the_dataset_export_and_import_keep_the_russian_name_and_place(swap, tmp_path):
    from dataset.backup import import_dataset
    from tests.exchanges.test_dataset import wipe

    Exchange.objects.update(is_published=False)  # drafts need no sources to be backed up and restored
    Detainee.objects.update(is_published=False)
    first = tmp_path / "first.json"
    call_command("export_dataset", str(first), stdout=io.StringIO())
    document = json.loads(first.read_text())
    rows = {r["id"]: r["fields"] for r in document["records"]["exchanges.exchange"]}
    assert rows[swap.pk]["name_ru"] == "Обмен Уилан — Лик" and rows[swap.pk]["place_ru"] == "Анкара"
    wipe()
    import_dataset(document)
    assert Exchange.objects.get(pk=swap.pk).place_ru == "Анкара"
    second = tmp_path / "second.json"
    call_command("export_dataset", str(second), stdout=io.StringIO())
    assert json.loads(second.read_text())["records"] == document["records"]


def test_the_starter_dataset_gives_russian_titles_and_places_only_as_translations():
    from common.text import russian_name
    from dataset.demo import starter_document

    records = starter_document()["records"]
    exchanges = {r["fields"]["name"]: r["fields"] for r in records["exchanges.exchange"]}
    assert exchanges["Griner–Bout exchange"]["name_ru"] == "Обмен Грайнер — Бут"
    assert exchanges["Reed–Yaroshenko exchange"]["place_ru"] == "Анкара"
    people = {r["id"]: r["fields"] for r in records["detainees.detainee"]}
    for participant in records["exchanges.exchangeparticipant"]:
        exchange = next(e for e in records["exchanges.exchange"] if e["id"] == participant["fields"]["exchange"])
        person = people[participant["fields"]["detainee"]]
        if "–" in exchange["fields"]["name"] and exchange["fields"]["name_ru"].startswith("Обмен "):
            # a title made of surnames uses the Russian names on file, never a spelling made up here
            surname = person["name"].split()[-1]
            if surname in exchange["fields"]["name"]:
                assert person["name_original"].split()[-1] in exchange["fields"]["name_ru"], person["name"]
    # An exchange's people with no Russian name on file get no Russian title made of their names: h60 found
    # Russian-language reports naming Karelina, Petrov and Shalit, so those titles exist now and use those names.
    assert exchanges["Karelina–Petrov exchange"]["name_ru"] == "Обмен Карелина — Петров"
    shalit = next(p for p in people.values() if p["name"] == "Gilad Shalit")
    assert russian_name(shalit["name_original"], shalit["aliases"]) == "Гилад Шалит"
    assert "Гилада Шалита" in exchanges["Gilad Shalit prisoner exchange"]["name_ru"]
    assert all(e["fields"]["name_ru"] for e in records["exchanges.exchange"])  # each of the 12 has one


def test_the_loader_fills_the_russian_fields(demo_loaded_by_the_command):
    griner = Exchange.objects.get(slug="griner-bout-exchange")
    assert (griner.name_ru, griner.place_ru) == ("Обмен Грайнер — Бут", "аэропорт Абу-Даби")


def test_court_names_on_file_in_english_are_marked_english_on_russian_case_pages(client):
    from tests.factories import SentenceFactory

    latin = SentenceFactory(court="Khimki City Court")
    cyrillic = SentenceFactory(court="Мосгорсуд")
    ru = page(client, "/ru" + latin.detention.detainee.get_absolute_url())
    assert '<span lang="en">Khimki City Court</span>' in ru
    assert "<td>Khimki City Court" in page(client, latin.detention.detainee.get_absolute_url())
    ru = page(client, "/ru" + cyrillic.detention.detainee.get_absolute_url())
    assert "Мосгорсуд" in ru and '<span lang="en">Мосгорсуд' not in ru  # Russian on file is not marked English


def test_officials_and_groups_are_named_in_russian_where_on_file(client):
    from detainees.models import Group
    from sources.models import Official

    official = Official.objects.create(name="Sergei Ryabkov", name_original="Сергей Рябков", country="RU")
    latin = Official.objects.create(name="Antony Blinken", country="US")
    group = Group.objects.create(name="Hamas", name_original="حماس", aliases=["ХАМАС"], kind="armed_group")
    officials = page(client, "/ru/officials/")
    assert ">Сергей Рябков</a>" in officials and '><span lang="en">Antony Blinken</span></a>' in officials
    detail = page(client, "/ru" + official.get_absolute_url())
    assert (
        heading(detail) == '<span lang="ru">Сергей Рябков</span> <span class="name-en" lang="en">Sergei Ryabkov</span>'
    )
    assert '<p class="original" lang="und">Сергей Рябков</p>' not in detail  # not said twice
    assert heading(page(client, "/ru" + latin.get_absolute_url())) == '<span lang="en">Antony Blinken</span>'
    assert heading(page(client, "/ru" + group.get_absolute_url())).startswith('<span lang="ru">ХАМАС</span>')
    assert ">ХАМАС</a>" in page(client, "/ru/groups/")
    # English pages as they were
    assert heading(page(client, official.get_absolute_url())) == "Sergei Ryabkov"
    assert ">Sergei Ryabkov</a>" in page(client, "/officials/") and ">Hamas</a>" in page(client, "/groups/")
