"""Edits to different fields merge; only a field both editors changed stops a save (issue 26, item 2).

One rule (`common.merge.merge`) used by the admin's change forms and inline rows, the one-screen editor and the
API's If-Match. The issue's example: one editor corrects a charge's statute, another a detention's place.
"""

import pytest
from django.test import Client
from django.urls import reverse

from common.merge import merge
from detainees.models import Charge, Detainee, Detention
from tests.admin_helpers import inline_management_data
from tests.factories import ChargeFactory, DetaineeFactory, DetentionFactory, EditorFactory

pytestmark = pytest.mark.django_db


# --- the rule on plain values ---------------------------------------------------------------------------------------


def test_merge_keeps_theirs_saves_yours_and_names_only_real_conflicts():
    base = {"place": "Moscow", "statute": "Art. 275", "note": "a", "court": "x"}
    theirs = {"place": "Lefortovo, Moscow", "statute": "Art. 275", "note": "b", "court": "x"}
    yours = {"place": "Moscow", "statute": "Art. 276", "note": "c", "court": "x"}
    merged, conflicts = merge(base, theirs, yours)
    assert merged["place"] == "Lefortovo, Moscow"  # only they changed it
    assert merged["statute"] == "Art. 276"  # only you changed it
    assert conflicts == ["note"]  # both, differently
    assert merge(base, theirs, {"note": "b"}) == ({**theirs}, [])  # both the same way: no conflict


def test_merge_with_an_unknown_original_is_a_conflict_only_where_values_differ():
    merged, conflicts = merge({}, {"place": "A"}, {"place": "B"})
    assert conflicts == ["place"]
    assert merge({}, {"place": "A"}, {"place": "A"})[1] == []


# --- the admin ------------------------------------------------------------------------------------------------------


def editor_client():
    client = Client()
    client.force_login(EditorFactory())
    return client


def form_data(page) -> dict:
    """What the browser would post back from an admin change page, untouched."""
    data = inline_management_data(page)
    form = page.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if name in data or value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "code", getattr(v, "pk", v))) for v in value]
        else:
            data[name] = str(value)
    if "aliases" in form.fields:
        data["aliases"] = "\n".join(form.instance.aliases or [])
    return data


def detainee_url(person):
    return reverse("admin:detainees_detainee_change", args=[person.pk])


def detention_url(detention):
    return reverse("admin:detainees_detention_change", args=[detention.pk])


@pytest.fixture
def case():
    person = DetaineeFactory(name="Siamak Namazi", description="businessman", is_published=False)
    detention = DetentionFactory(detainee=person, place="Evin prison")
    charge = ChargeFactory(detention=detention, statute="Art. 508")
    return person, detention, charge


def test_a_charges_statute_and_a_detentions_place_changed_by_two_editors_both_survive(case):
    person, detention, charge = case
    one, two = editor_client(), editor_client()
    page_one = one.get(detention_url(detention))  # editor one: the detention with its charges
    page_two = two.get(detainee_url(person))  # editor two: the person with their detentions
    data_one = form_data(page_one)
    charge_key = next(k for k, v in data_one.items() if k.endswith("-statute"))
    data_one[charge_key] = "Art. 508 (cooperation with a hostile state)"
    assert one.post(detention_url(detention), data_one).status_code == 302
    data_two = form_data(page_two)
    place_key = next(k for k in data_two if k.startswith("detentions-") and k.endswith("-place"))
    data_two[place_key] = "Evin prison, ward 2A"
    data_two["description"] = "businessman and consultant"
    response = two.post(detainee_url(person), data_two)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Charge.objects.get(pk=charge.pk).statute == "Art. 508 (cooperation with a hostile state)"
    assert Detention.objects.get(pk=detention.pk).place == "Evin prison, ward 2A"
    assert Detainee.objects.get(pk=person.pk).description == "businessman and consultant"


def test_different_fields_of_the_same_record_merge(case):
    person, _, _ = case
    one, two = editor_client(), editor_client()
    data_one, data_two = form_data(one.get(detainee_url(person))), form_data(two.get(detainee_url(person)))
    data_one["description"] = "US-Iranian businessman"
    assert one.post(detainee_url(person), data_one).status_code == 302
    data_two["name_original"] = "سیامک نمازی"
    assert two.post(detainee_url(person), data_two).status_code == 302
    person.refresh_from_db()
    assert (person.description, person.name_original) == ("US-Iranian businessman", "سیامک نمازی")


def test_unchanged_inline_rows_are_not_written_again(case):
    person, detention, charge = case
    other = DetentionFactory(detainee=person, place="Qarchak")
    one, two = editor_client(), editor_client()
    data_two = form_data(two.get(detainee_url(person)))
    data_one = form_data(one.get(detention_url(detention)))
    data_one["place"] = "Evin prison (corrected)"
    assert one.post(detention_url(detention), data_one).status_code == 302
    versions = {d.pk: d.history.count() for d in (detention, other)}
    data_two["description"] = "changed by editor two"
    assert two.post(detainee_url(person), data_two).status_code == 302
    assert {d.pk: d.history.count() for d in (detention, other)} == versions
    assert Detention.objects.get(pk=detention.pk).place == "Evin prison (corrected)"


def test_the_same_field_changed_by_both_is_shown_side_by_side_and_the_choice_is_saved(case):
    person, _, _ = case
    one, two = editor_client(), editor_client()
    data_one, data_two = form_data(one.get(detainee_url(person))), form_data(two.get(detainee_url(person)))
    data_one["description"] = "businessman (theirs)"
    assert one.post(detainee_url(person), data_one).status_code == 302
    data_two["description"] = "businessman (mine)"
    data_two["name_original"] = "Siamak Namazi (mine)"
    response = two.post(detainee_url(person), data_two)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="merge-description" value="theirs"' in html
    assert "businessman (theirs)" in html and "businessman (mine)" in html and ">businessman<" in html
    assert 'value="businessman (mine)"' in html  # the input is kept
    person.refresh_from_db()
    assert person.description == "businessman (theirs)" and person.name_original == ""  # nothing saved
    # Choosing theirs for the conflict keeps the rest of this editor's changes.
    data_two["merge-description"] = "theirs"
    assert two.post(detainee_url(person), data_two).status_code == 302
    person.refresh_from_db()
    assert (person.description, person.name_original) == ("businessman (theirs)", "Siamak Namazi (mine)")


def test_an_inline_row_both_editors_changed_offers_the_choice_for_that_row(case):
    person, detention, _ = case
    one, two = editor_client(), editor_client()
    data_two = form_data(two.get(detainee_url(person)))
    data_one = form_data(one.get(detention_url(detention)))
    data_one["place"] = "Evin (theirs)"
    assert one.post(detention_url(detention), data_one).status_code == 302
    place_key = next(k for k in data_two if k.startswith("detentions-") and k.endswith("-place"))
    data_two[place_key] = "Evin (mine)"
    response = two.post(detainee_url(person), data_two)
    assert response.status_code == 200
    choice = place_key.replace("-place", "-merge-place")
    assert f'name="{choice}" value="original"' in response.content.decode()
    data_two[choice] = "yours"
    assert two.post(detainee_url(person), data_two).status_code == 302
    assert Detention.objects.get(pk=detention.pk).place == "Evin (mine)"


# --- the one-screen editor ------------------------------------------------------------------------------------------


@pytest.fixture
def gordon_black():
    from tests.detainees.test_case_entry import GORDON_BLACK, URL

    editor_client().post(URL, GORDON_BLACK)
    return Detainee.objects.get(name="Gordon Black")


def case_url(person):
    return reverse("admin:detainees_case_edit", args=[person.pk])


def test_on_the_one_screen_editor_a_statute_and_a_place_changed_by_two_editors_both_survive(gordon_black):
    from tests.detainees.test_case_entry import screen_data

    one, two = editor_client(), editor_client()
    data_one, data_two = screen_data(one.get(case_url(gordon_black))), screen_data(two.get(case_url(gordon_black)))
    data_one["det-0-charge-0-statute"] = "Art. 158 (theft), corrected"
    assert one.post(case_url(gordon_black), data_one).status_code == 302
    data_two["det-0-place"] = "Vladivostok, SIZO-1"
    response = two.post(case_url(gordon_black), data_two)
    assert response.status_code == 302, response.context["screen"].top_errors
    detention = gordon_black.detentions.get()
    assert detention.place == "Vladivostok, SIZO-1"
    assert detention.charges.filter(statute="Art. 158 (theft), corrected").exists()


def test_on_the_one_screen_editor_the_same_field_shows_the_choice(gordon_black):
    from tests.detainees.test_case_entry import screen_data

    one, two = editor_client(), editor_client()
    data_one, data_two = screen_data(one.get(case_url(gordon_black))), screen_data(two.get(case_url(gordon_black)))
    data_one["det-0-place"] = "Theirs"
    assert one.post(case_url(gordon_black), data_one).status_code == 302
    data_two["det-0-place"] = "Mine"
    response = two.post(case_url(gordon_black), data_two)
    html = response.content.decode()
    assert response.status_code == 200 and 'name="det-0-merge-place" value="theirs"' in html
    assert 'value="Mine"' in html and ">Vladivostok<" in html  # input kept; the original shown
    data_two["det-0-merge-place"] = "original"
    assert two.post(case_url(gordon_black), data_two).status_code == 302
    assert gordon_black.detentions.get().place == "Vladivostok"


def test_a_citation_added_meanwhile_is_kept_when_a_stale_form_saves_other_fields(case):
    from tests.factories import SourceFactory

    person, _, _ = case
    first, added = SourceFactory(), SourceFactory()
    person.sources.add(first)
    two = editor_client()
    page = two.get(detainee_url(person))
    assert f'name="initial-sources" value="{first.pk}"' in page.content.decode()  # what the form showed
    data = form_data(page)
    data["initial-sources"] = [str(first.pk)]
    person.sources.add(added)  # meanwhile, intake cites another article for the person
    data["description"] = "edited by editor two"
    assert two.post(detainee_url(person), data).status_code == 302
    person.refresh_from_db()
    assert person.description == "edited by editor two"
    assert set(person.sources.all()) == {first, added}


def test_on_the_one_screen_editor_a_stale_save_keeps_the_citations_another_editor_added(gordon_black):
    """A three-way merge of citation sets: a source another editor cited meanwhile (the screen never showed it) is
    kept; a source this editor unticked is removed; one this editor ticked is added."""
    from sources.models import Source
    from tests.detainees.test_case_entry import screen_data
    from tests.factories import SourceFactory

    one = editor_client()
    page = one.get(case_url(gordon_black))
    data = screen_data(page)
    detention = gordon_black.detentions.get()
    charge = detention.charges.order_by("pk").first()
    loaded = set(detention.sources.values_list("pk", flat=True))
    theirs = SourceFactory(title="Cited meanwhile by another editor (test)")
    detention.sources.add(theirs)  # meanwhile: another editor cites a new article for the detention and the charge
    charge.sources.add(theirs)
    data["det-0-place"] = "Vladivostok, SIZO-1"  # this editor changes a field of the detention
    data["det-0-charge-0-cites"] = []  # and unticks the charge's citation shown on the screen
    data["person-change_reason"] = "Test edit"
    response = one.post(case_url(gordon_black), data)
    assert response.status_code == 302, response.context["screen"].top_errors
    detention.refresh_from_db()
    assert detention.place == "Vladivostok, SIZO-1"
    assert set(detention.sources.values_list("pk", flat=True)) == loaded | {theirs.pk}
    assert set(charge.sources.values_list("pk", flat=True)) == {theirs.pk}
    assert Source.objects.filter(pk=theirs.pk).exists()
