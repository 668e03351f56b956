"""The editors' admin, driven through its pages as an editor would."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.urls import reverse

from detainees.models import Charge, Detainee, Detention, Sentence
from exchanges.models import Exchange
from tests.admin_helpers import add_inline_rows, form_errors, inline_management_data, inline_prefix
from tests.factories import (
    ChargeFactory,
    DetaineeFactory,
    DetentionFactory,
    ExchangeFactory,
    OutletFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

# Kept by the database's triggers from the records (detainees.facets), never edited: not in the admin.
DERIVED = {"detainees.PersonFacet", "detainees.FacetCount"}
CASE_MODELS = [m for m in apps.get_models() if m._meta.app_label in {"detainees", "exchanges", "sources"}
               and not m._meta.model_name.startswith("historical") and m._meta.auto_created is False
               and m._meta.label not in DERIVED]  # fmt: skip


@pytest.mark.parametrize(
    "share",
    [
        pytest.param(2, id="every-other-model"),  # `make check` (~3.5 s of CPU)
        pytest.param(1, id="every-model", marks=pytest.mark.slow),  # `make test` (~7 s of CPU)
    ],
)
def test_editor_can_open_list_add_and_history_pages_of_every_model(editor_client, demo, share):
    """Every case model's four pages (every `share`th model's in `make check`'s tier) on one demo (put back once, not
    once per model: the pages only read it); a failure names the model and the page."""
    models = CASE_MODELS[::share]
    opened = []
    for model in models:
        opts = model._meta
        pages = {"changelist": [], "add": []}
        obj = model.objects.first()
        if obj is not None:
            pages |= {"change": [obj.pk], "history": [obj.pk]}
        for page, args in pages.items():
            response = editor_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=args))
            assert response.status_code == 200, (opts.label, page)
            opened.append((opts.label, page))
    assert len({label for label, _page in opened}) == len(models) and len(CASE_MODELS) >= 17
    assert sum(page == "change" for _label, page in opened) >= 15 // share  # the demo has rows of nearly every model


def test_every_case_model_is_registered_in_the_admin():
    from django.contrib import admin

    missing = [m._meta.label for m in CASE_MODELS if m not in admin.site._registry]
    assert missing == []


def test_admin_search_finds_any_spelling(editor_client, demo):
    url = reverse("admin:detainees_detainee_changelist")
    response = editor_client.get(url, {"q": "Бут"})
    assert [d.name for d in response.context["cl"].result_list] == ["Viktor Bout"]


def test_autocomplete_finds_detainees_by_alias(editor_client, demo):
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {"term": "victor", "app_label": "exchanges", "model_name": "exchangeparticipant", "field_name": "detainee"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Viktor Bout"]


def test_editor_enters_the_griner_case_from_scratch(editor_client, editor):
    """A detainee with a detention inline, then the detention's charge and sentence inline, through the admin."""
    source = SourceFactory(outlet=OutletFactory(name="TASS"))
    add_url = reverse("admin:detainees_detainee_add")
    page = editor_client.get(add_url)
    data = inline_management_data(page)
    data.update({
        "name": "Brittney Griner", "name_original": "Бриттни Грайнер", "aliases": "Britney Griner\n",
        "citizenships": ["US"], "description": "basketball player", "born_on": "1990-10-18",
        "born_on_precision": "day", "sources": [str(source.pk)],
    })  # fmt: skip
    add_inline_rows(data, inline_prefix(page, "detention"), [{
        "held_by": "RU", "place": "Sheremetyevo airport", "detained_on": "2022-02-17",
        "detained_on_precision": "day", "released_on_precision": "day", "last_confirmed_on_precision": "day",
        "circumstances": "airport customs search", "sources": [str(source.pk)],
    }])  # fmt: skip
    response = editor_client.post(add_url, data)
    assert response.status_code == 302, form_errors(response)
    griner = Detainee.objects.with_status().get(name="Brittney Griner")
    assert griner.aliases == ["Britney Griner"]
    assert (griner.status, griner.held_by, griner.is_published) == ("held", "RU", False)
    detention = griner.detentions.get()
    assert list(detention.sources.all()) == [source]

    change_url = reverse("admin:detainees_detention_change", args=[detention.pk])
    page = editor_client.get(change_url)
    data = inline_management_data(page)
    data.update({
        "detainee": str(griner.pk), "held_by": "RU", "place": "Sheremetyevo airport", "circumstances": "",
        "detained_on": "2022-02-17", "detained_on_precision": "day",
        "released_on_precision": "day", "last_confirmed_on_precision": "day", "sources": [str(source.pk)],
    })  # fmt: skip
    add_inline_rows(data, inline_prefix(page, "charge"), [{
        "category": "drugs", "outcome": "convicted", "statute": "Criminal Code art. 229.1",
        "charged_on_precision": "day",
        "sources": [str(source.pk)],
    }])  # fmt: skip
    add_inline_rows(data, inline_prefix(page, "sentence"), [{
        "court": "Khimki City Court", "sentenced_on": "2022-08-04", "sentenced_on_precision": "day",
        "term_months": "108", "fine_amount": "1000000", "fine_currency": "RUB", "sources": [str(source.pk)],
    }])  # fmt: skip
    response = editor_client.post(change_url, data)
    assert response.status_code == 302, form_errors(response)
    sentence = Sentence.objects.get(detention=detention)
    assert sentence.term_display() == "9 years, fine of 1,000,000 RUB"
    assert Charge.objects.get(detention=detention).statute == "Criminal Code art. 229.1"
    # History records who did it.
    assert griner.history.first().history_user == editor
    assert sentence.history.first().history_user == editor


def test_admin_shows_a_clear_error_for_release_before_detention(editor_client):
    person = DetaineeFactory()
    add_url = reverse("admin:detainees_detention_add")
    page = editor_client.get(add_url)
    data = inline_management_data(page)
    data.update({
        "detainee": str(person.pk), "held_by": "RU", "detained_on": "2022-02-17", "detained_on_precision": "day",
        "released_on": "2021-01-01", "released_on_precision": "day", "end_reason": "released",
        "last_confirmed_on_precision": "day",
    })  # fmt: skip
    response = editor_client.post(add_url, data)
    assert response.status_code == 200
    assert "Release cannot come before detention." in response.content.decode()
    assert not Detention.objects.exists()


def test_editor_records_a_multi_party_exchange_with_participants_inline(editor_client):
    people = [DetaineeFactory(name=n) for n in ("Paul Whelan", "Evan Gershkovich", "Vadim Krasikov")]
    add_url = reverse("admin:exchanges_exchange_add")
    page = editor_client.get(add_url)
    data = inline_management_data(page)
    data.update({
        "name": "2024 Ankara prisoner exchange", "status": "completed", "date": "2024-08-01", "date_precision": "day",
        "place": "Ankara", "place_country": "TR", "mediators": ["TR"], "description": "",
    })  # fmt: skip
    add_inline_rows(data, inline_prefix(page, "exchangeparticipant"), [
        {"detainee": str(people[0].pk), "released_by": "RU", "received_by": "US"},
        {"detainee": str(people[1].pk), "released_by": "RU", "received_by": "US"},
        {"detainee": str(people[2].pk), "released_by": "DE", "received_by": "RU"},
    ])  # fmt: skip
    response = editor_client.post(add_url, data)
    assert response.status_code == 302, form_errors(response)
    exchange = Exchange.objects.get()
    assert exchange.slug == "2024-ankara-prisoner-exchange"
    assert [(p.released_by.code, p.received_by.code) for p in exchange.participants.all()] == [
        ("RU", "US"), ("RU", "US"), ("DE", "RU"),
    ]  # fmt: skip
    assert exchange.country_codes() == ["DE", "RU", "TR", "US"]


def test_same_person_twice_in_an_exchange_is_a_form_error(editor_client):
    person = DetaineeFactory()
    add_url = reverse("admin:exchanges_exchange_add")
    page = editor_client.get(add_url)
    data = inline_management_data(page)
    data.update({"name": "Swap", "status": "completed", "date_precision": "day"})
    add_inline_rows(data, inline_prefix(page, "exchangeparticipant"), [
        {"detainee": str(person.pk), "released_by": "RU", "received_by": "US"},
        {"detainee": str(person.pk), "released_by": "RU", "received_by": "US"},
    ])  # fmt: skip
    response = editor_client.post(add_url, data)
    assert response.status_code == 200
    assert "Please correct the duplicate data" in response.content.decode()
    assert not Exchange.objects.exists()


def test_publish_and_unpublish_actions(editor_client):
    drafts = DetaineeFactory.create_batch(2, is_published=False)
    source = SourceFactory()
    for person in drafts:
        person.sources.add(source)
    url = reverse("admin:detainees_detainee_changelist")
    ids = [str(d.pk) for d in drafts]
    response = editor_client.post(url, {"action": "publish", "_selected_action": ids})
    assert response.status_code == 302
    assert Detainee.objects.published().count() == 2
    editor_client.post(url, {"action": "unpublish", "_selected_action": ids})
    assert Detainee.objects.published().count() == 0
    assert drafts[0].history.first().history_change_reason == "Unpublished"
    exchange = ExchangeFactory(is_published=False)
    exchange.sources.add(source)
    editor_client.post(reverse("admin:exchanges_exchange_changelist"),
                       {"action": "publish", "_selected_action": [str(exchange.pk)]})  # fmt: skip
    exchange.refresh_from_db()
    assert exchange.is_published


def test_publish_action_refuses_a_case_with_an_unsourced_charge(editor_client):
    source = SourceFactory()
    person = DetaineeFactory(name="Paul Whelan", is_published=False)
    person.sources.add(source)
    detention = DetentionFactory(detainee=person)
    detention.sources.add(source)
    ChargeFactory(detention=detention, category="espionage", statute="Criminal Code art. 276")
    response = editor_client.post(reverse("admin:detainees_detainee_changelist"),
                                  {"action": "publish", "_selected_action": [str(person.pk)]}, follow=True)  # fmt: skip
    person.refresh_from_db()
    assert not person.is_published
    html = response.content.decode()
    assert "Not published" in html and "Espionage (Criminal Code art. 276)" in html and "cites no source" in html
    assert "<li>Charge “Espionage (Criminal Code art. 276)” cites no source.</li>" in html  # a list, not a run-on line


def test_ticking_published_on_the_form_with_unsourced_facts_is_refused_as_a_list(editor_client):
    person = DetaineeFactory(name="Trevor Reed", is_published=False)
    change_url = reverse("admin:detainees_detainee_change", args=[person.pk])
    page = editor_client.get(change_url)
    data = inline_management_data(page)
    data.update({"name": "Trevor Reed", "name_original": "", "aliases": "", "description": "former US Marine",
                 "born_on_precision": "day", "wikidata_id": "", "is_published": "on"})  # fmt: skip
    response = editor_client.post(change_url, data, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "Not saved: a published record must cite a source" in html
    assert "<li>Trevor Reed: the person&#x27;s own record cites no source.</li>" in html
    assert "successfully" not in html  # no green message beside the red one
    assert 'value="former US Marine"' in html  # the editor's input is still on screen
    person.refresh_from_db()
    assert not person.is_published and person.description == "test person"  # nothing saved


def test_editors_group_can_change_every_case_record_but_not_users():
    editors = Group.objects.get(name="Editors")
    codenames = set(editors.permissions.values_list("content_type__app_label", "codename"))
    for model in CASE_MODELS:
        for action in ("add", "change", "delete", "view"):
            assert (model._meta.app_label, f"{action}_{model._meta.model_name}") in codenames
    assert not editors.permissions.filter(content_type__app_label="auth").exists()


def test_editor_cannot_open_user_management(editor_client):
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("admin:detainees_detainee_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_view_on_site_leads_to_the_case_page(editor_client):
    person = DetaineeFactory(name="Paul Whelan")
    response = editor_client.get(reverse("admin:detainees_detainee_change", args=[person.pk]))
    assert "View on site" in response.content.decode()
    assert person.get_absolute_url() == "/detainees/paul-whelan/"
