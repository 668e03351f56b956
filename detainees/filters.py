"""The one FilterSet per resource, shared by the public list pages, the API and CSV."""

import datetime

import django_filters
from django.db.models import Exists, OuterRef, Q

from common.filters import (
    AnyOfChoiceFilter,
    CountryChoiceFilter,
    IdFilter,
    IdListFilter,
    IsoDateFilter,
    PreparedFilterSet,
    SearchFilter,
    UpdatedSinceFilter,
)

from .models import (
    Charge,
    ChargeCategory,
    ChargeOutcome,
    CustodyOnFile,
    Designation,
    DesignationKind,
    Detainee,
    Detention,
    EndReason,
    FacilityKind,
    Group,
    GroupKind,
    PersonFacet,
    Sentence,
    SentenceChange,
    SentenceChangeKind,
    Status,
    Transfer,
)


def _started_q(day, field: str) -> Q:
    """The partial date `field` (with its precision) is over by `day`: its span's last day is not after it."""
    if day == datetime.date.max:  # the calendar's last day ends every month and year that can be stored
        month_started = year_started = Q(**{f"{field}__lte": day})
    else:
        following = day + datetime.timedelta(days=1)
        month_started = Q(**{f"{field}__lt": following.replace(day=1)})
        year_started = Q(**{f"{field}__lt": following.replace(month=1, day=1)})
    return (
        Q(**{f"{field}_precision": "day", f"{field}__lte": day})
        | Q(**{f"{field}_precision": "month"}) & month_started
        | Q(**{f"{field}_precision": "year"}) & year_started
    )


def held_on_q(day, prefix: str = "") -> Q:
    """Certainly in custody on `day`. A partial date is a span: a start known only as "August 2019" counts from
    its last day (31 August), an end known only as a month or year (stored as its first day) until that first day;
    a handover on a date not on file ends the certain custody at its start. A start no report dates counts from the
    day a report last confirmed the custody or from the day of its release, whichever comes first (one freed on
    1 August 2024, arrest date unknown, was held that day; a release known only as a month proves no day)
    (`common.models.certain_start`)."""
    undated = _started_q(day, f"{prefix}last_confirmed_on") | _started_q(day, f"{prefix}released_on")
    started = _started_q(day, f"{prefix}detained_on") | Q(**{f"{prefix}detained_on": None}) & undated
    not_ended = Q(**{f"{prefix}released_on__isnull": True, f"{prefix}end_reason": ""}) | Q(
        **{f"{prefix}released_on__gte": day}
    )
    return started & not_ended


def has_facet(facet: str, values) -> Exists:
    """Shows any of `values` under `facet`: one probe of the stored facet rows per person (detainees.facets), kept by
    the database in the transaction of every write, instead of a scan of their detentions or a LIKE over their
    citizenships."""
    values = [values] if isinstance(values, str) else list(values)
    return Exists(PersonFacet.objects.filter(detainee=OuterRef("pk"), facet=facet, value__in=values))


class DetaineeFilter(PreparedFilterSet):
    """Filters of `/detainees/` and `/api/v1/detainees/`; the queryset must come from `with_status()`."""

    id = IdListFilter(field_name="id", help_text="One or more ids, comma-separated: 12,15.")
    q = SearchFilter(label="Search", help_text="Name, original-script name or alias, in any spelling or script.")
    slug = django_filters.CharFilter(
        field_name="slug",
        max_length=90,
        help_text="The case page's address, exactly (`paul-whelan` for /detainees/paul-whelan/): a script that knows "
        "a page finds its record. `/api/v1/detainees/<slug>/` also answers 301 to the record's id address.",
    )
    citizenship = CountryChoiceFilter(method="filter_citizenship", help_text="A citizenship (ISO code), e.g. US.")
    held_by = CountryChoiceFilter(
        method="filter_held_by",
        label="Held by",
        help_text="Ever held by this country (ISO code), in any detention of the custody chain. Not the same as the "
        "`held_by` field of each result, which is the country holding the person now.",
    )
    held_on = IsoDateFilter(
        method="filter_held_on", label="In custody on", help_text="In custody on this date (YYYY-MM-DD)."
    )
    held_by_group = IdFilter(method="filter_held_by_group", help_text="Ever held by this group (id).")
    status = AnyOfChoiceFilter(choices=Status.choices, help_text="Current status, derived from the latest detention.")
    custody = django_filters.ChoiceFilter(
        choices=CustodyOnFile.choices,
        method="filter_custody",
        label="Custody",
        help_text="`none`: people with no custody (detention) on file, e.g. known only from an exchange; "
        "`on_file`: people with at least one.",
    )
    charge_category = AnyOfChoiceFilter(
        choices=ChargeCategory.choices, method="filter_charge_category", label="Charge", help_text="Charged with this."
    )
    designation = AnyOfChoiceFilter(
        choices=DesignationKind.choices, method="filter_designation", help_text="Designated as this by any authority."
    )
    detained_from = IsoDateFilter(
        method="filter_noop", label="Detained from", help_text="A detention began on or after this date."
    )
    detained_to = IsoDateFilter(
        method="filter_noop", label="Detained to", help_text="A detention began on or before this date."
    )
    exchange = IdFilter(method="filter_exchange", help_text="Took part in this exchange (id).")
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(
        fields=[
            ("name", "name"),
            ("latest_detained_on", "detained_on"),
            ("updated_at", "updated_at"),
            ("created_at", "created_at"),
            ("born_on", "born_on"),
        ],  # fmt: skip
        help_text="Sort by name, detained_on (latest detention), updated_at, created_at or born_on; '-' reverses. "
        "Without it: by name, and with `q`, names beginning with the words searched first.",
    )

    class Meta:
        model = Detainee
        fields = []

    def filter_citizenship(self, qs, name, value: list[str]):
        return qs.filter(has_facet("citizenship", value))

    def filter_custody(self, qs, name, value):
        on_file = Exists(Detention.objects.filter(detainee=OuterRef("pk")))
        return qs.filter(on_file if value == CustodyOnFile.ON_FILE else ~on_file)

    def filter_held_by(self, qs, name, value: list[str]):
        if self.form.cleaned_data.get("held_on"):
            return qs  # with held_on, both must hold for the same detention: see filter_held_on
        return qs.filter(has_facet("held_by", value))

    def filter_held_by_group(self, qs, name, value):
        if self.form.cleaned_data.get("held_on"):
            return qs  # with held_on, both hold for the same detention: see filter_held_on
        value = value if isinstance(value, list | tuple) else [value]
        return qs.filter(has_facet("held_by_group", [str(getattr(v, "pk", v)) for v in value]))

    def filter_held_on(self, qs, name, value):
        """In custody on that day; with `held_by`, in that holder's custody on that day (not merely ever); with
        `charge_category`, charged with it in the custody of that day (as the census counts, detainees.census)."""
        detentions = Detention.objects.filter(held_on_q(value), detainee=OuterRef("pk"))
        holders, groups = self.form.cleaned_data.get("held_by"), self.form.cleaned_data.get("held_by_group")
        if holders:  # any of several countries (a repeated or comma-separated parameter)
            detentions = detentions.filter(held_by__in=holders if isinstance(holders, list | tuple) else [holders])
        if groups:
            groups = groups if isinstance(groups, list | tuple) else [groups]
            detentions = detentions.filter(held_by_group_id__in=groups)
        if categories := self.form.cleaned_data.get("charge_category"):
            detentions = detentions.filter(Exists(Charge.objects.filter(category__in=categories,
                                                                         detention=OuterRef("pk"))))  # fmt: skip
        return qs.filter(Exists(detentions))

    def filter_charge_category(self, qs, name, value):
        if self.form.cleaned_data.get("held_on"):
            return qs  # with held_on, charged in the custody of that day: see filter_held_on
        return qs.filter(Exists(Charge.objects.filter(category__in=value, detention__detainee=OuterRef("pk"))))

    def filter_designation(self, qs, name, value):
        return qs.filter(Exists(Designation.objects.filter(kind__in=value, detainee=OuterRef("pk"))))

    def filter_exchange(self, qs, name, value):
        # The reverse relation keeps detainees free of imports from exchanges; a subquery, so no one is repeated.
        # A draft exchange is no exchange to the public: its id finds nobody, as an unknown id does.
        from django.apps import apps

        exchanges = apps.get_model("exchanges", "Exchange").objects.visible_to(getattr(self.request, "user", None))
        within = exchanges.filter(pk__in=value)
        return qs.filter(pk__in=Detainee.objects.filter(exchange_participations__exchange__in=within).values("pk"))

    def filter_noop(self, qs, name, value):
        return qs  # applied together in filter_queryset, so both bounds hold for the same detention

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        start, end = self.form.cleaned_data.get("detained_from"), self.form.cleaned_data.get("detained_to")
        if start or end:
            detentions = Detention.objects.filter(detainee=OuterRef("pk"))
            if start:
                detentions = detentions.filter(detained_on__gte=start)
            if end:
                detentions = detentions.filter(detained_on__lte=end)
            queryset = queryset.filter(Exists(detentions))
        return queryset


class DetentionFilter(django_filters.FilterSet):
    detainee = IdFilter(field_name="detainee_id", help_text="Detainee id.")
    held_by = CountryChoiceFilter(field_name="held_by", help_text="Holding country (ISO code).")
    held_by_group = IdFilter(field_name="held_by_group_id", help_text="Holding group (id).")
    held_on = IsoDateFilter(method="filter_held_on", help_text="In custody on this date (YYYY-MM-DD).")
    detained_from = IsoDateFilter(field_name="detained_on", lookup_expr="gte", help_text="Began on or after.")
    detained_to = IsoDateFilter(field_name="detained_on", lookup_expr="lte", help_text="Began on or before.")
    end_reason = AnyOfChoiceFilter(choices=EndReason.choices, help_text="Why custody ended.")
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(fields=["detained_on", "released_on", "updated_at"])

    class Meta:
        model = Detention
        fields = []

    def filter_held_on(self, qs, name, value):
        return qs.filter(held_on_q(value))


class DesignationFilter(django_filters.FilterSet):
    detainee = IdFilter(field_name="detainee_id", help_text="Detainee id.")
    kind = AnyOfChoiceFilter(choices=DesignationKind.choices, help_text="Kind of designation.")
    authority_country = CountryChoiceFilter(field_name="authority_country", help_text="Country of the authority.")
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(fields=["designated_on", "updated_at"])

    class Meta:
        model = Designation
        fields = []


class ChargeFilter(django_filters.FilterSet):
    detainee = IdFilter(field_name="detention__detainee_id", help_text="Detainee id.")
    category = AnyOfChoiceFilter(choices=ChargeCategory.choices, help_text="Kind of accusation.")
    outcome = AnyOfChoiceFilter(choices=ChargeOutcome.choices, help_text="Where the charge stands.")
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(fields=["id", "updated_at"])

    class Meta:
        model = Charge
        fields = []


class TransferFilter(django_filters.FilterSet):
    detainee = IdFilter(field_name="detention__detainee_id", help_text="Detainee id.")
    detention = IdFilter(field_name="detention_id", help_text="Detention id.")
    facility_kind = AnyOfChoiceFilter(choices=FacilityKind.choices, help_text="Kind of facility.")
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(fields=["moved_on", "updated_at"])

    class Meta:
        model = Transfer
        fields = []


class SentenceFilter(django_filters.FilterSet):
    detainee = IdFilter(field_name="detention__detainee_id", help_text="Detainee id.")
    sentenced_from = IsoDateFilter(field_name="sentenced_on", lookup_expr="gte", help_text="On or after.")
    sentenced_to = IsoDateFilter(field_name="sentenced_on", lookup_expr="lte", help_text="On or before.")
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(fields=["sentenced_on", "term_months", "updated_at"])

    class Meta:
        model = Sentence
        fields = []


class GroupFilter(django_filters.FilterSet):
    q = SearchFilter(label="Search", help_text="Name, original-script name or alias, in any spelling.")
    kind = django_filters.ChoiceFilter(choices=GroupKind.choices, help_text="Kind of group.")
    country = CountryChoiceFilter(field_name="country", help_text="Country where it mainly operates (ISO code).")
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(fields=["name", "updated_at"])

    class Meta:
        model = Group
        fields = []


class SentenceChangeFilter(django_filters.FilterSet):
    detainee = IdFilter(field_name="sentence__detention__detainee_id", help_text="Detainee id.")
    sentence = IdFilter(field_name="sentence_id", help_text="Sentence id.")
    kind = AnyOfChoiceFilter(choices=SentenceChangeKind.choices, help_text="What happened to the sentence.")
    updated_since = UpdatedSinceFilter()
    ordering = django_filters.OrderingFilter(fields=["changed_on", "updated_at"])

    class Meta:
        model = SentenceChange
        fields = []
