"""What real cases needed and the model lacked (issue 25 item 4, h31): a sentence passed in absentia or after a trial
behind closed doors, by a court of another country than the captor and in a named city; a term counted from an
earlier date and combined with an earlier sentence; lawyers; pre-trial custody extended by a series of court
decisions; and where a person is held now (the latest move to a penal colony or a pre-trial centre).

The people, courts and lawyers below are test data, not facts."""

import datetime
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from dataset.backup import referenced_first
from detainees.models import Counsel, CustodyExtension, Detainee, Sentence
from detainees.services import unsourced_facts
from tests.detainees.test_case_entry import GORDON_BLACK, URL
from tests.exchanges.test_dataset import round_trip
from tests.exchanges.test_starter_dataset import starter  # noqa: F401 (a fixture)
from tests.factories import DetentionFactory, SentenceFactory, SourceFactory, TransferFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def sourced(*records):
    """Cite one source for the records and for their person (published means sourced)."""
    source = SourceFactory()
    for record in records:
        record.sources.add(source)
        detention = record if hasattr(record, "detainee") else getattr(record, "detention", None)
        if detention is not None:
            detention.detainee.sources.add(source)
    return source


def page_of(client, detention) -> str:
    return client.get(detention.detainee.get_absolute_url()).content.decode()


def nested_detention(client, detention) -> dict:
    body = client.get(reverse("api:detainee-detail", args=[detention.detainee_id])).json()
    return next(d for d in body["detentions"] if d["id"] == detention.pk)


# ---- a sentence in absentia, behind closed doors, by another country's court in a named city ---------------------


def test_in_absentia_closed_trial_and_the_courts_city_and_country_show_on_the_page_and_in_the_api(client):
    detention = DetentionFactory(held_by="", detained_on=D(2022, 4, 1), detained_on_precision="month",
                                 released_on=D(2022, 9, 21), end_reason="exchanged")  # fmt: skip
    sentence = SentenceFactory(detention=detention, court="Southern District Military Court",
                               court_city="Rostov-on-Don", court_country="RU", in_absentia=True, closed_trial=True,
                               sentenced_on=D(2023, 6, 1), sentenced_on_precision="month", term_months=276)  # fmt: skip
    sourced(detention, sentence)
    body = client.get(reverse("api:sentence-detail", args=[sentence.pk])).json()
    assert (body["in_absentia"], body["closed_trial"], body["court_city"], body["court_country"]) == (
        True, True, "Rostov-on-Don", "RU")  # fmt: skip
    [nested] = nested_detention(client, detention)["sentences"]
    assert (nested["in_absentia"], nested["closed_trial"], nested["court_country"]) == (True, True, "RU")
    html = page_of(client, detention)
    assert "Passed in absentia" in html and "Tried behind closed doors" in html
    assert "Southern District Military Court, Rostov-on-Don (Russia)" in html


def test_a_courts_city_already_in_its_name_is_not_said_twice_and_the_table_scrolls_on_a_phone(client):
    # a new user saw "Pervomaisky District Court, Vladivostok, Vladivostok", and the Russian sentences table ran
    # 19 px past a 390 px screen
    detention = DetentionFactory(detained_on=D(2024, 5, 2))
    sentence = SentenceFactory(detention=detention, court="Pervomaisky District Court, Vladivostok",
                               court_city="Vladivostok", sentenced_on=D(2024, 6, 19), term_months=45)  # fmt: skip
    sourced(detention, sentence)
    html = page_of(client, detention)
    assert "Pervomaisky District Court, Vladivostok" in html and "Vladivostok, Vladivostok" not in html
    assert re.search(r'<div class="table-scroll"><table>\s*<thead><tr><th scope="col">Date</th>', html)


def test_a_sentence_without_them_says_nothing_of_them(client):
    sentence = SentenceFactory()
    sourced(sentence.detention, sentence)
    body = client.get(reverse("api:sentence-detail", args=[sentence.pk])).json()
    assert (body["in_absentia"], body["closed_trial"], body["court_city"], body["court_country"]) == (
        False, False, "", None)  # fmt: skip
    html = page_of(client, sentence.detention)
    assert "in absentia" not in html and "closed doors" not in html and "sentence-notes" not in html


def test_the_api_writes_the_new_sentence_fields_and_names_a_bad_one(editor):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    editor_api = APIClient()
    editor_api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    detention = DetentionFactory()
    source = sourced(detention)
    url = reverse("api:sentence-list")
    data = {"detention": detention.pk, "sentenced_on": "2023-06-01", "term_months": 12, "sources": [source.pk],
            "in_absentia": True, "court_city": "Kursk", "court_country": "RU"}  # fmt: skip
    response = editor_api.post(url, data, format="json")
    assert response.status_code == 201, response.content
    assert Sentence.objects.get(pk=response.json()["id"]).in_absentia
    response = editor_api.post(url, {**data, "combination": "sideways"}, format="json")
    assert response.status_code == 400 and "combination" in response.json()


def test_the_openapi_schema_documents_the_new_fields():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    sentence = schema["Sentence"]["properties"]
    assert {"in_absentia", "closed_trial", "court_city", "court_country", "counted_from", "combines",
            "combination"} <= set(sentence)  # fmt: skip
    detention = schema["NestedDetention"]["properties"]
    assert {"extensions", "counsel"} <= set(detention)
    assert "in their absence" in sentence["in_absentia"]["description"]


# ---- a combined term, counted from an earlier date ---------------------------------------------------------------


def two_sentences():
    first = SentenceFactory(sentenced_on=D(2021, 12, 10), term_months=42)
    later = DetentionFactory(detainee=first.detention.detainee, detained_on=D(2022, 5, 1))
    second = SentenceFactory(detention=later, sentenced_on=D(2024, 12, 24), term_months=180)
    return first, second


def test_a_sentence_combines_an_earlier_one_of_the_same_person_and_says_how():
    first, second = two_sentences()
    second.combines, second.combination, second.counted_from = first, "partial_addition", D(2021, 3, 24)
    second.full_clean()
    second.save()
    assert list(first.combined_into.all()) == [second]
    second.combination = ""
    with pytest.raises(ValidationError) as exc:
        second.full_clean()
    assert "combination" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Sentence.objects.filter(pk=second.pk).update(combination="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Sentence.objects.filter(pk=second.pk).update(combination="sideways")


def test_a_sentence_cannot_combine_another_persons_a_later_one_or_itself():
    first, second = two_sentences()
    stranger = SentenceFactory(sentenced_on=D(2020, 1, 1))
    for earlier, message in ((stranger, "same person"), (second, "must come before")):
        second.combines, second.combination = earlier, "full_addition"
        if earlier is second:
            second.combines, message = second, "itself"
        with pytest.raises(ValidationError) as exc:
            second.full_clean()
        assert message in " ".join(exc.value.message_dict["combines"])
    first.combines, first.combination = second, "absorption"
    with pytest.raises(ValidationError) as exc:
        first.full_clean()
    assert "must come before" in " ".join(exc.value.message_dict["combines"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Sentence.objects.filter(pk=first.pk).update(combines=first, combination="absorption")


def test_the_case_page_shows_the_combination_and_the_day_the_term_counts_from(client):
    first, second = two_sentences()
    Sentence.objects.filter(pk=second.pk).update(
        combines=first, combination="partial_addition", counted_from=D(2021, 3, 1), counted_from_precision="month"
    )
    sourced(first.detention, second.detention, first, second)
    html = page_of(client, first.detention)
    assert "Part of the earlier term added: the sentence of 10 December 2021" in html
    assert "Term counted from March 2021" in html
    nested = nested_detention(client, second.detention)["sentences"][0]
    assert (nested["combines"], nested["combination"], nested["counted_from"], nested["counted_from_precision"]) == (
        first.pk, "partial_addition", "2021-03-01", "month")  # fmt: skip


def test_a_dataset_loads_a_sentence_before_the_later_one_that_combines_it(tmp_path):
    """The document lists records by id; a sentence entered first may combine one entered after it."""
    first, second = two_sentences()  # first has the lower id: make it combine the higher one's… reversed dates
    Sentence.objects.filter(pk=first.pk).update(sentenced_on=D(2025, 1, 1))
    Sentence.objects.filter(pk=first.pk).update(combines=second, combination="full_addition")
    sourced(first.detention, second.detention, first, second)
    document = round_trip(tmp_path)  # export, wipe, import, export again: byte for byte the same
    assert [r["fields"]["combines"] for r in document["records"]["detainees.sentence"]] == [second.pk, None]
    assert Sentence.objects.get(pk=first.pk).combines_id == second.pk


def test_referenced_first_puts_a_combined_sentence_before_the_one_naming_it_and_keeps_the_rest():
    rows = [{"id": 1, "fields": {"combines": 3}}, {"id": 2, "fields": {"combines": None}},
            {"id": 3, "fields": {"combines": 2}}, "not a record"]  # fmt: skip
    assert [r["id"] if isinstance(r, dict) else r for r in referenced_first(Sentence, rows)] == [
        2, 3, 1, "not a record"]  # fmt: skip
    assert referenced_first(Counsel, rows) is rows  # no reference to its own kind: as it is


# ---- lawyers -----------------------------------------------------------------------------------------------------


def test_a_source_cited_only_by_a_lawyer_or_an_extension_counts_as_cited_in_the_case(client):
    from sources.models import Source

    detention = DetentionFactory()
    lawyer = Counsel.objects.create(detention=detention, name="Test Lawyer")
    extension = CustodyExtension.objects.create(detention=detention, extended_to=D(2025, 2, 21))
    for record in (lawyer, extension):
        only = SourceFactory()
        record.sources.add(only)
        assert only in Source.objects.cited_in_case(detention.detainee_id)
    body = client.get(reverse("api:source-list"), {"detainee": detention.detainee_id}).json()
    assert len(body["results"]) == 2


def test_lawyers_show_on_the_case_page_and_in_the_api_and_need_a_source(client):
    detention = DetentionFactory()
    lawyer = Counsel.objects.create(detention=detention, name="Test Lawyer", role="appointed", note="test note")
    sourced(detention)
    problems = unsourced_facts({detention.detainee_id})
    assert any("Test Lawyer" in p.message for p in problems)
    sourced(lawyer)
    assert not unsourced_facts({detention.detainee_id})
    html = page_of(client, detention)
    assert "Lawyers" in html and "Test Lawyer (court-appointed lawyer)" in html
    assert nested_detention(client, detention)["counsel"] == [
        {"id": lawyer.pk, "name": "Test Lawyer", "role": "appointed", "note": "test note",
         "sources": list(lawyer.sources.values_list("pk", flat=True))}]  # fmt: skip
    assert [h.name for h in lawyer.history.all()][-1] == "Test Lawyer"  # its versions, as every case record's
    with pytest.raises(IntegrityError), transaction.atomic():
        Counsel.objects.filter(pk=lawyer.pk).update(role="friend")


def test_an_edit_of_a_lawyer_reaches_a_stored_case_page_and_the_change_feed(client):
    from changes.models import Mark

    detention = DetentionFactory()
    lawyer = Counsel.objects.create(detention=detention, name="Test Lawyer")
    sourced(detention, lawyer)
    assert "Test Lawyer" in page_of(client, detention)
    Mark.objects.all().delete()
    Counsel.objects.filter(pk=lawyer.pk).update(name="Renamed Lawyer")  # no signal: only the triggers see it
    assert "Renamed Lawyer" in page_of(client, detention)
    assert Mark.objects.filter(resource="detainees", object_id=detention.detainee_id).exists()


# ---- pre-trial custody extended ----------------------------------------------------------------------------------


def test_custody_extensions_are_dated_checked_and_shown_in_order(client):
    detention = DetentionFactory(detained_on=D(2024, 2, 1))
    later = CustodyExtension.objects.create(detention=detention, decided_on=D(2024, 8, 20), court="Test Court",
                                            extended_to=D(2025, 2, 21))  # fmt: skip
    first = CustodyExtension.objects.create(detention=detention, decided_on=D(2024, 2, 3), extended_to=D(2024, 4, 1),
                                            extended_to_precision="month")  # fmt: skip
    sourced(detention, later, first)
    html = page_of(client, detention)
    assert "Pre-trial custody ordered or extended" in html
    assert html.index("custody until April 2024") < html.index("Test Court: custody until 21 February 2025")
    assert [e["id"] for e in nested_detention(client, detention)["extensions"]] == [first.pk, later.pk]
    wrong = CustodyExtension(detention=detention, decided_on=D(2024, 8, 20), extended_to=D(2024, 7, 1))
    with pytest.raises(ValidationError) as exc:
        wrong.full_clean()
    assert "extended_to" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        CustodyExtension(detention=detention).full_clean()
    assert "extended_to" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        CustodyExtension(detention=detention, decided_on=D(2023, 1, 5), extended_to=D(2023, 3, 1)).full_clean()
    assert "decided_on" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        CustodyExtension.objects.filter(pk=later.pk).update(extended_to=D(2024, 1, 1))


# ---- where the person is held now ---------------------------------------------------------------------------------


def test_the_case_page_names_the_facility_of_the_latest_move_while_held(client):
    detention = DetentionFactory(detained_on=D(2022, 2, 17))
    TransferFactory(detention=detention, moved_on=D(2022, 3, 1), facility_name="Test pre-trial centre No. 1",
                    facility_kind="pre_trial_centre")  # fmt: skip
    TransferFactory(detention=detention, moved_on=D(2022, 11, 1), facility_name="Test penal colony IK-0")
    sourced(detention, *detention.transfers.all())
    html = page_of(client, detention)
    # the kind is not said again where the name says it (h67)
    assert "Held now at" in html and "Test penal colony IK-0, as of the latest move" in html
    assert detention.current_facility.facility_name == "Test penal colony IK-0"
    detention.released_on, detention.end_reason = D(2022, 12, 8), "exchanged"
    detention.save()
    assert "Held now at" not in page_of(client, detention)


# ---- the admin, the one-screen editor, Russian ---------------------------------------------------------------------


def test_the_admin_edits_them_all(admin_client):
    detention = DetentionFactory()
    html = admin_client.get(reverse("admin:detainees_detention_change", args=[detention.pk])).content.decode()
    assert 'name="counsel-0-name"' not in html and 'id="counsel-empty"' in html and 'id="extensions-empty"' in html
    sentence = SentenceFactory(detention=detention)
    form = admin_client.get(reverse("admin:detainees_sentence_change", args=[sentence.pk])).context["adminform"].form
    assert {"in_absentia", "closed_trial", "court_city", "court_country", "counted_from", "combines",
            "combination"} <= set(form.fields)  # fmt: skip
    for name in ("counsel", "custodyextension"):
        assert admin_client.get(reverse(f"admin:detainees_{name}_add")).status_code == 200


def test_the_one_screen_editor_saves_a_lawyer_an_extension_and_the_new_sentence_fields(editor_client):
    data = {
        **GORDON_BLACK,
        "rows": [*GORDON_BLACK["rows"], "det-0-extension-0", "det-0-counsel-0"],
        "det-0-sentence-0-in_absentia": "on",
        "det-0-sentence-0-closed_trial": "on",
        "det-0-sentence-0-court_city": "Vladivostok",
        "det-0-sentence-0-counted_from": "2 May 2024",
        "det-0-extension-0-decided_on": "4 May 2024",
        "det-0-extension-0-extended_to": "July 2024",
        "det-0-extension-0-cites": ["src-0"],
        "det-0-counsel-0-name": "Test Lawyer",
        "det-0-counsel-0-role": "defence",
        "det-0-counsel-0-cites": ["src-0"],
    }
    response = editor_client.post(URL, data)
    assert response.status_code == 302, response.context and response.context["screen"].top_errors
    person = Detainee.objects.get(name="Gordon Black")
    sentence = Sentence.objects.get(detention__detainee=person)
    assert (sentence.in_absentia, sentence.closed_trial, sentence.court_city, sentence.counted_from) == (
        True, True, "Vladivostok", D(2024, 5, 2))  # fmt: skip
    extension = CustodyExtension.objects.get(detention__detainee=person)
    assert (extension.extended_to, extension.extended_to_precision) == (D(2024, 7, 1), "month")
    assert Counsel.objects.get(detention__detainee=person).sources.count() == 1
    screen = editor_client.get(reverse("admin:detainees_case_edit", args=[person.pk])).content.decode()
    assert 'value="Test Lawyer"' in screen and 'id="tpl-counsel"' in screen and 'id="tpl-extension"' in screen


def test_the_russian_case_page_translates_the_new_headings(client):
    detention = DetentionFactory()
    lawyer = Counsel.objects.create(detention=detention, name="Test Lawyer")
    sentence = SentenceFactory(detention=detention, in_absentia=True)
    sourced(detention, lawyer, sentence)
    html = client.get("/ru" + detention.detainee.get_absolute_url()).content.decode()
    assert "Адвокаты" in html and "Заочный приговор" in html and "Lawyers" not in html


def test_the_dataset_document_carries_lawyers_and_extensions(tmp_path):
    detention = DetentionFactory()
    lawyer = Counsel.objects.create(detention=detention, name="Test Lawyer")
    extension = CustodyExtension.objects.create(detention=detention, extended_to=D(2025, 2, 21))
    sourced(detention, lawyer, extension)
    document = round_trip(tmp_path)
    assert [r["fields"]["name"] for r in document["records"]["detainees.counsel"]] == ["Test Lawyer"]
    assert [r["fields"]["extended_to"] for r in document["records"]["detainees.custodyextension"]] == ["2025-02-21"]
    assert "detainees.historicalcounsel" in document["history"]
    out = tmp_path / "again.json"
    call_command("export_dataset", str(out), stdout=open("/dev/null", "w"))
    assert json.loads(out.read_text())["records"]["detainees.counsel"][0]["id"] == lawyer.pk


def test_the_starter_dataset_holds_what_its_sources_state(starter, client):  # noqa: F811
    """dataset/tools/h31_apply.py's entries, loaded as `make run` loads them."""
    spector = Sentence.objects.get(detention__detainee__name="Gene Spector", sentenced_on=D(2024, 12, 24))
    assert spector.closed_trial and spector.combination == "combined"
    assert spector.combines.sentenced_on == D(2021, 1, 1)
    hubbard = Sentence.objects.get(detention__detainee__name="Stephen Hubbard")
    assert (hubbard.counted_from, hubbard.closed_trial) == (D(2022, 4, 2), True)
    assert set(Counsel.objects.values_list("name", flat=True)) >= {"Pavel Mamonov", "Vladimir Zherebenkov"}
    sehili = CustodyExtension.objects.filter(detention__detainee__name="Sofiane Sehili")
    assert [e.extended_to for e in sehili] == [D(2025, 10, 4), D(2025, 11, 3)]
    html = client.get(Detainee.objects.get(name="Laurent Vinatier").get_absolute_url()).content.decode()
    assert "Pavel Mamonov" in html and "custody until 21 February 2025" in html
