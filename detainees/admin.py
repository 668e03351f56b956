"""Editors' workspace for detainees and their custody."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.filters import CountryFilter
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ChangeReasonAdminMixin
from common.csvimport import CarefulImportMixin
from sources.admin import ClaimInline

from .forms import DetaineeAdminForm, SentenceAdminForm
from .models import (
    Charge,
    Counsel,
    CustodyExtension,
    Designation,
    Detainee,
    Detention,
    Group,
    MergedDetainee,
    Sentence,
    SentenceChange,
    Status,
    Transfer,
)
from .resources import DetaineeResource
from .services import merge_detainees, publish_problems

DATE_PAIR_HELP = _('Type dates as the source gives them: "6 March 2008", "March 2008" or "2008".')


def awaiting_message(count: int) -> str:
    return ngettext(
        "Sent for review: a second editor must approve it before it is public (the desk lists it under “To check”).",
        "Sent %(count)d records for review: a second editor must approve them before they are public (the desk lists "
        "them under “To check”).",
        count,
    ) % {"count": count}


class PublishActionsMixin:
    """Publish / unpublish actions and form saves that refuse to publish a record with unsourced facts.

    Subclasses name their `publish_problems(obj)` and `publish(obj)` services.
    """

    actions = ["publish", "unpublish"]

    def publish_problems(self, obj) -> list[str]:
        raise NotImplementedError

    @admin.action(description=_("Publish selected records"), permissions=["change"])
    def publish(self, request, queryset):
        published, awaiting, refused = 0, 0, []
        for obj in queryset:
            problems = self.publish_problems(obj)
            if problems:
                items = format_html_join("", "<li>{}</li>", ((p,) for p in problems))
                refused.append(format_html(_("<strong>{}</strong> still needs a source for:<ul>{}</ul>"), obj, items))
                continue
            if not obj.is_published:
                obj.is_published = True
                obj._change_reason = "Published"
                obj.save()
            if obj.awaiting_review:  # common.review: a second editor approves it first
                awaiting += 1
            else:
                published += 1
        if published:
            self.message_user(
                request,
                ngettext("Published %(count)d record.", "Published %(count)d records.", published)
                % {"count": published},
                messages.SUCCESS,
            )
        if awaiting:
            self.message_user(request, awaiting_message(awaiting), messages.INFO)
        for line in refused:
            self.message_user(request, format_html(_("Not published — {}"), line), messages.ERROR)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.awaiting_review and "is_published" in form.changed_data:
            self.message_user(request, awaiting_message(1), messages.INFO)

    @admin.action(description=_("Unpublish selected records (back to draft)"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = 0
        for obj in queryset.filter(is_published=True):
            obj.is_published = False
            obj._change_reason = "Unpublished"
            obj.save()
            count += 1
        self.message_user(
            request,
            ngettext("Moved %(count)d record back to draft.", "Moved %(count)d records back to draft.", count)
            % {"count": count},
            messages.SUCCESS,
        )


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
    autocomplete_fields = ["sources", "held_by_group"]
    fields = [
        ("held_by", "held_by_group", "place"),
        ("detained_on", "detained_on_precision"),
        "circumstances",
        ("released_on", "released_on_precision", "end_reason"),
        ("last_confirmed_on", "last_confirmed_on_precision"),
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
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(Detainee)
class DetaineeAdmin(
    CarefulImportMixin, SearchKeyAdminMixin, PublishActionsMixin, ChangeReasonAdminMixin, SimpleHistoryAdmin
):
    form = DetaineeAdminForm
    resource_classes = [DetaineeResource]
    list_display = ["name", "name_original", "status_display", "held_by_display", "is_published", "updated_at"]
    list_filter = ["is_published", StatusFilter, ("citizenships", CountryFilter), "designations__kind"]
    search_fields = ["name"]  # the search itself is SearchKeyAdminMixin's
    autocomplete_fields = ["sources"]
    readonly_fields = ["one_screen", "slug", "created_at", "updated_at"]
    inlines = [DetentionInline, DesignationInline, ClaimInline]
    fieldsets = [
        (None, {"fields": ["one_screen"]}),
        (None, {"fields": ["name", "name_original", "aliases", "not_a_duplicate", "citizenships", "description",
                           "description_ru"]}),
        (_("Identity"), {"fields": [("born_on", "born_on_precision"), "wikidata_id"]}),
        (_("Publication"), {"fields": ["is_published", "sources", "slug", ("created_at", "updated_at")]}),
    ]

    def publish_problems(self, obj):
        return publish_problems(obj)

    actions = ["publish", "unpublish", "merge"]

    @admin.action(description=_("Merge two selected detainees into one"), permissions=["change", "delete"])
    def merge(self, request, queryset):
        people = list(queryset.order_by("pk"))
        if len(people) != 2:
            self.message_user(request, _("Select exactly two detainees to merge."), messages.WARNING)
            return None
        if "keep" in request.POST:
            keep = next((p for p in people if str(p.pk) == request.POST["keep"]), None)
            if keep is None:
                self.message_user(request, _("Choose which record to keep."), messages.WARNING)
                return None
            remove = next(p for p in people if p.pk != keep.pk)
            try:
                merge_detainees(keep=keep, remove=remove)
            except ValidationError as refusal:
                self.message_user(request, format_html(_("Not merged: {}"), " ".join(refusal.messages)), messages.ERROR)
                return None
            self.message_user(request, _("Merged “%(removed)s” into “%(kept)s”. The history of both is kept.")
                              % {"removed": remove.name, "kept": keep.name}, messages.SUCCESS)  # fmt: skip
            return None
        context = {**self.admin_site.each_context(request), "title": _("Merge two detainees"), "people": people,
                   "opts": self.model._meta, "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME}  # fmt: skip
        return TemplateResponse(request, "admin/detainees/merge.html", context)

    def get_urls(self):
        from django.urls import path

        from .admin_case_entry import case_entry_view
        from .admin_intake import intake_review_view, intake_view

        wrap = self.admin_site.admin_view
        return [
            path("case-entry/", wrap(case_entry_view), name="detainees_case_entry"),
            path("case-entry/<int:pk>/", wrap(case_entry_view), name="detainees_case_edit"),
            path("intake/", wrap(intake_view), name="detainees_intake"),
            path("intake/<int:source_id>/", wrap(intake_review_view), name="detainees_intake_review"),
            *super().get_urls(),
        ]

    @admin.display(description=_("Whole case"))
    def one_screen(self, obj):
        if obj is None or obj.pk is None:
            return format_html('<a href="{}">{}</a>', reverse("admin:detainees_case_entry"),
                               _("Enter a new case on one screen"))  # fmt: skip
        url = reverse("admin:detainees_case_edit", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Edit the whole case on one screen"))

    @admin.display(description=_("Status"), ordering="status")
    def status_display(self, obj):
        return obj.get_status_display()

    @admin.display(description=_("Held by"), ordering="held_by")
    def held_by_display(self, obj):
        return obj.held_by.name if obj.held_by else "—"


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
    autocomplete_fields = ["sources", "charges", "combines"]
    fields = [
        ("court", "court_city", "court_country"),
        ("sentenced_on", "sentenced_on_precision", "in_absentia", "closed_trial"),
        ("term_months", "is_life", "is_death", "is_suspended", "fine_amount", "fine_currency"),
        ("counted_from", "counted_from_precision"),
        ("combines", "combination"),
        "charges",
        "sources",
    ]


class TransferInline(admin.StackedInline):  # stacked: as a table its sources box pushed the page past 1280 px
    model = Transfer
    extra = 0
    autocomplete_fields = ["sources"]
    fields = [("moved_on", "moved_on_precision"), ("facility_name", "facility_kind"), "sources"]


class CustodyExtensionInline(admin.StackedInline):
    model = CustodyExtension
    extra = 0
    autocomplete_fields = ["sources"]
    fields = [("decided_on", "decided_on_precision", "court"), ("extended_to", "extended_to_precision"), "description",
              "sources"]  # fmt: skip


class CounselInline(admin.StackedInline):
    model = Counsel
    extra = 0
    autocomplete_fields = ["sources"]
    fields = [("name", "role"), "note", "sources"]


@admin.register(Detention)
class DetentionAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ["detainee", "held_by", "detained_on", "released_on", "end_reason"]
    list_filter = [("held_by", CountryFilter), "end_reason", "detainee__is_published"]
    list_select_related = ["detainee"]
    search_fields = ["detainee__name", "detainee__name_original", "place", "circumstances"]
    autocomplete_fields = ["detainee", "sources", "held_by_group"]
    date_hierarchy = "detained_on"
    inlines = [ChargeInline, SentenceInline, TransferInline, CustodyExtensionInline, CounselInline, ClaimInline]
    fieldsets = [
        (None, {"fields": ["detainee", ("held_by", "held_by_group"), "place", "circumstances"]}),
        (_("Still held"), {"fields": [("last_confirmed_on", "last_confirmed_on_precision")]}),
        (_("Detained"), {"fields": [("detained_on", "detained_on_precision")], "description": DATE_PAIR_HELP}),
        (
            _("End of custody"),
            {
                "fields": [("released_on", "released_on_precision"), "end_reason"],
                "description": _(
                    "Extradited or handed to another state? End this custody with that reason and add "
                    "the next holder's custody as the person's next detention."
                ),
            },
        ),
        (_("Sources"), {"fields": ["sources"]}),
    ]

    def view_on_site(self, obj):
        return obj.detainee.get_absolute_url()


@admin.register(Charge)
class ChargeAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
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
class SentenceAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    form = SentenceAdminForm
    list_display = ["__str__", "detention", "court"]
    list_select_related = ["detention__detainee"]
    list_filter = ["is_life", "in_absentia", "closed_trial"]
    search_fields = ["court", "court_city", "detention__detainee__name"]
    autocomplete_fields = ["detention", "charges", "combines", "sources"]
    date_hierarchy = "sentenced_on"
    inlines = [SentenceChangeInline]


@admin.register(Designation)
class DesignationAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ["detainee", "kind", "authority", "authority_country", "designated_on", "withdrawn_on"]
    list_filter = ["kind", ("authority_country", CountryFilter)]
    list_select_related = ["detainee"]
    search_fields = ["authority", "detainee__name"]
    autocomplete_fields = ["detainee", "sources"]
    date_hierarchy = "designated_on"


@admin.register(Transfer)
class TransferAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ["facility_name", "facility_kind", "detention", "moved_on"]
    list_filter = ["facility_kind"]
    list_select_related = ["detention__detainee"]
    search_fields = ["facility_name", "detention__detainee__name"]
    autocomplete_fields = ["detention", "sources"]
    date_hierarchy = "moved_on"


@admin.register(CustodyExtension)
class CustodyExtensionAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "detention", "court", "decided_on"]
    list_select_related = ["detention__detainee"]
    search_fields = ["court", "description", "detention__detainee__name"]
    autocomplete_fields = ["detention", "sources"]
    date_hierarchy = "decided_on"


@admin.register(Counsel)
class CounselAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "role", "detention"]
    list_filter = ["role"]
    list_select_related = ["detention__detainee"]
    search_fields = ["name", "detention__detainee__name"]
    autocomplete_fields = ["detention", "sources"]


@admin.register(SentenceChange)
class SentenceChangeAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "sentence", "new_term_months"]
    list_filter = ["kind"]
    search_fields = ["court", "description", "sentence__detention__detainee__name"]
    autocomplete_fields = ["sentence", "sources"]
    date_hierarchy = "changed_on"


@admin.register(Group)
class GroupAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "country"]
    list_filter = ["kind", ("country", CountryFilter)]
    search_fields = ["name", "name_original", "search_key"]
    readonly_fields = ["slug"]


# h9: where merged-away ids now point (written by merge_detainees; editors may correct or add one by hand).
@admin.register(MergedDetainee)
class MergedDetaineeAdmin(admin.ModelAdmin):
    """Ids and case-page addresses of records merged into others: each answers 301 with the record it became."""

    list_display = ["merged_id", "merged_name", "into", "was_published", "created_at"]
    search_fields = ["merged_name", "=merged_id", "merged_slug"]
    autocomplete_fields = ["into"]
    fields = ["merged_id", "merged_slug", "merged_name", "was_published", "into"]

    def get_readonly_fields(self, request, obj=None):
        return ["merged_id", "merged_slug"] if obj is not None else []
