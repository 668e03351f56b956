"""Country fields of the API: an ISO code, or `null` when there is none, on output and on input (SPEC 1.2).

The database keeps "" for "no country" (a `CountryField` is a text column); the API never shows it: a blank country
reads as `null`, and `null` (or "") written sets it blank.
"""

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language
from django_countries import countries, fields, serializer_fields
from django_countries import serializers as country_serializers
from rest_framework import serializers
from rest_framework.fields import empty

# The country choices, per language: ("list", language) the (code, name) pairs by name, and (a Countries class,
# language) what DRF derives from them for a field. One cache, cleared by the settings that shape it.
_CHOICES: dict[tuple, tuple] = {}


def country_choices(language: str | None = None) -> tuple[tuple[str, str], ...]:
    """Every country (code, name) in `language` (default: the active one), by name as django-countries sorts them:
    sorted and translated once per language, not for each list page's filter or each API country field."""
    key = ("list", language or get_language())
    found = _CHOICES.get(key)
    if found is None:
        found = _CHOICES[key] = tuple((code, name) for code, name in countries)
    return found


class CountryField(serializer_fields.CountryField):
    """django-countries' field, its choices built once per language and list of countries.

    DRF copies a serializer's fields for every request by calling each field's __init__ again, and this field's
    __init__ translated and sorted all 250 country names: with four country fields, about a quarter of a PATCH's
    time. The choices are the same for every copy in one language (tests/api/test_country_field_choices.py)."""

    def _set_choices(self, choices):
        if choices is not self.countries:
            return super()._set_choices(choices)
        # By the list's class, not the object: DRF's copy of a field deep-copies its `countries` too. The settings
        # that shape a class's list (COUNTRIES_*) clear the cache when they change.
        key = (type(self.countries), get_language())
        cached = _CHOICES.get(key)
        if cached is None:
            # the pairs of the one list (`country_choices`) when this field's countries are the site's own
            super()._set_choices(country_choices() if type(self.countries) is type(countries) else choices)
            _CHOICES[key] = (self.grouped_choices, self._choices, self.choice_strings_to_values)
        else:
            self.grouped_choices, self._choices, self.choice_strings_to_values = cached

    choices = property(serializers.ChoiceField._get_choices, _set_choices)


@receiver(setting_changed)
def _countries_changed(setting, **kwargs):
    if setting.startswith("COUNTRIES_") or setting in {"LANGUAGE_CODE", "LANGUAGES"}:
        _CHOICES.clear()


class NullableCountryField(CountryField):
    """An ISO 3166-1 alpha-2 code, `null` when absent; `null` or "" on input stores no country."""

    def __init__(self, *args, **kwargs):
        kwargs["allow_null"] = True
        kwargs.setdefault("allow_blank", True)
        super().__init__(*args, **kwargs)

    def run_validation(self, data=empty):
        value = super().run_validation(data)
        return "" if value is None else value


class CountryFieldMixin(country_serializers.CountryFieldMixin):
    """django-countries' mixin, with every optional single country field null when absent, and every country field
    building its choices once per language (`CountryField`)."""

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if field_class is serializer_fields.CountryField and isinstance(model_field, fields.CountryField):
            field_class = CountryField
            if model_field.blank:
                field_class = NullableCountryField
                field_kwargs.pop("allow_null", None)
        child = field_kwargs.get("child")
        if type(child) is serializer_fields.CountryField:  # a multiple country field: a list of them
            field_kwargs["child"] = CountryField(*child._args, **child._kwargs)
        return field_class, field_kwargs
