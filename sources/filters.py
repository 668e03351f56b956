"""FilterSets of outlets, sources and statements, shared by the pages and the API."""

import functools
import operator

import django_filters
from django.db.models import Q

from common.filters import (
    AnyOfChoiceFilter,
    CountryChoiceFilter,
    IdFilter,
    IsoDateFilter,
    SearchFilter,
    TextFilter,
    UpdatedSinceFilter,
)

from .models import CLAIM_TYPES, Claim, Official, Outlet, OutletKind, Source, Statement


class OutletFilter(django_filters.FilterSet):
    country = CountryChoiceFilter(field_name="country", help_text="Country of the outlet (ISO code).")
    kind = AnyOfChoiceFilter(choices=OutletKind.choices, help_text="Kind of publisher.")
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(fields=["name", "updated_at"])

    class Meta:
        model = Outlet
        fields = []


class SourceFilter(django_filters.FilterSet):
    q = SearchFilter(label="Search", help_text="Title, author, summary or outlet name.")
    outlet = IdFilter(field_name="outlet_id", help_text="Outlet id.")
    published_from = IsoDateFilter(field_name="published_on", lookup_expr="gte", help_text="On or after.")
    published_to = IsoDateFilter(field_name="published_on", lookup_expr="lte", help_text="On or before.")
    detainee = IdFilter(method="filter_detainee", help_text="Sources cited anywhere in this case (detainee id).")
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(fields=["published_on", "title", "updated_at"])

    class Meta:
        model = Source
        fields = []

    def filter_detainee(self, qs, name, value: list[int]):
        # A draft case is no case to the public: its id finds no sources, as an unknown id does.
        from django.apps import apps

        user = getattr(self.request, "user", None)
        visible = list(apps.get_model("detainees", "Detainee").objects.visible_to(user).filter(pk__in=value)
                       .values_list("pk", flat=True))  # fmt: skip
        if not visible:
            return qs.none()
        cited = [Q(pk__in=Source.objects.cited_in_case(pk, user).values("pk")) for pk in visible]
        return qs.filter(functools.reduce(operator.or_, cited))


class StatementFilter(django_filters.FilterSet):
    speaker = TextFilter(
        method="filter_speaker",
        max_length=200,
        help_text="Part of the speaker's name as the source gave it, or the name or an alias of the official on file, "
        'in any spelling ("Sergey Vershinin" finds "Sergei Vershinin").',
    )
    official = IdFilter(field_name="official_id", help_text="The official on file (id).")
    country = CountryChoiceFilter(field_name="speaker_country", help_text="Country the speaker speaks for.")
    said_from = IsoDateFilter(field_name="said_on", lookup_expr="gte", help_text="On or after.")
    said_to = IsoDateFilter(field_name="said_on", lookup_expr="lte", help_text="On or before.")
    detainee = IdFilter(method="filter_subject", help_text="About this detainee (id).")
    exchange = IdFilter(method="filter_subject", help_text="About this exchange (id).")
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(fields=["said_on", "speaker", "updated_at"])

    class Meta:
        model = Statement
        fields = []

    def filter_subject(self, qs, name, value: list[int]):
        # A draft subject is no subject to the public: its id finds nothing, as an unknown id does.
        from django.apps import apps

        model = apps.get_model(*{"detainee": ("detainees", "Detainee"), "exchange": ("exchanges", "Exchange")}[name])
        visible = model.objects.visible_to(getattr(self.request, "user", None)).filter(pk__in=value)
        return qs.filter(pk__in=Statement.objects.filter(**{f"{name}s__in": visible}).values("pk"))

    def filter_speaker(self, qs, name, value):
        if not value.strip():
            return qs
        return qs.filter(
            Q(speaker__icontains=value.strip()) | Q(official__in=Official.objects.search(value).values("pk"))
        )


class OfficialFilter(django_filters.FilterSet):
    q = SearchFilter(label="Search", help_text="Name, original-script name or alias, in any spelling.")
    country = CountryChoiceFilter(field_name="country", help_text="Country they speak for (ISO code).")
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(fields=["name", "updated_at"])

    class Meta:
        model = Official
        fields = []


class ClaimFilter(django_filters.FilterSet):
    about_type = django_filters.ChoiceFilter(
        method="filter_about_type",
        choices=[(k, k) for k in CLAIM_TYPES],
        help_text="Kind of record the claim is about.",
    )
    about_id = IdFilter(field_name="object_id", help_text="Id of the record (with about_type).")
    field = TextFilter(field_name="field", max_length=200, help_text='The fact in dispute, e.g. "mediators".')
    source = IdFilter(field_name="source_id", help_text="Source id.")
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Claim
        fields = []

    def filter_about_type(self, qs, name, value):
        app_label, model = CLAIM_TYPES[value]
        return qs.filter(content_type__app_label=app_label, content_type__model=model)
