"""Tombstones for mirrors: `/api/v1/deletions/?since=…` lists what left the public dataset.

A record leaves it when it is deleted, or (a detainee or an exchange) when it goes back to draft. Together with
`updated_since` on every list, a mirror stays in step without downloading everything again. Records that were never
public do not appear, so the list reveals nothing about drafts.
"""

from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
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
CASE_PATH = {"detentions": "detainee_id", "designations": "detainee_id"}


def ever_public_detainees() -> set[int]:
    history = apps.get_model("detainees.Detainee").history
    return set(history.filter(is_published=True).values_list("id", flat=True).distinct())


def tombstones(since) -> list[dict]:
    rows = []
    public_people = ever_public_detainees()
    for resource, label in RESOURCES.items():
        model = apps.get_model(label)
        deleted = model.history.filter(history_type="-")
        if since:
            deleted = deleted.filter(history_date__gte=since)
        for record in deleted.order_by("history_date"):
            if hasattr(record, "is_published") and not model.history.filter(id=record.id, is_published=True).exists():
                continue  # a draft that was never public
            owner = getattr(record, CASE_PATH.get(resource, ""), None)
            if owner is not None and owner not in public_people:
                continue
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
    resource = serializers.ChoiceField(choices=list(RESOURCES), help_text="The API list the record was in.")
    id = serializers.IntegerField()
    at = serializers.DateTimeField(help_text="When it left the public dataset.")
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
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="Only what left at or after this time."),
            OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="Page number, from 1."),
            OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": 500},
                             description="Results per page: default 50, at most 500."),
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
