"""Country fields of the API: an ISO code, or `null` when there is none, on output and on input (SPEC 1.2).

The database keeps "" for "no country" (a `CountryField` is a text column); the API never shows it: a blank country
reads as `null`, and `null` (or "") written sets it blank.
"""

from django_countries import fields, serializer_fields
from django_countries import serializers as country_serializers
from rest_framework.fields import empty


class NullableCountryField(serializer_fields.CountryField):
    """An ISO 3166-1 alpha-2 code, `null` when absent; `null` or "" on input stores no country."""

    def __init__(self, *args, **kwargs):
        kwargs["allow_null"] = True
        kwargs.setdefault("allow_blank", True)
        super().__init__(*args, **kwargs)

    def run_validation(self, data=empty):
        value = super().run_validation(data)
        return "" if value is None else value


class CountryFieldMixin(country_serializers.CountryFieldMixin):
    """django-countries' mixin, with every optional single country field null when absent."""

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if (
            field_class is serializer_fields.CountryField
            and isinstance(model_field, fields.CountryField)
            and model_field.blank
        ):
            field_class = NullableCountryField
            field_kwargs.pop("allow_null", None)
        return field_class, field_kwargs
