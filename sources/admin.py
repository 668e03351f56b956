"""Editors' workspace for outlets, sources, statements and disputed claims."""

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ChangeReasonAdminMixin
from common.csvimport import CarefulImportMixin

from .models import Claim, Official, Outlet, Source, Statement
from .resources import SourceResource


class ClaimInline(GenericTabularInline):
    """Disputed facts of a record, each with the source that asserts it."""

    model = Claim
    ct_field = "content_type"
    ct_fk_field = "object_id"
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["field", "value", "source", "note"]


@admin.register(Outlet)
class OutletAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "kind", "country", "website"]
    list_filter = ["kind", ("country", CountryFilter)]
    search_fields = ["name"]


@admin.register(Source)
class SourceAdmin(CarefulImportMixin, ChangeReasonAdminMixin, SimpleHistoryAdmin):
    resource_classes = [SourceResource]
    change_list_template = "admin/sources/source/change_list.html"
    list_display = ["title", "outlet", "published_on", "language", "url"]
    list_filter = ["outlet__kind", "language", ("outlet__country", CountryFilter)]
    list_select_related = ["outlet"]
    search_fields = ["title", "url", "author", "outlet__name"]
    autocomplete_fields = ["outlet", "via"]
    date_hierarchy = "published_on"
    fieldsets = [
        (None, {"fields": ["title", "headline_on_file", "url", "outlet", "via", "author", "language"]}),
        (_("Date"), {"fields": [("published_on", "published_on_precision")]}),
        (_("Content"), {"fields": ["summary", "summary_ru", "archive_url"]}),
        (_("Article text (staff only)"), {"fields": ["text", "intake_link"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["intake_link"]

    @admin.display(description=_("Matches"))
    def intake_link(self, obj):
        if not obj.pk or not obj.text:
            return "Paste the text and save to see the cases it names."
        return format_html('<a href="{}">Cases, officials and dates this article names</a>',
                           reverse("admin:detainees_intake_review", args=[obj.pk]))  # fmt: skip


@admin.register(Statement)
class StatementAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ["speaker", "speaker_role", "speaker_country", "said_on", "source"]
    list_filter = [("speaker_country", CountryFilter)]
    list_select_related = ["source__outlet"]
    search_fields = ["speaker", "speaker_role", "quote", "summary"]
    autocomplete_fields = ["source", "detainees", "exchanges", "official"]
    date_hierarchy = "said_on"
    fieldsets = [
        (
            None,
            {"fields": ["speaker", "official", "speaker_role", "speaker_country", ("said_on", "said_on_precision")]},
        ),  # fmt: skip
        (_("What was said"), {"fields": ["quote", "summary", "source"]}),
        (_("About"), {"fields": ["detainees", "exchanges"]}),
    ]


@admin.register(Claim)
class ClaimAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ["field", "value", "content_type", "object_id", "source"]
    list_filter = ["field", "content_type"]
    search_fields = ["field", "value", "note"]
    autocomplete_fields = ["source"]


@admin.register(Official)
class OfficialAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "role", "country"]
    list_filter = [("country", CountryFilter)]
    search_fields = ["name", "name_original", "search_key", "role"]
    readonly_fields = ["slug"]
