"""Country names are remembered per language (common.apps.remember_country_names), never served stale."""

from django.test import override_settings
from django.utils import translation
from django_countries import countries
from django_countries.fields import Country


def test_a_remembered_name_follows_the_language_and_the_settings():
    with translation.override("en"):
        assert countries.name("DE") == "Germany" == Country("DE").name
    with translation.override("de"):
        assert countries.name("DE") == "Deutschland"
    with override_settings(COUNTRIES_OVERRIDE={"DE": "Federal Republic of Germany"}):
        del countries.countries  # as django-countries' own tests do when its settings change
        with translation.override("en"):
            assert countries.name("DE") == "Federal Republic of Germany"
    del countries.countries
    with translation.override("en"):
        assert countries.name("DE") == "Germany"
        assert countries.name("de") == "Germany" and countries.name("XX") == ""


def test_names_are_looked_up_once_per_language(monkeypatch):
    import django_countries

    calls = []
    translate = django_countries.Countries.translate_pair
    monkeypatch.setattr(django_countries.Countries, "translate_pair",
                        lambda self, code, name=None: calls.append(code) or translate(self, code, name))  # fmt: skip
    with override_settings(COUNTRIES_FIRST_REPEAT=False), translation.override("fr"):  # a setting: forgotten
        first = [countries.name("PL") for _ in range(5)]
    assert first == ["Pologne"] * 5 and calls == ["PL"]


def test_nauru_is_called_nauru_not_by_its_nauruan_name():
    """django-countries 9 names it "Naoero" in English (config/settings.py COUNTRIES_OVERRIDE)."""
    del countries.countries
    with translation.override("en"):
        assert countries.name("NR") == "Nauru" == Country("NR").name
    with translation.override("ru"):
        assert countries.name("NR") == "Науру"


def test_russian_names_are_in_the_nominative():
    """django-countries' Russian catalogue says "Либерии" and "Новой Каледонии" (a new user saw the first under
    "Ever held by")."""
    del countries.countries
    with translation.override("ru"):
        assert (countries.name("LR"), countries.name("NC")) == ("Либерия", "Новая Каледония")
    with translation.override("en"):
        assert (countries.name("LR"), countries.name("NC")) == ("Liberia", "New Caledonia")
