"""One matcher behind every "is this person already on file?": admin form, API create, CSV import preview,
editors' desk and intake agree, on SQLite as on PostgreSQL (the issue's two disagreements first)."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from detainees.models import Detainee
from detainees.services import likely_duplicates
from tests.detainees.test_csv_import import upload
from tests.detainees.test_duplicates import add_detainee
from tests.factories import DetaineeFactory

pytestmark = pytest.mark.django_db

CSV_HEADER = "name,name_original,aliases,citizenships,born_on,born_on_precision,description,wikidata_id\n"


def api_for(user):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


def test_a_middle_name_does_not_hide_a_duplicate_from_the_admin(editor_client):
    whelan = DetaineeFactory(name="Paul Whelan")
    response = add_detainee(editor_client, name="Paul Nicholas Whelan")
    assert response.status_code == 200, "saved without a warning"
    assert f"Paul Whelan (#{whelan.pk})" in response.content.decode()
    assert Detainee.objects.count() == 1


def test_a_middle_name_does_not_hide_a_duplicate_from_the_api(editor):
    whelan = DetaineeFactory(name="Paul Whelan")
    response = api_for(editor).post("/api/v1/detainees/", {"name": "Paul Nicholas Whelan"}, format="json")
    assert response.status_code == 201
    assert [d["id"] for d in response.json()["warnings"]["possible_duplicates"]] == [whelan.pk]


def test_csv_import_preview_flags_what_the_api_flags(editor_client, editor):
    evan = DetaineeFactory(name="Evan Gershkovich", name_original="Эван Гершкович")
    api = api_for(editor)
    flagged = api.post("/api/v1/detainees/", {"name": "Evan Gershkovitch"}, format="json").json()
    assert [d["id"] for d in flagged["warnings"]["possible_duplicates"]] == [evan.pk]
    Detainee.objects.filter(name="Evan Gershkovitch").delete()
    preview = upload(editor_client, reverse("admin:detainees_detainee_import"),
                     CSV_HEADER + "Evan Gershkovitch,,,US,,day,,\nAlsu Kurmasheva,,,US|RU,,day,,\n")  # fmt: skip
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Possible duplicates on file" in html
    assert f"Evan Gershkovich (#{evan.pk})" in html
    # the other row names nobody on file, and the rows the preview itself inserted are not "on file"
    assert html.count("(#") == 1


@pytest.mark.parametrize("typed", [
    "Paul Nicholas Whelan", "Whelan Paul", "Пол Уилан", "Evan Gershkovitch", "Эван Гершкович", "Gershkovich, Evan",
    "Viktor Anatolyevich Bout", "Виктор Бут", "Victor But",
])  # fmt: skip
def test_spellings_are_flagged(typed):
    people = [DetaineeFactory(name="Paul Whelan", aliases=["Пол Уилан"]),
              DetaineeFactory(name="Evan Gershkovich"), DetaineeFactory(name="Viktor Bout")]  # fmt: skip
    found = likely_duplicates(name=typed)
    assert found and found[0] in people


@pytest.mark.parametrize("typed", ["Ivan Sidorov", "Anna Petrova", "Paul Newman", "Evan Smith", "Viktor Orban"])
def test_other_people_are_not_flagged(typed):
    DetaineeFactory(name="Ivan Petrov")
    DetaineeFactory(name="Anna Petrov")
    DetaineeFactory(name="Paul Whelan")
    DetaineeFactory(name="Evan Gershkovich")
    DetaineeFactory(name="Viktor Bout")
    assert likely_duplicates(name=typed) == []


def test_birth_date_and_citizenship_are_evidence():
    import datetime

    namesake = DetaineeFactory(name="Ivan Petrov", born_on=datetime.date(1970, 5, 1), citizenships=["RU"])
    assert likely_duplicates(name="Ivan Petrov", born_on=datetime.date(1970, 5, 1)) == [namesake]
    assert likely_duplicates(name="Ivan Petrov", born_on=datetime.date(1988, 2, 3)) == []


def test_intake_finds_a_case_written_another_way_and_offers_no_new_person():
    from detainees.intake import analyse

    evan = DetaineeFactory(name="Evan Gershkovich")
    whelan = DetaineeFactory(name="Paul Whelan")
    result = analyse("Reporter Evan Gershkovitch met Paul Nicholas Whelan's lawyer. Anna Dultseva was also there.")
    assert {m.obj for m in result.detainees if m.how == "full name"} == {evan, whelan}
    assert [n.name for n in result.new_names] == ["Anna Dultseva"]
