"""Tombstones for mirrors: `/api/v1/deletions/?since=…` lists what left the public dataset.

A record leaves it when it is deleted, or (a detainee or an exchange) when it goes back to draft. Together with
`updated_since` on every list, a mirror stays in step without downloading everything again. Records that were never
public do not appear, so the list reveals nothing about drafts.
"""

from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from common.api import ERRORS, TrackerPagination
from common.filters import to_utc

RESOURCES = {
    "outlets": "sources.Outlet", "sources": "sources.Source", "statements": "sources.Statement",
    "detainees": "detainees.Detainee", "detentions": "detainees.Detention", "charges": "detainees.Charge",
    "sentences": "detainees.Sentence", "transfers": "detainees.Transfer", "designations": "detainees.Designation",
    "exchanges": "exchanges.Exchange",
}  # fmt: skip
# How a record inside a case reaches its detainee, through the history tables (the records may be gone too).
CASE_PATH = {"detentions": [], "designations": [], "charges": ["detention"], "sentences": ["detention"],
             "transfers": ["detention"]}  # fmt: skip


def case_of(resource: str, record) -> int | None:
    """The detainee id a deleted record belonged to, read from history (its detention may be deleted as well)."""
    for step in CASE_PATH[resource]:
        model = apps.get_model("detainees", step)
        earlier = model.history.filter(id=getattr(record, f"{step}_id")).order_by("-history_date").first()
        if earlier is None:
            return None
        record = earlier
    return record.detainee_id


def was_public_between(detainee_id: int, start, end) -> bool:
    """Whether the case was published at any moment from `start` to `end` (read from its history)."""
    history = apps.get_model("detainees.Detainee").history.filter(id=detainee_id).order_by("history_date")
    at_start = history.filter(history_date__lte=start).last()
    return (
        bool(at_start and at_start.is_published)
        or history.filter(history_date__gt=start, history_date__lte=end, is_published=True).exists()
    )


def tombstones(since) -> list[dict]:
    """Records that left the public dataset; a record never public (a draft, or inside a case that was a draft all
    its life) leaves no tombstone, so the feed reveals nothing about drafts."""
    rows = []
    for resource, label in RESOURCES.items():
        model = apps.get_model(label)
        deleted = model.history.filter(history_type="-")
        if since:
            deleted = deleted.filter(history_date__gte=since)
        for record in deleted.order_by("history_date"):
            if hasattr(record, "is_published") and not model.history.filter(id=record.id, is_published=True).exists():
                continue  # a draft that was never public
            if resource in CASE_PATH:
                owner = case_of(resource, record)
                born = model.history.filter(id=record.id).order_by("history_date").first().history_date
                if owner is None or not was_public_between(owner, born, record.history_date):
                    continue  # inside a case that was a draft all the while the record existed
            rows.append({"resource": resource, "id": record.id, "at": record.history_date, "reason": "deleted"})
    for resource in ("detainees", "exchanges"):
        model = apps.get_model(RESOURCES[resource])
        changed = model.history.filter(history_type="~", is_published=False)
        if since:
            changed = changed.filter(history_date__gte=since)
        for record in changed.order_by("history_date"):
            earlier = model.history.filter(id=record.id, history_date__lt=record.history_date).order_by("-history_date")
            still_draft = model._default_manager.filter(pk=record.id, is_published=False).exists()
            if still_draft and earlier.filter(is_published=True).exists() and earlier.first().is_published:
                rows.append({"resource": resource, "id": record.id, "at": record.history_date,
                             "reason": "unpublished"})  # fmt: skip
    return sorted(rows, key=lambda r: (r["at"], r["resource"], r["id"]))


class TombstoneSerializer(serializers.Serializer):
    resource = serializers.ChoiceField(choices=list(RESOURCES), help_text=_("The API list the record was in."))
    id = serializers.IntegerField()
    at = serializers.DateTimeField(help_text=_("When it left the public dataset."))
    reason = serializers.ChoiceField(choices=["deleted", "unpublished"])


class TombstonePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TombstoneSerializer(many=True)


class DeletionsView(APIView):
    """What left the public dataset since a time: deleted records, and detainees or exchanges back in draft."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATETIME, description=_("Only what left at or after this time.")),
            OpenApiParameter("page", {"type": "integer", "minimum": 1}, description=_("Page number, from 1.")),
            OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": 500},
                             description=_("Results per page: default 50, at most 500.")),
        ],
        responses={200: TombstonePageSerializer, 400: ERRORS[400]},
    )  # fmt: skip
    def get(self, request):
        unknown = sorted(set(request.query_params) - {"since", "page", "page_size", "format"})
        if unknown:
            raise ValidationError(
                {name: ["Unknown query parameter. Known: since, page, page_size."] for name in unknown}
            )
        since = None
        if request.query_params.get("since"):
            try:
                since = to_utc(IsoDateTimeField().clean(request.query_params["since"]))
            except DjangoValidationError as exc:
                raise ValidationError({"since": exc.messages}) from exc
        paginator = TrackerPagination()
        page = paginator.paginate_queryset(tombstones(since), request, view=self)
        return paginator.get_paginated_response(page)
