"""API pieces every resource shares: strict filters, pagination, field selection, CSV, model validation."""

import csv
import datetime
import functools
import hashlib
import io
import json
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import InvalidPage
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.http import http_date
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import pagination, renderers, serializers, status, viewsets
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.cache import CachedCountPaginator

RESERVED_PARAMS = {"page", "page_size", "format", "fields"}
MAX_PAGE_SIZE = 500


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, plus a 400 naming any query parameter the endpoint does not know.

    A typo such as `citizenshp=US` must not silently return everything.
    """

    def filter_queryset(self, request, queryset, view):
        self.check_known(request, view, queryset)
        return super().filter_queryset(request, queryset, view)

    def check_known(self, request, view, queryset) -> None:
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(RESERVED_PARAMS)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError(
                {name: [f"Unknown query parameter. Known parameters: {', '.join(sorted(known))}."] for name in unknown}
            )


class TrackerPagination(pagination.PageNumberPagination):
    """`page` and `page_size` (default 50, at most 500); a bad value of either is a 400 naming it."""

    page_size = 50
    django_paginator_class = CachedCountPaginator  # `count` is exact, counted once per data version
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.page_query_param, "required": False, "in": "query",
             "description": "Page number, from 1.", "schema": {"type": "integer", "minimum": 1}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": f"Results per page: default {self.page_size}, at most {self.max_page_size}; "
                            "a larger value is a 400.",
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size}},
        ]  # fmt: skip

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({"page_size": ["A whole number from 1 to 500."]}) from None
        if not 1 <= size <= self.max_page_size:
            raise ValidationError({"page_size": [f"Must be from 1 to {self.max_page_size}; got {size}."]})
        return size

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        if not raw.isdigit() or int(raw) < 1:
            raise ValidationError({"page": ["A whole number of 1 or more."]})
        # The count is cached under the data version; reuse it if this request has read it already.
        self.django_paginator_class = functools.partial(CachedCountPaginator,
                                                        version=getattr(request, "data_version", None))  # fmt: skip
        try:
            return super().paginate_queryset(queryset, request, view)
        except Exception as exc:  # DRF turns InvalidPage into NotFound; a script wants to know which field
            if isinstance(exc.__cause__, InvalidPage) or "Invalid page" in str(exc):
                raise ValidationError({"page": [f"Page {raw} is beyond the last page."]}) from None
            raise


class CSVRenderer(renderers.BaseRenderer):
    """Announces `?format=csv`; list views stream the body themselves (see `CSVStreamMixin`)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Reached only for non-list responses (a detail, an error): one flattened row, or the error as JSON.
        if isinstance(data, dict) and "detail" not in data and not _looks_like_errors(data, renderer_context):
            out = io.StringIO()
            row = flatten(data)
            writer = csv.DictWriter(out, fieldnames=list(row))
            writer.writeheader()
            writer.writerow(row)
            return out.getvalue().encode()
        return json.dumps(data).encode()


def _looks_like_errors(data, renderer_context) -> bool:
    response = (renderer_context or {}).get("response")
    return response is not None and response.status_code >= 400


def flatten(row: dict) -> dict:
    """One CSV row: lists of plain values joined with "|", nested objects and lists of them as JSON."""
    flat = {}
    for key, value in row.items():
        if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
            flat[key] = "|".join("" if v is None else str(v) for v in value)
        elif isinstance(value, dict | list):
            flat[key] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        elif value is None:
            flat[key] = ""
        else:
            flat[key] = value
    return flat


class _Echo:
    def write(self, value):
        return value


def csv_stream(header: list[str], rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.DictWriter(_Echo(), fieldnames=header, extrasaction="ignore")
    yield "\ufeff"  # a byte-order mark so spreadsheet programs read UTF-8 names correctly
    yield writer.writeheader()
    for row in rows:
        yield writer.writerow(row)


class FieldSelectionMixin:
    """`?fields=name,status,detentions.held_by` keeps only those fields, nested ones included."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None or self.parent is not None and not isinstance(self.parent, serializers.ListSerializer):
            return
        raw = request.query_params.get("fields")
        if not raw:
            return
        self._selection = parse_field_selection(raw)
        unknown = sorted(set(self._selection) - set(self.fields))
        if unknown:
            raise ValidationError(
                {"fields": [f"Unknown field(s): {', '.join(unknown)}. Known: {', '.join(self.fields)}."]}
            )
        for name in list(self.fields):
            if name not in self._selection:
                self.fields.pop(name)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        selection = getattr(self, "_selection", None)
        return prune(data, selection) if selection else data


def parse_field_selection(raw: str) -> dict:
    """ "a,b.c,b.d" → {"a": {}, "b": {"c": {}, "d": {}}}."""
    tree: dict = {}
    for path in raw.split(","):
        node = tree
        for part in filter(None, path.strip().split(".")):
            node = node.setdefault(part, {})
    return tree


def prune(data, selection: dict):
    if not selection:
        return data
    if isinstance(data, list):
        return [prune(item, selection) for item in data]
    if isinstance(data, dict):
        return {k: prune(v, selection[k]) for k, v in data.items() if k in selection}
    return data


class ReadOnlyListsMixin:
    """Nested lists that are read-only here answer 400 when written, naming the field and where to write instead,
    rather than being silently ignored (a PATCH of a sentence with `changes` used to answer 200 and drop them)."""

    read_only_lists: dict[str, str] = {}

    def to_internal_value(self, data):
        given = [name for name in self.read_only_lists if hasattr(data, "keys") and name in data]
        if given:
            raise ValidationError({name: [f"Read-only here: {self.read_only_lists[name]}"] for name in given})
        return super().to_internal_value(data)


class ModelValidationMixin:
    """Run the model's own `full_clean()` on writes, so the API validates exactly as the admin does."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        concrete = {f.name for f in model._meta.concrete_fields}
        plain = {k: v for k, v in attrs.items() if k in concrete}
        instance = self.instance if self.instance is not None else model()
        original = {k: getattr(instance, k) for k in plain} if self.instance is not None else {}
        for key, value in plain.items():
            setattr(instance, key, value)
        # As a ModelForm does: derived (non-editable) fields and many-to-many ones are not the writer's to give.
        exclude = [f.name for f in model._meta.get_fields() if f.many_to_many or not getattr(f, "editable", True)]
        try:
            instance.full_clean(exclude=exclude)
            for key in plain:  # full_clean may normalise values (partial dates to the 1st)
                attrs[key] = getattr(instance, key)
        except DjangoValidationError as exc:
            raise ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            ) from exc
        finally:
            for key, value in original.items():
                setattr(instance, key, value)
        return attrs


class CSVStreamMixin:
    """`?format=csv` on a list streams every matching row (no pagination) in constant memory.

    Rows skip the serializer: plain columns come from `values()` on a server-side cursor, in chunks of
    `csv_chunk_size`; many-to-many ids and derived columns (`csv_extra`) are fetched once per chunk. The columns are
    the serializer's, less nested records, which have CSV endpoints of their own (a detainee's detentions are
    `/api/v1/detentions/?detainee=<id>&format=csv`).
    """

    csv_chunk_size = 2000

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) != "csv":
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        columns = self.csv_columns()
        response = StreamingHttpResponse(csv_stream(columns, self.iter_csv_rows(queryset, columns)),
                                         content_type="text/csv; charset=utf-8")  # fmt: skip
        response["Content-Disposition"] = f'attachment; filename="{self.basename}s.csv"'
        return response

    def csv_columns(self) -> "list[str]":
        fields = self.get_serializer().fields
        return [name for name, field in fields.items() if not isinstance(field, serializers.BaseSerializer)]

    def csv_extra(self, ids: "list[int]", rows: "list[dict]") -> "dict[int, dict]":
        """Derived columns for one chunk of records, keyed by id; viewsets add theirs."""
        return {}

    def iter_csv_rows(self, queryset, columns: "list[str]") -> Iterator[dict]:  # `list` is the view method here
        model = queryset.model
        opts = model._meta
        concrete = {f.name: f for f in opts.concrete_fields if f.name in columns or f.name == "id"}
        annotations = [c for c in columns if c in queryset.query.annotations]
        many = {f.name: f for f in opts.many_to_many if f.name in columns}
        api_url = self.request.build_absolute_uri(reverse(f"api:{self.basename}-detail", args=[999999999]))
        fields = self.get_serializer().fields
        self._csv_identity = next(n for n, f in fields.items() if isinstance(f, serializers.HyperlinkedIdentityField))
        html = "html_url" in columns and self.request.build_absolute_uri(self.csv_html_url_pattern())
        values = queryset.order_by(*(queryset.query.order_by or opts.ordering or ["pk"])).values(
            *concrete, *annotations
        )
        chunk = []
        for row in values.iterator(chunk_size=self.csv_chunk_size):  # a server-side cursor on PostgreSQL
            chunk.append(row)
            if len(chunk) >= self.csv_chunk_size:
                yield from self._csv_chunk(chunk, concrete, many, api_url, html)
                chunk = []
        if chunk:
            yield from self._csv_chunk(chunk, concrete, many, api_url, html)

    def csv_html_url_pattern(self) -> str:
        """The page address with "__slug__" or "__id__" in place of the record's own part."""
        return ""

    def _csv_chunk(self, chunk, concrete, many, api_url, html) -> Iterator[dict]:
        ids = [row["id"] for row in chunk]
        related = {}
        for name, field in many.items():
            through = field.remote_field.through
            own, other = field.m2m_field_name(), field.m2m_reverse_field_name()
            links = {}
            for a, b in through.objects.filter(**{f"{own}_id__in": ids}).values_list(f"{own}_id", f"{other}_id"):
                links.setdefault(a, []).append(b)
            related[name] = links
        extra = self.csv_extra(ids, chunk)
        for row in chunk:
            out = {}
            for name, value in row.items():
                field = concrete.get(name)
                if getattr(field, "multiple", False):  # several countries, stored "RU,US"
                    value = "|".join(v for v in (value or "").split(",") if v)
                elif isinstance(value, list):
                    value = "|".join(str(v) for v in value)
                elif isinstance(value, datetime.datetime):
                    value = value.isoformat().replace("+00:00", "Z")
                elif isinstance(value, datetime.date):
                    value = value.isoformat()
                elif value is None:
                    value = ""
                out[name] = value
            for name, links in related.items():
                out[name] = "|".join(str(v) for v in sorted(links.get(row["id"], [])))
            out[self._csv_identity] = api_url.replace("999999999", str(row["id"]))
            if html:
                out["html_url"] = html.replace("__slug__", str(row.get("slug", ""))).replace("__id__", str(row["id"]))
            out.update(extra.get(row["id"], {}))
            yield out


ERRORS = {
    400: OpenApiResponse(description="A bad filter value, page, page_size, fields or body; the JSON names the field."),
    404: OpenApiResponse(description="Unknown, or a draft the caller may not see."),
    429: OpenApiResponse(description="Too many requests from one anonymous client; see the Retry-After header."),
}
WRITE_ERRORS = {
    400: ERRORS[400],
    401: OpenApiResponse(description="No credentials: send `Authorization: Token <key>`."),
    403: OpenApiResponse(description="The user lacks the Django model permission for this write."),
    404: ERRORS[404],
    412: OpenApiResponse(description="If-Match does not match the record's current ETag: someone changed it."),
}
LIST_PARAMETERS = [
    OpenApiParameter(
        "fields", OpenApiTypes.STR, description="Only these fields, comma-separated; nested as `detentions.held_by`."
    ),  # fmt: skip
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        enum=["json", "csv"],
        description="`csv` streams every matching row (not paginated); lists of values are joined with `|`; "
        "nested records are left to their own endpoints' CSV, joined on ids.",
    ),  # fmt: skip
]


def documented(viewset):
    """Add the shared parameters and error responses to a viewset's schema."""
    serializer = viewset.serializer_class
    return extend_schema_view(
        list=extend_schema(parameters=LIST_PARAMETERS, responses={200: serializer(many=True), **ERRORS}),
        retrieve=extend_schema(parameters=LIST_PARAMETERS[:1], responses={200: serializer, 304: None, **ERRORS}),
        create=extend_schema(responses={201: serializer, **WRITE_ERRORS}),
        update=extend_schema(responses={200: serializer, **WRITE_ERRORS}),
        partial_update=extend_schema(responses={200: serializer, **WRITE_ERRORS}),
        destroy=extend_schema(responses={204: None, **WRITE_ERRORS}),
    )(viewset)


def representation_etag(data) -> str:
    """A strong ETag for a record's representation: it changes whenever anything shown changes."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f'"{digest}"'


class ConditionalMixin:
    """ETag and Last-Modified on details; If-None-Match gives 304, a stale If-Match on a write gives 412.

    Two editors who both loaded version A cannot both save: the second one's If-Match no longer matches.
    """

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return self.conditional_response(self.get_serializer(instance).data, getattr(instance, "updated_at", None))

    def conditional_response(self, data, updated_at) -> Response:
        etag = representation_etag(data)
        if etag in _etags(self.request.headers.get("If-None-Match", "")):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            response = Response(data)
        response["ETag"] = etag
        if updated_at:
            response["Last-Modified"] = http_date(updated_at.timestamp())
        return response

    def check_if_match(self, request, instance) -> None:
        wanted = request.headers.get("If-Match")
        if not wanted or wanted.strip() == "*":
            return
        current = representation_etag(self.get_serializer(instance).data)
        if current not in _etags(wanted):
            raise PreconditionFailed()

    def perform_update(self, serializer):
        self.check_if_match(self.request, serializer.instance)
        super().perform_update(serializer)

    def perform_destroy(self, instance):
        self.check_if_match(self.request, instance)
        super().perform_destroy(instance)

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        if response.status_code == 200:
            response["ETag"] = representation_etag(response.data)
        return response


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you loaded it (If-Match does not match its ETag). Reload and retry."
    default_code = "precondition_failed"


class TrackerViewSet(ConditionalMixin, CSVStreamMixin, viewsets.ModelViewSet):
    """Base of every API resource."""

    filter_backends = [StrictFilterBackend]
    pagination_class = TrackerPagination
    renderer_classes = [renderers.JSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]


def exception_handler(exc, context):
    """DRF's handler, plus model ValidationErrors (raised by services) as 400 with field names."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
