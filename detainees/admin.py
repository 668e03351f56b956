"""Editors' workspace for detainees and their custody."""

from django.contrib import admin, messages
from django_countries.filters import CountryFilter
from simple_history.admin import SimpleHistoryAdmin

from sources.admin import ClaimInline

from .forms import DetaineeAdminForm, SentenceAdminForm
from .models import Charge, Designation, Detainee, Detention, Sentence, SentenceChange, Status, Transfer

DATE_PAIR_HELP = "Enter the first day of the month or year when only those are known, and set the precision."


class PublishActionsMixin:
    """Publish / unpublish actions for records with `is_published`."""

    actions = ["publish", "unpublish"]

    @admin.action(description="Publish selected records", permissions=["change"])
    def publish(self, request, queryset):
        updated = queryset.update(is_published=True)
        self.message_user(request, f"Published {updated} record(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected records (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        updated = queryset.update(is_published=False)
        self.message_user(request, f"Moved {updated} record(s) back to draft.", messages.SUCCESS)


class SearchKeyAdminMixin:
    """Admin search and autocomplete use the same spelling-insensitive search as the public site."""

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        return queryset.search(search_term), False


class DetentionInline(admin.StackedInline):
    model = Detention
    extra = 0
    show_change_link = True
    autocomplete_fields = ["sources"]
    fields = [
        ("held_by", "place"),
        ("detained_on", "detained_on_precision"),
        "circumstances",
        ("extradited_from", "extradited_on", "extradited_on_precision"),
        ("released_on", "released_on_precision", "end_reason"),
        "sources",
    ]


class DesignationInline(admin.TabularInline):
    model = Designation
    extra = 0
    autocomplete_fields = ["sources"]
    fields = [
        "kind", "authority", "authority_country", "designated_on", "designated_on_precision",
        "withdrawn_on", "withdrawn_on_precision", "sources",
    ]  # fmt: skip


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(Detainee)
class DetaineeAdmin(SearchKeyAdminMixin, PublishActionsMixin, SimpleHistoryAdmin):
    form = DetaineeAdminForm
    list_display = ["name", "name_original", "status_display", "held_by_display", "is_published", "updated_at"]
    list_filter = ["is_published", StatusFilter, ("citizenships", CountryFilter), "designations__kind"]
    search_fields = ["name"]  # the search itself is SearchKeyAdminMixin's
    autocomplete_fields = ["sources"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    inlines = [DetentionInline, DesignationInline, ClaimInline]
    fieldsets = [
        (None, {"fields": ["name", "name_original", "aliases", "citizenships", "description"]}),
        ("Identity", {"fields": [("born_on", "born_on_precision"), "wikidata_id"]}),
        ("Publication", {"fields": ["is_published", "sources", "slug", ("created_at", "updated_at")]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_status()

    @admin.display(description="Status", ordering="status")
    def status_display(self, obj):
        return Status(obj.status).label

    @admin.display(description="Held by", ordering="held_by")
    def held_by_display(self, obj):
        from django_countries import countries

        return countries.name(obj.held_by) if obj.held_by else "—"


class ChargeInline(admin.StackedInline):
    model = Charge
    extra = 0
    autocomplete_fields = ["sources"]
    fields = [("category", "outcome", "statute"), ("charged_on", "charged_on_precision"), "description", "sources"]


class SentenceInline(admin.StackedInline):
    model = Sentence
    form = SentenceAdminForm
    extra = 0
    show_change_link = True
    autocomplete_fields = ["sources", "charges"]
    fields = [
        ("court", "sentenced_on", "sentenced_on_precision"),
        ("term_months", "is_life", "fine_amount", "fine_currency"),
        "charges",
        "sources",
    ]


class TransferInline(admin.TabularInline):
    model = Transfer
    extra = 0
    autocomplete_fields = ["sources"]
    fields = ["moved_on", "moved_on_precision", "facility_name", "facility_kind", "sources"]


@admin.register(Detention)
class DetentionAdmin(SimpleHistoryAdmin):
    list_display = ["detainee", "held_by", "detained_on", "released_on", "end_reason"]
    list_filter = [("held_by", CountryFilter), "end_reason", "detainee__is_published"]
    list_select_related = ["detainee"]
    search_fields = ["detainee__name", "detainee__name_original", "place", "circumstances"]
    autocomplete_fields = ["detainee", "sources"]
    date_hierarchy = "detained_on"
    inlines = [ChargeInline, SentenceInline, TransferInline, ClaimInline]
    fieldsets = [
        (None, {"fields": ["detainee", "held_by", "place", "circumstances"]}),
        ("Detained", {"fields": [("detained_on", "detained_on_precision")], "description": DATE_PAIR_HELP}),
        ("Extradition", {"fields": ["extradited_from", ("extradited_on", "extradited_on_precision")]}),
        ("End of custody", {"fields": [("released_on", "released_on_precision"), "end_reason"]}),
        ("Sources", {"fields": ["sources"]}),
    ]

    def view_on_site(self, obj):
        return obj.detainee.get_absolute_url()


@admin.register(Charge)
class ChargeAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "detention", "outcome"]
    list_filter = ["category", "outcome"]
    list_select_related = ["detention__detainee"]
    search_fields = ["statute", "description", "detention__detainee__name"]
    autocomplete_fields = ["detention", "sources"]


class SentenceChangeInline(admin.TabularInline):
    model = SentenceChange
    extra = 0
    autocomplete_fields = ["sources"]
    fields = ["kind", "changed_on", "changed_on_precision", "court", "new_term_months", "description", "sources"]


@admin.register(Sentence)
class SentenceAdmin(SimpleHistoryAdmin):
    form = SentenceAdminForm
    list_display = ["__str__", "detention", "court"]
    list_select_related = ["detention__detainee"]
    list_filter = ["is_life"]
    search_fields = ["court", "detention__detainee__name"]
    autocomplete_fields = ["detention", "charges", "sources"]
    date_hierarchy = "sentenced_on"
    inlines = [SentenceChangeInline]


@admin.register(Designation)
class DesignationAdmin(SimpleHistoryAdmin):
    list_display = ["detainee", "kind", "authority", "authority_country", "designated_on", "withdrawn_on"]
    list_filter = ["kind", ("authority_country", CountryFilter)]
    list_select_related = ["detainee"]
    search_fields = ["authority", "detainee__name"]
    autocomplete_fields = ["detainee", "sources"]
    date_hierarchy = "designated_on"


@admin.register(Transfer)
class TransferAdmin(SimpleHistoryAdmin):
    list_display = ["facility_name", "facility_kind", "detention", "moved_on"]
    list_filter = ["facility_kind"]
    list_select_related = ["detention__detainee"]
    search_fields = ["facility_name", "detention__detainee__name"]
    autocomplete_fields = ["detention", "sources"]
    date_hierarchy = "moved_on"


@admin.register(SentenceChange)
class SentenceChangeAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "sentence", "new_term_months"]
    list_filter = ["kind"]
    search_fields = ["court", "description", "sentence__detention__detainee__name"]
    autocomplete_fields = ["sentence", "sources"]
    date_hierarchy = "changed_on"
