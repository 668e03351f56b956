"""The feed's doors: `/api/v1/changes/`, `/api/v1/deletions/`, `/api/v1/dump/` and `/api/v1/releases/`."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from common.api import ERRORS, TrackerPagination, unknown_parameter
from common.filters import MAX_ID, to_utc

from .models import Change, Published
from .publisher import localized
from .services import catch_up, origin_of
from .triggers import RESOURCES

NAMES = sorted(RESOURCES.values())
MAX_PAGE = 1000
TRUE, FALSE = {"1", "true", "yes"}, {"", "0", "false", "no"}


def _refuse_unknown(request, known: set[str]) -> None:
    unknown = sorted(set(request.query_params) - known - {"format"})
    if unknown:  # a typo must not silently give everything, as on every list
        raise ValidationError({name: [unknown_parameter(known)] for name in unknown})


def _whole(request, name: str, default: int, low: int, high: int | None = None) -> int:
    raw = request.query_params.get(name, "")
    if raw == "":
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        if high is not None:
            message = _("A whole number from %(lo)d to %(hi)d.") % {"lo": low, "hi": high}
        else:
            message = _("A whole number from %(lo)d or more.") % {"lo": low}
        raise ValidationError({name: [message]})
    return int(raw)


def _resources(request) -> list[str]:
    raw = [part.strip() for value in request.query_params.getlist("resource") for part in value.split(",")]
    raw = [part for part in raw if part]
    bad = sorted(set(raw) - set(NAMES))
    if bad:
        raise ValidationError({"resource": [_("Unknown resource %(bad)s. Known: %(known)s.")
                                             % {"bad": ", ".join(bad), "known": ", ".join(NAMES)}]})
    return raw


class ChangeSerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text="The event's place in the feed; strictly increasing.")
    resource = serializers.ChoiceField(choices=NAMES, help_text="The API list of the record.")
    id = serializers.IntegerField(help_text="The record's id in that list.")
    op = serializers.ChoiceField(choices=["upsert", "delete"], help_text="Came into view or changed; or left it.")
    at = serializers.DateTimeField(help_text="When the event was published.")
    document = serializers.JSONField(required=False, allow_null=True,
                                     help_text="With `documents=true`: the record as its API detail gave it then "
                                               "(null for a delete).")  # fmt: skip
    merged_into = serializers.IntegerField(required=False, help_text="On the delete of a case merged into another: "
                                           "the id of the case it became (its old URLs answer 301 there).")


class ChangesView(APIView):
    """The change feed: every change to what an anonymous visitor can see, in one total order.

    Page with `after=<seq>` (0 or absent: from the start); `next` is the address of the following page, null when
    this one reached the end; `cursor` is what to send as `after` next time (the feed's last seq read, also when the
    page is empty or filtered). An event never appears with a seq lower than one already read."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="The change feed",
        parameters=[
            OpenApiParameter("after", {"type": "integer", "minimum": 0}, description="Events after this seq."),
            OpenApiParameter("resource", {"type": "array", "items": {"type": "string", "enum": NAMES}},
                             description="Only these lists (repeat, or comma-separated)."),
            OpenApiParameter("documents", OpenApiTypes.BOOL, description="Include each record's document inline."),
            OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
                             description=f"Events per page: default 100, at most {MAX_PAGE}."),
        ],
        responses={200: inline_serializer("ChangePage", {
            "cursor": serializers.IntegerField(help_text="Send as `after` next time."),
            "next": serializers.URLField(allow_null=True), "results": ChangeSerializer(many=True)}),
            400: ERRORS[400]},
    )  # fmt: skip
    def get(self, request):
        _refuse_unknown(request, {"after", "resource", "documents", "page_size"})
        after = _whole(request, "after", 0, 0, MAX_ID)
        size = _whole(request, "page_size", 100, 1, MAX_PAGE)
        resources = _resources(request)
        inline = request.query_params.get("documents", "").lower()
        if inline not in TRUE | FALSE:
            raise ValidationError({"documents": [_("true or false.")]})
        catch_up()
        # The head first, then the events up to it: whatever commits meanwhile comes after the cursor given.
        head = Change.objects.aggregate(head=Max("seq"))["head"] or 0
        events = Change.objects.filter(seq__gt=after, seq__lte=head).order_by("seq")
        if resources:
            events = events.filter(resource__in=resources)
        fields = ["seq", "resource", "object_id", "op", "at", *(["document"] if inline in TRUE else [])]
        rows = list(events.values(*fields)[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        cursor = rows[-1]["seq"] if more else max(head, after)
        origin = origin_of(request)
        results = []
        for row in rows:
            item = {"seq": row["seq"], "resource": row["resource"], "id": row["object_id"], "op": row["op"],
                    "at": serializers.DateTimeField().to_representation(row["at"])}  # fmt: skip
            if "document" in row:
                item["document"] = localized(row["document"], origin) if row["op"] == "upsert" else None
            results.append(item)
        merged = dict(Change.objects.filter(seq__in=[r["seq"] for r in rows if r["op"] == "delete"],
                                            resource="detainees", document__isnull=False)
                      .values_list("seq", "document"))  # fmt: skip
        for item in results:  # a case merged into another: its delete names the survivor
            if item["seq"] in merged and merged[item["seq"]].get("merged_into"):
                item["merged_into"] = merged[item["seq"]]["merged_into"]
        url = request.build_absolute_uri()
        return Response({"cursor": cursor, "next": replace_query_param(url, "after", cursor) if more else None,
                         "results": results})  # fmt: skip


class TombstoneSerializer(serializers.Serializer):
    resource = serializers.ChoiceField(choices=NAMES, help_text="The API list the record was in.")
    id = serializers.IntegerField()
    seq = serializers.IntegerField(help_text="The feed's delete event.")
    at = serializers.DateTimeField(help_text="When it left the public dataset.")
    reason = serializers.ChoiceField(choices=["deleted", "unpublished"],
                                     help_text="Deleted, or still on file but no longer public.")  # fmt: skip


class DeletionsView(APIView):
    """What left the public dataset and has not come back: the records whose last event in the feed is a delete.
    A record never public (a draft) is never listed."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATETIME, description="Only what left at or after this time."),
            OpenApiParameter("after", {"type": "integer", "minimum": 0}, description="Only what left after this seq."),
            OpenApiParameter("resource", {"type": "array", "items": {"type": "string", "enum": NAMES}},
                             description="Only these lists (repeat, or comma-separated)."),
            OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="Page number, from 1."),
            OpenApiParameter("page_size", {"type": "integer", "minimum": 1, "maximum": 500},
                             description="Results per page: default 50, at most 500."),
        ],
        responses={200: inline_serializer("TombstonePage", {
            "count": serializers.IntegerField(), "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True), "results": TombstoneSerializer(many=True)}),
            400: ERRORS[400]},
    )  # fmt: skip
    def get(self, request):
        _refuse_unknown(request, {"since", "after", "resource", "page", "page_size"})
        deleted = Published.objects.filter(op=Change.Op.DELETE)
        if request.query_params.get("since"):
            try:
                since = to_utc(IsoDateTimeField().clean(request.query_params["since"]))
            except DjangoValidationError as exc:
                raise ValidationError({"since": exc.messages}) from exc
            deleted = deleted.filter(at__gte=since)
        after = _whole(request, "after", 0, 0, MAX_ID)
        if after:
            deleted = deleted.filter(seq__gt=after)
        resources = _resources(request)
        if resources:
            deleted = deleted.filter(resource__in=resources)
        catch_up()
        paginator = TrackerPagination()
        page = paginator.paginate_queryset(deleted.order_by("seq").values("resource", "object_id", "seq", "at",
                                                                          "reason"), request, view=self)  # fmt: skip
        return paginator.get_paginated_response([
            {"resource": row["resource"], "id": row["object_id"], "seq": row["seq"],
             "at": serializers.DateTimeField().to_representation(row["at"]), "reason": row["reason"]}
            for row in page
        ])  # fmt: skip
