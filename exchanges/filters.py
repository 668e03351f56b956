"""The exchange FilterSet, shared by `/exchanges/` and `/api/v1/exchanges/`."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from common.filters import (
    AnyOfChoiceFilter,
    CountryChoiceFilter,
    IdFilter,
    IsoDateFilter,
    SearchFilter,
    UpdatedSinceFilter,
    YearFilter,
    multi_country_q,
)

from .models import Exchange, ExchangeCount, ExchangeParticipant, ExchangeStatus


class ExchangeFilter(django_filters.FilterSet):
    q = SearchFilter(label="Search", help_text="Name, place, description, or the name of a participant.")
    country = CountryChoiceFilter(
        method="filter_country", help_text="Any country taking part (releasing, receiving, mediating) or the place."
    )
    year = YearFilter(field_name="date__year", help_text="Year of the exchange.")
    date_from = IsoDateFilter(field_name="date", lookup_expr="gte", help_text="On or after (YYYY-MM-DD).")
    date_to = IsoDateFilter(field_name="date", lookup_expr="lte", help_text="On or before (YYYY-MM-DD).")
    group = IdFilter(
        method="filter_group", help_text="A group taking part (id): releasing or receiving people, named or counted."
    )
    detainee = IdFilter(method="filter_detainee", help_text="A participant (detainee id).")
    status = AnyOfChoiceFilter(choices=ExchangeStatus.choices, help_text="Completed, proposed or failed.")
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(
        fields=["date", "name", "updated_at"], help_text="Sort by date, name or updated_at; '-' reverses."
    )

    class Meta:
        model = Exchange
        fields = []

    def participants(self):
        """The participants this request may see: a draft person is no participant to the public."""
        return ExchangeParticipant.objects.visible_to(getattr(self.request, "user", None))

    def sides(self, condition: Q) -> Q:
        """Exchanges where a named participant the request may see, or a count of people, meets `condition`."""
        parties = self.participants().filter(condition, exchange=OuterRef("pk"))
        counted = ExchangeCount.objects.filter(condition, exchange=OuterRef("pk"))
        return Q(Exists(parties)) | Q(Exists(counted))

    def filter_country(self, qs, name, value: list[str]):
        parties = self.sides(Q(released_by__in=value) | Q(received_by__in=value))
        return qs.filter(Q(place_country__in=value) | multi_country_q("mediators", value) | parties)

    def filter_group(self, qs, name, value):
        value = value if isinstance(value, list | tuple) else [value]
        return qs.filter(self.sides(Q(released_by_group_id__in=value) | Q(received_by_group_id__in=value)))

    def filter_detainee(self, qs, name, value):
        return qs.filter(Exists(self.participants().filter(detainee_id__in=value, exchange=OuterRef("pk"))))


class ParticipantFilter(django_filters.FilterSet):
    exchange = IdFilter(field_name="exchange_id", help_text="Exchange id.")
    detainee = IdFilter(field_name="detainee_id", help_text="Detainee id.")
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(fields=["updated_at"])

    class Meta:
        model = ExchangeParticipant
        fields = []
