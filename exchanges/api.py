"""API viewset of exchanges."""

import csv
import io

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ERRORS, CSVRenderer, TrackerViewSet, WithdrawPublicationMixin, documented

from .filters import ExchangeFilter, ParticipantFilter
from .flows import FlowFilterForm, flow_document, flows_for
from .models import Exchange, ExchangeCount, ExchangeParticipant
from .serializers import ExchangeSerializer, ParticipantResourceSerializer


@documented
class ExchangeViewSet(WithdrawPublicationMixin, TrackerViewSet):
    """Prisoner exchanges, with who went which way; participants are writable in the same request."""

    queryset = Exchange.objects.all()
    serializer_class = ExchangeSerializer
    filterset_class = ExchangeFilter

    def csv_html_url_pattern(self):
        return reverse("exchanges:exchange-detail", args=["__slug__"])

    def csv_columns(self):
        fields = self.get_serializer().fields  # after `fields=`: only the columns asked for
        return [*super().csv_columns(), *(name for name in ("participants", "counts") if name in fields)]

    def csv_extra(self, ids, rows):
        """`participants` as "detainee id:released_by>received_by" and `counts` as "number:released_by>received_by"
        joined by "|", a group written "group:<id>"; `countries` as codes; `people_total` the sum."""
        people = ExchangeParticipant.objects.visible_to(self.request.user).filter(exchange_id__in=ids)
        lines: dict[int, list[str]] = {pk: [] for pk in ids}
        counted: dict[int, list[str]] = {pk: [] for pk in ids}
        totals: dict[int, int] = dict.fromkeys(ids, 0)
        parties: dict[int, set[str]] = {pk: set() for pk in ids}
        sides = ("released_by", "released_by_group_id", "received_by", "received_by_group_id")

        def side(code, group_id):
            return f"group:{group_id}" if group_id else code

        for exchange_id, detainee_id, a, ag, b, bg in people.order_by("id").values_list(
            "exchange_id", "detainee_id", *sides
        ):
            lines[exchange_id].append(f"{detainee_id}:{side(a, ag)}>{side(b, bg)}")
            parties[exchange_id] |= {a, b} - {""}
            totals[exchange_id] += 1
        for exchange_id, number, a, ag, b, bg in (
            ExchangeCount.objects.filter(exchange_id__in=ids)
            .order_by("id")
            .values_list("exchange_id", "number", *sides)
        ):
            counted[exchange_id].append(f"{number}:{side(a, ag)}>{side(b, bg)}")
            parties[exchange_id] |= {a, b} - {""}
            totals[exchange_id] += number
        mediators = {row["id"]: {c for c in (row.get("mediators") or "").split(",") if c} for row in rows}
        return {pk: {"participants": "|".join(lines[pk]), "counts": "|".join(counted[pk]),
                     "people_total": totals[pk], "countries": "|".join(sorted(parties[pk] | mediators[pk]))}
                for pk in ids}  # fmt: skip

    def get_queryset(self):
        user = self.request.user
        return Exchange.objects.visible_to(user).with_participants(user).prefetch_related("sources")


@documented
class ParticipantViewSet(TrackerViewSet):
    """Who went which way in each exchange, one row per person, with the note; read-only (write them through
    their exchange). The public sees a participant when both the exchange and the person are published."""

    queryset = ExchangeParticipant.objects.all()
    serializer_class = ParticipantResourceSerializer
    filterset_class = ParticipantFilter
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return ExchangeParticipant.objects.visible_to(self.request.user)

    CSV_NAMES = ("detainee_name", "detainee_html_url", "released_by_name", "received_by_name")

    def csv_columns(self):
        """The CSV names the person and both sides beside their ids and codes (h59: an exchange page's list of who
        went which way, for a researcher's spreadsheet)."""
        columns = super().csv_columns()
        return [*columns, *self.CSV_NAMES] if "detainee" in columns else columns

    def csv_extra(self, ids, rows):
        from detainees.models import captor_name

        page = self.request.build_absolute_uri(reverse("detainees:detainee-detail", args=["__slug__"]))
        extra = {}
        for p in ExchangeParticipant.objects.filter(pk__in=ids).select_related(
            "detainee", "released_by_group", "received_by_group"
        ):
            extra[p.pk] = {
                "detainee_name": p.detainee.name,
                "detainee_html_url": page.replace("__slug__", p.detainee.slug),
                "released_by_name": captor_name(p.released_by, p.released_by_group, ""),
                "received_by_name": captor_name(p.received_by, p.received_by_group, ""),
            }
        return extra


class FlowsCSVRenderer(CSVRenderer):
    """One CSV row per direction; the named people joined with "|" (names, then their pages)."""

    COLUMNS = ["released_by", "released_by_name", "received_by", "received_by_name", "number", "named", "counted",
               "people", "people_urls"]  # fmt: skip

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not isinstance(data, dict) or "flows" not in data:
            return super().render(data, accepted_media_type, renderer_context)
        out = io.StringIO()
        out.write("\ufeff")  # spreadsheets then read Cyrillic names as UTF-8, as on every CSV of the API
        writer = csv.DictWriter(out, fieldnames=self.COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for flow in data["flows"]:
            writer.writerow({**flow, "people": "|".join(p["name"] for p in flow["people"]),
                             "people_urls": "|".join(p["html_url"] for p in flow["people"])})  # fmt: skip
        return out.getvalue().encode()


YEAR = {"type": "integer", "minimum": 1900, "maximum": 2100}


class FlowsView(APIView):
    """`/api/v1/flows/`: who was released by whom to whom, added up over completed exchanges, with the named people.

    The same filters and figures as the flows page (`/flows/`); `?format=csv` gives one row per direction.
    """

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, FlowsCSVRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400 and getattr(request, "accepted_renderer", None) is not None:
            # An error is JSON and says so, even when CSV was asked for (as on every list of the API).
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        operation_id="flows_list",
        summary="List the flows between states",
        tags=["flows"],
        parameters=[
            OpenApiParameter("year_from", YEAR, description="Exchanges in or after this year."),
            OpenApiParameter("year_to", YEAR, description="Exchanges in or before this year."),
            OpenApiParameter("country", {"type": "array", "items": {"$ref": "#/components/schemas/CountryEnum"}},
                             explode=True, style="form",
                             description="Flows released or received by this country; repeat for several."),
            OpenApiParameter("format", str, enum=["json", "csv"], description="`csv`: one row per direction."),
        ],
        responses={
            200: OpenApiResponse(description='{"total", "named", "counted", "flows": [{"released_by", '
                                 '"released_by_name", "received_by", "received_by_name", "number", "named", '
                                 '"counted", "people": [{"name", "html_url"}]}]}'),
            400: OpenApiResponse(description="An unknown parameter or a bad value, named."),
            404: OpenApiResponse(description="A `format` other than json or csv."),
            429: ERRORS[429],
        },
    )  # fmt: skip
    def get(self, request):
        unknown = sorted(set(request.query_params) - FlowFilterForm.KNOWN - {"format"})
        if unknown:
            known = ", ".join(sorted(FlowFilterForm.KNOWN | {"format"}))
            raise ValidationError({name: [f"Unknown query parameter. Known parameters: {known}."] for name in unknown})
        form, flows, _ = flows_for(request.query_params)
        if form.errors:
            raise ValidationError(form.errors)

        # one reverse() for all: at 15,000 people, one each cost most of the response time
        pattern = request.build_absolute_uri(reverse("detainees:detainee-detail", args=["__slug__"]))

        def url_of(slug: str) -> str:
            return pattern.replace("__slug__", slug)

        response = Response(flow_document(flows, url_of))
        if getattr(request.accepted_renderer, "format", "") == "csv":
            response["Content-Disposition"] = 'attachment; filename="flows.csv"'
        return response
