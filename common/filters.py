"""Filter pieces shared by every FilterSet."""

import datetime

import django_filters
import django_filters.fields
from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django_countries import countries
from drf_spectacular.utils import extend_schema_field


class FastSelect(forms.Select):
    """The <select> Django's widget renders, built in Python: the template renders each of 250 countries through
    an include, which cost a list page about 20 ms."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((v, mark_safe(" selected") if str(v) in selected else "", label) for v, label in self.choices),
        )  # fmt: skip
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)),
                           options)  # fmt: skip


@extend_schema_field({"type": "string", "enum": [code for code, _ in countries], "description": "ISO 3166-1 alpha-2"})
class CountryChoiceFilter(django_filters.ChoiceFilter):
    """An ISO 3166-1 alpha-2 code; unknown codes are a 400 naming the parameter, not an empty list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", lambda: [(code, name) for code, name in countries])
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ([], (), {}, "", None):
            return qs
        return super().filter(qs, value.upper() if isinstance(value, str) else value)


class UpperCaseChoiceField(django_filters.fields.ChoiceField):
    """Country codes are accepted in either case ("us" or "US")."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.upper() if isinstance(value, str) else value


CountryChoiceFilter.field_class = UpperCaseChoiceField


def multi_country_q(field: str, code: str) -> Q:
    """Match one code in a django-countries multiple field, stored as "RU,US"."""
    return (
        Q(**{field: code})
        | Q(**{f"{field}__startswith": f"{code},"})
        | Q(**{f"{field}__endswith": f",{code}"})
        | Q(**{f"{field}__contains": f",{code},"})
    )


@extend_schema_field({"type": "string", "maxLength": 200, "pattern": "^[^\\x00]*$"})
class TextFilter(django_filters.CharFilter):
    """Free text; the schema says what the form says: no NUL character (Django's forms refuse it with a 400)."""


@extend_schema_field({"type": "string", "maxLength": 200, "pattern": "^[^\\x00]*$"})
class SearchFilter(django_filters.CharFilter):
    """`q`: a free-text search, delegated to the queryset's own `search()`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("method", self.search)
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)

    @staticmethod
    def search(queryset, name, value):
        if not value.strip():
            return queryset
        found = queryset.search(value)
        return found.ranked(value) if hasattr(found, "ranked") else found  # an explicit `ordering` still wins


MAX_ID = 2**63 - 1  # the largest BigAutoField; larger numbers would overflow the database driver


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A record id: a whole number of 1 or more."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1900, "maximum": 2100})
class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.update(min_value=1900, max_value=2100)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "pattern": r"^[1-9][0-9]{0,17}(,[1-9][0-9]{0,17})*$"})
class IdListFilter(django_filters.BaseInFilter, django_filters.NumberFilter):
    """Several record ids, comma-separated: `id=12,15`."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class UpdatedSinceFilter(django_filters.IsoDateTimeFilter):
    """`updated_since`: records changed at or after an ISO 8601 time, for incremental sync.

    The time is converted to UTC before it reaches the database: PostgreSQL refuses offsets beyond ±15:59.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("help_text", "Changed at or after this time (ISO 8601, e.g. 2024-08-01T00:00:00Z).")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return super().filter(qs, to_utc(value) if value is not None else None)


def to_utc(value: datetime.datetime) -> datetime.datetime:
    """The same instant in UTC; an offset that pushes it past the calendar clamps to its first or last moment."""
    try:
        return value.astimezone(datetime.UTC)
    except (OverflowError, ValueError):
        if value.year > 1:
            return datetime.datetime.max.replace(tzinfo=datetime.UTC)
        return datetime.datetime.min.replace(tzinfo=datetime.UTC)
