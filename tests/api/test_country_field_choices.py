"""The API's country fields build their 250 choices once per language, not on every request.

DRF copies a serializer's fields for each request by calling each field's __init__ again, and django-countries'
field translated all 250 country names there: four country fields made it about a quarter of a PATCH's time
(a profile of 200 PATCHes at 2,000 cases)."""

import pytest
from django.utils import translation
from django_countries import Countries
from rest_framework.exceptions import ValidationError

from detainees.serializers import DetaineeSerializer, DetentionSerializer


@pytest.fixture
def countries_listed(monkeypatch):
    calls = []
    real = Countries.__iter__

    def counted(self):
        calls.append(1)
        return real(self)

    monkeypatch.setattr(Countries, "__iter__", counted)
    return calls


def test_a_serializer_built_again_lists_no_country(countries_listed):
    DetentionSerializer().fields  # noqa: B018 (the first build in this language may list them)
    DetaineeSerializer().fields  # noqa: B018
    countries_listed.clear()
    for _ in range(3):
        assert "held_by" in DetentionSerializer().fields
        assert "citizenships" in DetaineeSerializer().fields
    assert countries_listed == []


def test_choices_are_those_of_the_language_in_use():
    with translation.override("en"):
        english = DetentionSerializer().fields["held_by"].choices
    with translation.override("ru"):
        russian = DetentionSerializer().fields["held_by"].choices
    with translation.override("en"):
        again = DetentionSerializer().fields["held_by"].choices
    assert english["RU"] == "Russia" and english["NR"] == "Nauru"
    assert russian["RU"] == "Россия"
    assert again == english and set(russian) == set(english)


def test_an_unknown_country_is_still_refused_and_a_known_one_taken():
    detention = DetentionSerializer()
    field = detention.fields["held_by"]
    assert field.to_internal_value("RU") == "RU"
    with pytest.raises(ValidationError) as refused:
        field.to_internal_value("XX")
    assert "XX" in str(refused.value)
    citizenships = DetaineeSerializer().fields["citizenships"]
    assert citizenships.to_internal_value(["US", "RU"]) == ["US", "RU"]
    with pytest.raises(ValidationError):
        citizenships.to_internal_value(["ZZ"])
