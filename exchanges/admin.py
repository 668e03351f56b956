"""Editors' workspace for exchanges."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter
from simple_history.admin import SimpleHistoryAdmin

from common.admin import ChangeReasonAdminMixin
from detainees.admin import PublishActionsMixin
from sources.admin import ClaimInline

from .models import Exchange, ExchangeCount, ExchangeParticipant
from .services import publish_problems


class ParticipantInline(admin.TabularInline):
    model = ExchangeParticipant
    extra = 2
    autocomplete_fields = ["detainee", "released_by_group", "received_by_group"]
    fields = ["detainee", "released_by", "released_by_group", "received_by", "received_by_group", "note"]


class CountInline(admin.TabularInline):
    model = ExchangeCount
    extra = 0
    autocomplete_fields = ["released_by_group", "received_by_group"]
    fields = ["released_by", "released_by_group", "received_by", "received_by_group", "number", "description"]


@admin.register(Exchange)
class ExchangeAdmin(PublishActionsMixin, ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "date", "place", "place_country", "status", "participant_count", "is_published"]
    list_filter = ["is_published", "status", ("place_country", CountryFilter)]
    search_fields = ["name", "name_ru", "place", "place_ru", "description"]
    autocomplete_fields = ["sources"]
    readonly_fields = ["slug", "created_at", "updated_at"]
    date_hierarchy = "date"
    inlines = [ParticipantInline, CountInline, ClaimInline]
    fieldsets = [
        (None, {"fields": ["name", "name_ru", "status", ("date", "date_precision"), ("place", "place_country"),
                           "place_ru", "mediators"]}),
        (_("Account"), {"fields": ["description", "description_ru", "sources"]}),
        (_("Publication"), {"fields": ["is_published", "slug", ("created_at", "updated_at")]}),
    ]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_participants=Count("participants"))

    def publish_problems(self, obj):
        return publish_problems(obj)

    @admin.display(description=_("People"), ordering="n_participants")
    def participant_count(self, obj):
        return obj.n_participants


@admin.register(ExchangeParticipant)
class ExchangeParticipantAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ["detainee", "exchange", "released_by", "received_by"]
    list_filter = [("released_by", CountryFilter), ("received_by", CountryFilter)]
    list_select_related = ["detainee", "exchange"]
    search_fields = ["detainee__name", "exchange__name"]
    autocomplete_fields = ["exchange", "detainee"]


@admin.register(ExchangeCount)
class ExchangeCountAdmin(ChangeReasonAdminMixin, SimpleHistoryAdmin):
    list_display = ["exchange", "released_by", "received_by", "number", "description"]
    list_select_related = ["exchange"]
    search_fields = ["exchange__name", "description"]
    autocomplete_fields = ["exchange", "released_by_group", "received_by_group"]
