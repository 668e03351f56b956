"""Filter pieces shared by every FilterSet."""

import django_filters
import django_filters.fields
from django.db.models import Q
from django_countries import countries


class CountryChoiceFilter(django_filters.ChoiceFilter):
    """An ISO 3166-1 alpha-2 code; unknown codes are a 400 naming the parameter, not an empty list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", lambda: [(code, name) for code, name in countries])
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


class SearchFilter(django_filters.CharFilter):
    """`q`: a free-text search, delegated to the queryset's own `search()`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("method", self.search)
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)

    @staticmethod
    def search(queryset, name, value):
        return queryset.search(value) if value.strip() else queryset
