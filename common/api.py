"""API pieces every resource shares: strict filters, pagination, field selection, CSV, model validation."""

import base64
import copy
import csv
import datetime
import decimal
import functools
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator

import orjson
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import InvalidPage
from django.core.signals import setting_changed
from django.db.models import F, ProtectedError, Q, RestrictedError, UniqueConstraint
from django.dispatch import receiver
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import pagination, parsers, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from common import integrity, reasons
from common.cache import CachedCountPaginator
from common.csvsafe import neutralise
from common.integrity import UnsourcedFacts, checked_writes, lock_record
from common.models import review_state_of

RESERVED_PARAMS = {"page", "page_size", "cursor", "format", "fields"}
MAX_PAGE_SIZE = 500


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, plus a 400 naming any query parameter the endpoint does not know.

    A typo such as `citizenshp=US` must not silently return everything.
    """

    def filter_queryset(self, request, queryset, view):
        self.check_known(request, view, queryset)
        if request.method in ("PUT", "PATCH", "DELETE") and not request.query_params:
            # A write names its record and no filter: the FilterSet, bound to nothing, would filter nothing (each
            # filter passes an empty value by), and building and validating its form cost a write ~3 ms of CPU.
            return stable_order(queryset)
        return stable_order(super().filter_queryset(request, queryset, view))

    def get_filterset(self, request, queryset, view):
        """As django-filter's; kept on the view (`view.bound_filterset`), which may read its cleaned values again
        (the detainee list's stored count) instead of building and validating a second one."""
        filterset = super().get_filterset(request, queryset, view)
        view.bound_filterset = filterset
        return filterset

    def check_known(self, request, view, queryset) -> None:
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(RESERVED_PARAMS)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError({name: [unknown_parameter(known)] for name in unknown})


def unknown_parameter(known) -> str:
    """The error a query parameter no one knows gets (a typo must not silently give everything), in the language
    the request's Accept-Language asks for."""
    return gettext("Unknown query parameter. Known parameters: %(known)s.") % {"known": ", ".join(sorted(known))}


def stable_order(queryset):
    """The queryset's ordering (explicit, or the model's), made total and the same on every database: nullable
    columns sort their NULLs last in both directions (SQLite and PostgreSQL disagree by default), and `id` ends it,
    so that records that tie (six people named "Ivan Petrov") are neither skipped nor repeated between pages."""
    opts = queryset.model._meta
    order = list(queryset.query.order_by or opts.ordering or [])
    nullable = {f.name for f in opts.concrete_fields if f.null} | {f.attname for f in opts.concrete_fields if f.null}
    stable, names = [], set()
    for item in order:
        if isinstance(item, str) and item.lstrip("-") in nullable:
            name = item.lstrip("-")
            item = F(name).desc(nulls_last=True) if item.startswith("-") else F(name).asc(nulls_last=True)
        stable.append(item)
        expression = getattr(item, "expression", None)
        names.add(expression.name if isinstance(expression, F) else str(item).lstrip("-"))
    if not names & {"id", "pk"}:
        stable.append("id")
    return queryset.order_by(*stable)


class KeysetCursor:
    """`?cursor=`: pages whose cost does not grow with depth (a keyset, not an offset), in the list's order.

    The order is the one the filter backend settled on (`stable_order`: `ordering`, or `id` when none is asked), which
    always ends in `id` and sorts NULLs last, so the keys of a row place it exactly. A cursor carries the keys of the
    row it follows (or precedes), and the names of those keys: a cursor made under one `ordering` is refused (400) under
    another rather than giving a page that skips or repeats.
    """

    invalid_message = "Invalid cursor: use the `next` or `previous` link of a page, or an empty cursor to start."

    def __init__(self, request, queryset, page_size: int):
        self.request, self.page_size = request, page_size
        self.keys = order_keys(queryset)
        self.names = [name for name, _desc, _nulls in self.keys]
        annotated = {f"_key{i}": F(name) for i, name in enumerate(self.names) if name not in ("id", "pk")}
        self.queryset = queryset.annotate(**annotated) if annotated else queryset
        self.fields = [f"_key{i}" if name not in ("id", "pk") else "id" for i, name in enumerate(self.names)]

    def paginate(self) -> list:
        direction, values = self.decode()
        queryset = self.queryset
        if values is not None:
            try:
                queryset = queryset.filter(self.beyond(values, forward=direction == "next"))
            except (DjangoValidationError, ValueError, TypeError):
                raise ValidationError({"cursor": [self.invalid_message]}) from None
        if direction == "previous":
            queryset = queryset.order_by(*self.ordering(reverse=True))
        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if direction == "previous":
            rows.reverse()
            self.has_next, self.has_previous = bool(rows) or values is not None, more
        else:
            self.has_next, self.has_previous = more, values is not None
        self.rows = rows
        return rows

    def ordering(self, reverse: bool = False) -> list:
        order = []
        for field, (_name, desc, nulls_last) in zip(self.fields, self.keys, strict=True):
            desc = desc != reverse
            nulls = {"nulls_first": True} if nulls_last and reverse else {"nulls_last": True} if nulls_last else {}
            order.append(F(field).desc(**nulls) if desc else F(field).asc(**nulls))
        return order

    def beyond(self, values: list, forward: bool) -> Q:
        """Rows after (forward) or before the row whose keys are `values`: a lexicographic comparison, NULLs last."""
        condition, equal = Q(pk__in=[]), Q()
        for field, (_name, desc, nulls_last), value in zip(self.fields, self.keys, values, strict=True):
            if forward:
                if value is None:
                    step = Q(pk__in=[])  # nothing sorts after a NULL within this key
                else:
                    step = Q(**{f"{field}__{'lt' if desc else 'gt'}": value})
                    if nulls_last:
                        step |= Q(**{f"{field}__isnull": True})
            else:
                step = (Q(**{f"{field}__isnull": False}) if value is None
                        else Q(**{f"{field}__{'gt' if desc else 'lt'}": value}))  # fmt: skip
            condition |= equal & step
            equal &= Q(**{f"{field}__isnull": True}) if value is None else Q(**{field: value})
        return condition

    def decode(self) -> tuple[str, list | None]:
        raw = self.request.query_params.get("cursor")
        if not raw:
            return "next", None  # `cursor=` (empty) starts at the beginning
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode() + b"=" * (-len(raw) % 4)))
            direction, names, values = data["d"], data["k"], data["v"]
            valid = (direction in ("next", "previous") and isinstance(values, list) and len(values) == len(names)
                     and all(plain_key(value) for value in values))  # fmt: skip
        except Exception:  # any garbage: a 400 naming the parameter, never a 500
            raise ValidationError({"cursor": [self.invalid_message]}) from None
        if not valid:
            raise ValidationError({"cursor": [self.invalid_message]})
        if names != self.names:
            raise ValidationError({"cursor": [_(
                "This cursor was made for another order (%(order)s); keep the `ordering` of the page it came from, "
                "or start again with an empty cursor.") % {"order": ", ".join(map(str, names))}]})  # fmt: skip
        return direction, values

    def link(self, direction: str, row) -> str:
        values = [key_value(row[field] if isinstance(row, dict) else getattr(row, field)) for field in self.fields]
        token = base64.urlsafe_b64encode(json.dumps({"d": direction, "k": self.names, "v": values},
                                                    separators=(",", ":")).encode()).decode().rstrip("=")  # fmt: skip
        return replace_query_param(self.request.build_absolute_uri(), "cursor", token)

    def next_link(self) -> str | None:
        return self.link("next", self.rows[-1]) if self.has_next and self.rows else None

    def previous_link(self) -> str | None:
        return self.link("previous", self.rows[0]) if self.has_previous and self.rows else None


def order_keys(queryset) -> list[tuple[str, bool, bool]]:
    """(name, descending, NULLs last) for each item of the queryset's ordering, as `stable_order` made it."""
    keys = []
    for item in queryset.query.order_by:
        if isinstance(item, str):
            keys.append((item.lstrip("-"), item.startswith("-"), False))
        elif isinstance(getattr(item, "expression", None), F):
            keys.append((item.expression.name, item.descending, bool(item.nulls_last)))
        else:  # pragma: no cover - every ordering this API offers is by name
            raise ValueError(f"Cannot page by cursor over {item!r}")
    return keys


def plain_key(value) -> bool:
    """A value a cursor may carry back to the database: text without NUL (PostgreSQL refuses it), a whole number
    within the range of a database integer, or null."""
    if value is None:
        return True
    if isinstance(value, str):
        return len(value) <= 1000 and "\x00" not in value and not has_surrogate(value)
    return type(value) is int and abs(value) < 2**63


def key_value(value):
    """A key as JSON: dates and times as ISO text (the database reads them back as such), numbers as text."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


class TrackerPagination(pagination.PageNumberPagination):
    """`page` and `page_size` (default 50, at most 500); a bad value of either is a 400 naming it."""

    page_size = 50
    django_paginator_class = CachedCountPaginator  # `count` is exact, counted once per data version
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    cursor_query_param = "cursor"

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.page_query_param, "required": False, "in": "query",
             "description": "Page number, from 1.", "schema": {"type": "integer", "minimum": 1}},
            {"name": self.cursor_query_param, "required": False, "in": "query",
             "description": "Cursor paging, for scripts that walk a whole list: send `cursor=` (empty) for the first "
                            "page, then follow `next` (or `previous`). Pages come in `id` order, or in the `ordering` "
                            "asked (ties broken by `id`, empty values last in either direction); no record is skipped "
                            "or repeated, and a deep page costs what the first does. `page` is ignored with it; a "
                            "cursor made under one `ordering` is a 400 under another.",
             "schema": {"type": "string"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": f"Results per page: default {self.page_size}, at most {self.max_page_size}; "
                            "a larger value is a 400.",
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size}},
        ]  # fmt: skip

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if not raw:  # absent or empty: the default, as an empty filter is no filter
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({"page_size": [_("A whole number from 1 to 500.")]}) from None
        if not 1 <= size <= self.max_page_size:
            message = _("Must be from 1 to %(most)d; got %(got)d.") % {"most": self.max_page_size, "got": size}
            raise ValidationError({"page_size": [message]})
        return size

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.cursor = None
        raw = request.query_params.get(self.page_query_param) or "1"
        if not raw.isdigit() or int(raw) < 1:  # checked with a cursor too, which ignores it
            raise ValidationError({"page": [_("A whole number of 1 or more.")]})
        if self.cursor_query_param in request.query_params:
            if not request.query_params.get("ordering"):
                queryset = queryset.order_by("id")  # without `ordering`, cursor pages come in id order
            self.cursor = KeysetCursor(request, queryset, self.get_page_size(request))
            page = self.cursor.paginate()
            self._cursor_count = self.count_of(queryset, request)
            return page
        # The count is cached under the data version; reuse it if this request has read it already.
        known = view.known_count() if hasattr(view, "known_count") else None  # a count stored elsewhere
        searched = bool(request.query_params.get("q", "").strip())  # the page query counts a search (common.cache)
        keep = getattr(view, "keep_search_count", True)  # a view's search may count in every page query instead
        self.django_paginator_class = functools.partial(CachedCountPaginator, known=known, window=searched,
                                                        version=getattr(request, "data_version", None),
                                                        keep_count=keep)  # fmt: skip
        try:
            return super().paginate_queryset(queryset, request, view)
        except Exception as exc:  # DRF turns InvalidPage into NotFound; a script wants to know which field
            if isinstance(exc.__cause__, InvalidPage) or "Invalid page" in str(exc):
                raise ValidationError({"page": [_("Page %(page)s is beyond the last page.") % {"page": raw}]}) from None
            raise

    @staticmethod
    def count_of(queryset, request) -> int:
        return CachedCountPaginator(queryset, 1, version=getattr(request, "data_version", None)).count

    def get_paginated_response(self, data):
        if self.cursor is None:
            return super().get_paginated_response(data)
        return Response({"count": self._cursor_count, "next": self.cursor.next_link(),
                         "previous": self.cursor.previous_link(), "results": data})  # fmt: skip

    def get_paginated_response_schema(self, schema):
        paged = super().get_paginated_response_schema(schema)
        paged["properties"]["next"]["description"] = "The next page (page or cursor link, as asked); null at the end."
        return paged


class CSVRenderer(renderers.BaseRenderer):
    """Announces `?format=csv`; list views stream the body themselves (see `CSVStreamMixin`)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Reached only for non-list responses (a detail, an error): one flattened row, or the error as JSON.
        if isinstance(data, dict) and "detail" not in data and not _looks_like_errors(data, renderer_context):
            out = io.StringIO()
            row = {k: neutralise(v) for k, v in flatten(data).items()}
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


CSV_FLUSH = 64 * 1024  # characters per chunk sent: a chunk per row made the 100,000-row export 100,000 small sends


def csv_stream(header: list[str], rows: Iterable[dict]) -> Iterator[str]:
    """The file in chunks of about CSV_FLUSH characters, the header at once: a byte-order mark (spreadsheet programs
    then read UTF-8 names correctly), the header, then each row, no cell of which a spreadsheet runs as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    yield buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    write, tell = writer.writerow, buffer.tell
    for row in rows:
        write([neutralise(row.get(name, "")) for name in header])
        if tell() > CSV_FLUSH:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if tell():
        yield buffer.getvalue()


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
        check_selection(self.fields, self._selection)
        for name in list(self.fields):
            if name not in self._selection:
                self.fields.pop(name)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        selection = getattr(self, "_selection", None)
        return prune(data, selection) if selection else data


def check_selection(fields, selection: dict) -> None:
    """A 400 naming every unknown field of a `fields=` selection, nested ones (`detentions.bogus`) included."""
    unknown = unknown_fields(fields, selection)
    if unknown:
        message = _("Unknown field(s): %(unknown)s. Known: %(known)s.")
        raise ValidationError({"fields": [message % {"unknown": ", ".join(unknown), "known": ", ".join(fields)}]})


def unknown_fields(fields, selection: dict, prefix: str = "") -> list[str]:
    unknown = []
    for name, children in selection.items():
        field = fields.get(name)
        if field is None:
            unknown.append(prefix + name)
        elif children:
            nested = getattr(field, "child", field)  # a list of records, or one
            if isinstance(nested, serializers.BaseSerializer):
                unknown += unknown_fields(nested.fields, children, f"{prefix}{name}.")
            else:  # a plain value has no parts
                unknown += [f"{prefix}{name}.{child}" for child in children]
    return unknown


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


class BatchedManyRelatedField(serializers.ManyRelatedField):
    """A list of record ids checked in one query, where DRF's asks one per id (`queryset.get(pk=…)`), with the same
    values (in the order given, repeats kept) and the same error for the first id that names no record. The records
    found are kept, in their model's order, in `found`: what a new record cites is then known without reading it back
    (`ModelValidationMixin.answer_from_validated`)."""

    def to_internal_value(self, data):
        child = self.child_relation
        self.found = None
        if (
            isinstance(data, str)
            or not isinstance(data, list)
            or not data
            or child.pk_field is not None
            or not all(type(item) is int for item in data)
        ):
            return super().to_internal_value(data)
        found = list(child.get_queryset().filter(pk__in=set(data)))
        by_pk = {record.pk: record for record in found}
        for item in data:
            if item not in by_pk:
                child.fail("does_not_exist", pk_value=item)
        self.found = found
        return [by_pk[item] for item in data]


class BatchedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """DRF's, whose `many=True` form checks its ids in one query (`BatchedManyRelatedField`)."""

    @classmethod
    def many_init(cls, *args, **kwargs):  # DRF's, with the batched list
        many = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return BatchedManyRelatedField(child_relation=cls(*args, **kwargs), **many)


_BUILT_FIELDS: dict[type, dict] = {}


class ModelValidationMixin:
    """Run the model's own `full_clean()` on writes, so the API validates exactly as the admin does.

    A value that would duplicate another record's unique one (a Wikidata id, a source's address) is a 409 Conflict,
    with the same body as a 400; a list given as an object (`"sources": {}`) is a 400.
    """

    serializer_related_field = BatchedPrimaryKeyRelatedField
    # The field naming the record a new one is written into (a charge's `detention`): read by validation with the
    # lock on its case the save would take next (`integrity.lock_case_on_read`), one statement where there were two.
    # The case's is then the write's first lock, and its only one: a create, into one case.
    case_field: str | None = None

    def to_internal_value(self, data):
        alone = self.case_field and self.instance is None and self.parent is None  # one record, its own request
        field = self.fields.get(self.case_field) if alone else None
        if isinstance(field, serializers.RelatedField) and field.queryset is not None:
            field.queryset = integrity.lock_case_on_read(field.queryset)
        else:
            field = None
        validated = self._to_internal_value(data)
        record = validated.get(self.case_field) if field is not None else None
        if record is not None:
            integrity.read_case_locked(record)
        return validated

    def _to_internal_value(self, data):
        if isinstance(data, dict):
            wrong = json_type_errors(self.fields, data)
            if wrong:
                raise ValidationError(wrong)
            for name, field in self.fields.items():
                many = isinstance(
                    field, serializers.ManyRelatedField | serializers.ListField | serializers.ListSerializer
                )
                if many and isinstance(data.get(name), dict):
                    raise ValidationError({name: [_('Expected a list of items but got type "dict".')]})
        return super().to_internal_value(data)

    def get_fields(self):
        """DRF's fields, built from the model once per serializer class and copied for each serializer, as DRF copies
        its declared fields: building them (a field mapping per model field, every request) was most of a write's
        validation time. They depend on the class alone (its Meta and declarations), never on the request."""
        cls = type(self)
        built = _BUILT_FIELDS.get(cls)
        if built is None:
            built = _BUILT_FIELDS.setdefault(cls, super().get_fields())
        return copy.deepcopy(built)

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
            exc = name_unique_constraints(instance, exc)
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            codes = {e.code for e in exc.error_list} if not hasattr(exc, "error_dict") else {
                e.code for errors in exc.error_dict.values() for e in errors}  # fmt: skip
            if codes <= {"unique", "unique_together"}:  # a 409 (see CLASHES): DRF's is_valid() keeps only the codes
                raise ValidationError(detail, code="unique") from exc
            raise ValidationError(detail) from exc
        finally:
            for key, value in original.items():
                setattr(instance, key, value)
        return attrs

    def create(self, validated_data):
        """DRF's, except that a new record's many-to-many values are added rather than set: `set()` first reads the
        relations a record created a moment ago cannot have yet (one query per field), and so would `add()`."""
        from rest_framework.utils import model_meta

        relations = model_meta.get_field_info(self.Meta.model).relations
        many = {name: validated_data.pop(name) for name, info in relations.items()
                if info.to_many and name in validated_data}  # fmt: skip
        instance = super().create(validated_data)
        for name, values in many.items():
            manager = getattr(instance, name)
            # Nor does `add()` need to read which of them the record cites already (its signals' receivers, which
            # are given the ids added, make Django ask): none, it was created a moment ago (h52).
            manager._get_missing_target_ids = lambda source_field, target_field, db, target_ids: set(target_ids)
            manager.add(*values)
            self.answer_from_validated(instance, name)
        return instance

    def update(self, instance, validated_data):
        instance = super().update(instance, validated_data)
        for name in validated_data:
            self.answer_from_validated(instance, name)
        return instance

    def answer_from_validated(self, instance, name: str) -> None:
        """The records `instance` now cites under `name` are those its ids were checked against (one query, in
        their model's order: `BatchedManyRelatedField.found`): kept as if prefetched, the answer lists them without
        reading them back. Only where the list's own read would order them as the model does."""
        field = self.fields.get(name)
        found = getattr(field, "found", None)
        if found is None or field.child_relation.get_queryset().query.order_by or not totally_ordered(field):
            return
        related = getattr(instance, name)
        cached = related.all()  # the list's own read, evaluated already, as prefetch_related leaves it
        cached._result_cache, cached._prefetch_done = list(found), True
        instance.__dict__.setdefault("_prefetched_objects_cache", {})[related.prefetch_cache_name] = cached


def totally_ordered(field) -> bool:
    """Whether the model's own order of the records a list field names ends in their id: two reads of them, however
    planned, then list them alike (ties in a partial order could come back either way)."""
    ordering = field.child_relation.get_queryset().model._meta.ordering
    return any(key in ("id", "-id", "pk", "-pk") for key in ordering if isinstance(key, str))


def json_type_errors(fields, data: dict) -> dict:
    """Text and codes must come as JSON strings, lists of codes as lists, yes/no as a JSON boolean, as the schema says:
    DRF would take `12` for "12", `{}` for no country and `"yes"` for true, so a script's mistake would be stored
    rather than refused. Nested records too."""
    errors = {}
    for name, field in fields.items():
        if name not in data or field.read_only or data[name] is None:
            continue
        value = data[name]
        if isinstance(field, serializers.CharField) and not isinstance(value, str):
            errors[name] = [_("Not a valid string.")]
        elif isinstance(field, serializers.MultipleChoiceField):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[name] = [_("Expected a list of codes.")]
        elif isinstance(field, serializers.ChoiceField) and not isinstance(value, str) and textual(field):
            errors[name] = [_('"%(value)s" is not a valid choice.') % {"value": value}]
        elif isinstance(field, serializers.BooleanField) and not isinstance(value, bool):
            errors[name] = [_("Must be a valid boolean (true or false).")]
        elif isinstance(field, serializers.PrimaryKeyRelatedField) and not is_id(value):
            errors[name] = [ID_MESSAGE.format(value=json.dumps(value))]
        elif (isinstance(field, serializers.ManyRelatedField) and isinstance(value, list)
              and isinstance(field.child_relation, serializers.PrimaryKeyRelatedField)):  # fmt: skip
            wrong = [item for item in value if not is_id(item)]
            if wrong:
                errors[name] = [ID_MESSAGE.format(value=json.dumps(wrong[0]))]
        elif isinstance(field, serializers.ListField) and isinstance(value, list):
            textual_child = isinstance(field.child, serializers.CharField | serializers.ChoiceField)
            if textual_child and not all(isinstance(v, str) for v in value):
                errors[name] = [_("Every item must be a string.")]
        elif isinstance(field, serializers.ListSerializer) and isinstance(value, list):
            nested = [json_type_errors(field.child.fields, item) if isinstance(item, dict) else {} for item in value]
            if any(nested):
                errors[name] = nested
    return errors


ID_MESSAGE = "An id is a whole number from 1 to 9223372036854775807, written without quotes or decimals; got {value}."


def is_id(value) -> bool:
    """A record id as JSON gives it: an integer (not `3.7`, which DRF would truncate to record 3, nor `"3"`, nor
    `true`), within the database's range."""
    return type(value) is int and 1 <= value < 2**63


def textual(field) -> bool:
    return all(isinstance(key, str) for key in field.choices)


def name_unique_constraints(instance, exc: DjangoValidationError) -> DjangoValidationError:
    """Django reports a conditional unique constraint (a source's `url`, unique when given) against no field, as
    "Constraint “source_url_unique” is violated."; name the field and say it as a unique field does, so that the
    clash is a 409 naming `url`, as for any other unique value."""
    if not hasattr(exc, "error_dict") or NON_FIELD_ERRORS not in exc.error_dict:
        return exc
    model = type(instance)
    singles = {c.get_violation_error_message(): c.fields[0] for c in model._meta.constraints
               if isinstance(c, UniqueConstraint) and len(c.fields) == 1}  # fmt: skip
    errors, kept = dict(exc.error_dict), []
    for error in errors.pop(NON_FIELD_ERRORS):
        field = singles.get(error.message)
        if field:
            errors.setdefault(field, []).append(instance.unique_error_message(model, [field]))
        else:
            kept.append(error)
    if kept:
        errors[NON_FIELD_ERRORS] = kept
    return DjangoValidationError(errors)


# The stored file of a whole public list's CSV, when one is current: (request, view) -> response or None. Set by
# dataset.apps (dataset.csvfiles.stored_response); None: every CSV is streamed.
stored_csv = None


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
        if stored_csv is not None:  # the whole public list, built beforehand as a file (dataset.csvfiles)
            stored = stored_csv(request, self)
            if stored is not None:
                return stored
        response = StreamingHttpResponse(self.csv_chunks(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename()}"'
        return response

    def csv_filename(self) -> str:
        return f"{self.basename}s.csv"

    def csv_chunks(self) -> Iterator[str]:
        """The CSV of the list as the request filters it, in chunks: what a request streams, and what
        `dataset.csvfiles` writes to a file for the whole public list (the same code, so the same bytes)."""
        queryset = self.filter_queryset(self.get_queryset())
        self.check_paging_parameters(self.request, queryset)
        columns = self.csv_columns()
        return csv_stream(columns, self.iter_csv_rows(queryset, columns))

    def check_paging_parameters(self, request, queryset) -> None:
        """CSV is not paged (every matching row comes), but a malformed `page`, `page_size` or `cursor` is still a
        400 naming it, as on the JSON list, rather than silently ignored."""
        params = request.query_params
        raw = params.get("page")
        if raw and (not raw.isdigit() or int(raw) < 1):
            raise ValidationError({"page": [_("A whole number of 1 or more.")]})
        size = self.paginator.get_page_size(request) if params.get("page_size") else 50
        if params.get("cursor"):
            ordered = queryset if params.get("ordering") else queryset.order_by("id")  # as the JSON pages order
            KeysetCursor(request, ordered, size).decode()

    def csv_columns(self) -> "list[str]":
        fields = self.get_serializer().fields
        return [name for name, field in fields.items() if not isinstance(field, serializers.BaseSerializer)]

    def csv_extra(self, ids: "list[int]", rows: "list[dict]") -> "dict[int, dict]":
        """Derived columns for one chunk of records, keyed by id; viewsets add theirs."""
        return {}

    def iter_csv_rows(self, queryset, columns: "list[str]") -> Iterator[dict]:  # `list` is the view method here
        model = queryset.model
        opts = model._meta
        # A case's review state is derived from two columns (common.models.review_state_of), as the JSON derives it.
        reviewed = "review_state" in columns and {"is_published", "awaiting_review"} <= {f.name for f in opts.fields}
        concrete = {f.name: f for f in opts.concrete_fields if f.name in columns or f.name == "id"
                    or reviewed and f.name in ("is_published", "awaiting_review")}  # fmt: skip
        annotations = [c for c in columns if c in queryset.query.annotations]
        many = {f.name: f for f in opts.many_to_many if f.name in columns}
        api_url = self.request.build_absolute_uri(reverse(f"api:{self.basename}-detail", args=[999999999]))
        # The API address column, under its own name (`url`, or `api_url` for sources); `fields=` may leave it out.
        declared = self.get_serializer_class()._declared_fields
        self._csv_identity = next(n for n, f in declared.items() if isinstance(f, serializers.HyperlinkedIdentityField))
        fields = self.get_serializer().fields
        html = "html_url" in columns and self.request.build_absolute_uri(self.csv_html_url_pattern())
        # Serializer fields that rename a model column (`term_months` from `new_term_months`) read it under their name.
        model_fields = {f.name for f in opts.concrete_fields}
        renamed = {name: F(field.source) for name, field in fields.items()
                   if name in columns and name not in model_fields and field.source in model_fields}  # fmt: skip
        values = queryset.order_by(*(queryset.query.order_by or opts.ordering or ["pk"])).values(
            *concrete, *annotations, **renamed
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
            # In the order the JSON gives them: the related model's own ordering.
            order = related_ordering(field.related_model, other)
            linked = through.objects.filter(**{f"{own}_id__in": ids})
            manager = field.related_model._default_manager
            if hasattr(manager, "visible_to"):  # a draft at the other end is not named (a statement about one)
                linked = linked.filter(**{f"{other}__in": manager.visible_to(self.request.user)})
            for a, b in linked.order_by(*order).values_list(f"{own}_id", f"{other}_id"):
                links.setdefault(a, []).append(b)
            related[name] = links
        extra = self.csv_extra(ids, chunk)
        multiple = {name for name, field in concrete.items() if getattr(field, "multiple", False)}
        identity, date, plain = self._csv_identity, datetime.date, (str, int, bool)
        for row in chunk:
            out = {}
            for name, value in row.items():
                if name in multiple:  # several countries, stored "RU,US"
                    value = "|".join(v for v in (value or "").split(",") if v)
                elif value.__class__ in plain:  # most cells: as they are
                    pass
                elif value is None:
                    value = ""
                elif isinstance(value, list):
                    value = "|".join(str(v) for v in value)
                elif isinstance(value, datetime.datetime):
                    value = value.isoformat().replace("+00:00", "Z")
                elif isinstance(value, date):
                    value = value.isoformat()
                out[name] = value
            pk = row["id"]
            for name, links in related.items():
                out[name] = "|".join(str(v) for v in links.get(pk, ()))
            out[identity] = api_url.replace("999999999", str(pk))
            if html:
                out["html_url"] = html.replace("__slug__", str(row.get("slug", ""))).replace("__id__", str(pk))
            if "awaiting_review" in row:
                out["review_state"] = review_state_of(row["is_published"], row["awaiting_review"])
            more = extra.get(pk)
            if more:
                out.update(more)
            yield out


def related_ordering(model, path: str) -> list:
    """`model`'s default ordering, seen from a query that reaches it through `path`, ending in its id."""
    order = []
    for item in [*(model._meta.ordering or []), "id"]:
        if isinstance(item, str):
            desc = item.startswith("-")
            order.append(f"{'-' if desc else ''}{path}__{item.lstrip('-')}")
        else:  # an OrderBy such as F("published_on").desc(nulls_last=True)
            item = item.copy()
            item.expression = F(f"{path}__{item.expression.name}")
            order.append(item)
    return order


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
    409: OpenApiResponse(
        description="The body is well formed but clashes with the records on file (the field is named): a "
        "value another record already has where it must be unique, or an id that names no record; for a deletion, "
        "other records still refer to this one."
    ),
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


WRITE_PARAMETERS = [
    OpenApiParameter(
        reasons.HEADER, OpenApiTypes.STR, location=OpenApiParameter.HEADER, required=False,
        description=f"Why this change was made (at most {reasons.MAX_LENGTH} characters), recorded in the history "
        "and shown in the public corrections list of a published case. The body field `change_reason` does the same "
        "and wins when both are given. Non-Latin-1 text: percent-encode it after `UTF-8''` (RFC 8187).",
    ),
]  # fmt: skip


def documented(viewset):
    """Add the shared parameters, summaries and error responses to a viewset's schema."""
    serializer = viewset.serializer_class
    opts = viewset.queryset.model._meta
    one, many = str(opts.verbose_name), str(opts.verbose_name_plural)
    article = "an" if one[0] in "aeiou" else "a"
    conflict = {409: OpenApiResponse(description="Other records still refer to it; the body names them.")}
    return extend_schema_view(
        list=extend_schema(summary=f"List {many}", parameters=LIST_PARAMETERS,
                           responses={200: serializer(many=True), **ERRORS}),
        retrieve=extend_schema(summary=f"Get {article} {one}", parameters=LIST_PARAMETERS[:1],
                               responses={200: serializer, 304: OpenApiResponse(description="Not modified."),
                                          **ERRORS}),
        create=extend_schema(summary=f"Create {article} {one}", parameters=WRITE_PARAMETERS,
                             responses={201: serializer, **WRITE_ERRORS}),
        update=extend_schema(summary=f"Replace {article} {one}", parameters=WRITE_PARAMETERS,
                             responses={200: serializer, **WRITE_ERRORS}),
        partial_update=extend_schema(summary=f"Change {article} {one}", parameters=WRITE_PARAMETERS,
                                     responses={200: serializer, **WRITE_ERRORS}),
        destroy=extend_schema(summary=f"Delete {article} {one}", parameters=WRITE_PARAMETERS,
                              responses={204: None, **WRITE_ERRORS, **conflict}),
    )(viewset)  # fmt: skip


# --- The change feed (changes.apps sets it): (view, data) -> (Last-Modified or None, whether it is the feed's).
# A record's Last-Modified is its last event's time, sent (to anyone) only while the representation served is
# exactly what the feed last published, so a date never answers 304 after a change that moved no `updated_at`.
record_validators = None
# ---


def representation_etag(data) -> str:
    """A strong ETag for a record's representation: it changes whenever anything shown changes."""
    try:  # a tenth of the time of json.dumps; the fallback for what orjson refuses (an int beyond 64 bits)
        options = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
        text = orjson.dumps(data, default=str, option=options)
    except TypeError:
        text = json.dumps(data, sort_keys=True, default=str).encode()
    digest = hashlib.sha256(text).hexdigest()[:32]
    return f'"{digest}"'


class FastJSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer, byte for byte (compact, UTF-8, U+2028/U+2029 escaped), through orjson: encoding a page
    of 50 case documents took ~4 ms with the standard library, a tenth of that here. Indented output (asked for in
    the Accept header), and anything orjson refuses, go through DRF's own. (No field of the API is a float; orjson
    would write 1.5e-7 where Python writes 1.5e-07.)"""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        try:
            return self._render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:  # a lone surrogate (an error echoing what was sent): written as U+FFFD, not a 500
            return self._render(without_surrogates(data), accepted_media_type, renderer_context)

    def _render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None or self.get_indent(accepted_media_type, renderer_context or {}) or not self.compact:
            return super().render(data, accepted_media_type, renderer_context)
        try:
            out = orjson.dumps(data, default=self._plain, option=orjson.OPT_PASSTHROUGH_DATETIME)  # DRF writes "Z"
        except TypeError:
            return super().render(data, accepted_media_type, renderer_context)
        return out.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")

    def _plain(self, value):
        """What orjson does not know (Decimal, lazy text, UUID subclasses...) as DRF's encoder writes it, checked to
        come back as a plain type so the output stays the standard library's."""
        plain = self.encoder_class().default(value)
        if isinstance(plain, float):  # the two libraries may write a float differently
            raise TypeError("float")
        return plain


class ConditionalMixin:
    """Conditional requests (RFC 9110) and caching headers, on every read of every resource.

    - Every JSON 200 read (list or detail) carries a strong `ETag` of its representation; details also carry
      `Last-Modified`: the time of the record's last event in the change feed, sent (signed in or not) only while
      the representation served is exactly the one the feed last published; otherwise (a draft, or a draft inside
      it, seen by an editor) no date, only the ETag.
    - `If-None-Match` (a list of ETags, or `*`) answers 304 when it matches; without it, `If-Modified-Since` answers
      304 when the record has not changed since.
    - Writes: `If-Match` that no longer matches, or `If-None-Match` that does (`*` always does, the record exists),
      answer 412, so two editors who both loaded version A cannot both save.
    - Anonymous reads may be kept by shared caches; anything seen signed in is `private, no-store` (see
      `common.middleware.CacheControlMiddleware`).
    """

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return self.conditional_response(self.get_serializer(instance).data, getattr(instance, "updated_at", None))

    def conditional_response(self, data, updated_at) -> Response:
        response = Response(data)
        if record_validators is not None:  # from the feed, for everyone: see changes.services.record_validators
            updated_at, _ = record_validators(self, data)
        if updated_at:
            response["Last-Modified"] = http_date(updated_at.timestamp())
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        if request.method in ("GET", "HEAD") and response.status_code == 200 and isinstance(response, Response):
            response = not_modified_or(request, response)
            if response.status_code == 200:
                self.remember_loaded(request, response)  # h11: the version a later write may name
        if (response.status_code >= 400 or request.method not in ("GET", "HEAD")) and getattr(
            request, "accepted_renderer", None
        ) is not None:
            # An error, or the answer to a write, is JSON and says so, even when CSV was asked for.
            request.accepted_renderer, request.accepted_media_type = FastJSONRenderer(), "application/json"
        response = super().finalize_response(request, response, *args, **kwargs)
        cache_headers(request, response)
        return response

    def check_if_match(self, request, instance, serializer=None):
        """Compare the client's ETag with the record as stored now, and keep it so until the write commits: the
        record's case and row are locked first (`common.integrity.lock_record`, inside the write's transaction),
        then the record is read afresh and its representation compared. Of writers holding the same ETag, one
        passes; the others wait for its commit, then see a new ETag. Returns the fresh record to write on.

        A stale If-Match on a PATCH or PUT is merged three ways (`common.merge.api_merge`) against the
        representation that ETag named: the write passes when none of the fields it sends were changed since, fields
        it sends unchanged keep the newer value, and it answers 412 naming the fields that were changed."""
        wanted, unwanted = request.headers.get("If-Match"), request.headers.get("If-None-Match")
        if unwanted and unwanted.strip() == "*":  # "only if it does not exist yet": it does
            raise PreconditionFailed()
        if (not wanted or wanted.strip() == "*") and not unwanted:
            return instance
        lock_record(instance)
        instance = self.get_queryset().filter(pk=instance.pk).first()
        if instance is None:  # deleted while we waited
            raise PreconditionFailed()
        data = self.get_serializer(instance).data
        current = representation_etag(data)
        if unwanted and current in _etags(unwanted):
            raise PreconditionFailed()
        if wanted and wanted.strip() != "*" and current not in _etags(wanted):
            self.merge_stale_write(request, instance, data, wanted, serializer)
        return instance

    # --- h11: three-way merge of a write sent with a stale If-Match (common/merge.py) ---------------------------------
    def merge_stale_write(self, request, instance, current: dict, wanted: str, serializer) -> None:
        """Let a write on a stale version through when it touches nothing changed since; else 412 naming fields."""
        from django.utils.translation import gettext as _

        from common.merge import api_merge, recall_representation

        label = instance._meta.label_lower
        base = next((b for tag in _etags(wanted) if (b := recall_representation(label, instance.pk, tag))), None)
        if base is None or serializer is None or request.method not in ("PATCH", "PUT"):
            raise PreconditionFailed()
        sent = request.data if isinstance(request.data, dict) else {}
        conflicts, stale = api_merge(base, dict(current), {k: v for k, v in sent.items() if k != "change_reason"})
        if conflicts:
            raise PreconditionFailed({
                "detail": _("The record changed since you loaded it, in fields this write changes too: %(fields)s. "
                            "Reload it and retry.") % {"fields": ", ".join(conflicts)},
                "fields": conflicts,
            })  # fmt: skip
        for name in stale:  # sent as loaded, changed since by someone else: theirs stays
            serializer.validated_data.pop(name, None)

    def remember_loaded(self, request, response) -> None:
        """Keep the representation an editor was served, under its ETag, for `merge_stale_write`."""
        from common.merge import remember_representation

        lookup = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field) if hasattr(self, "kwargs") else None
        model = getattr(getattr(self, "queryset", None), "model", None)
        if lookup is None or model is None or not request.user.is_authenticated or not response.has_header("ETag"):
            return
        remember_representation(model._meta.label_lower, lookup, response["ETag"], response.data)

    # --- end h11 --------------------------------------------------------------------------------------------------

    def perform_update(self, serializer):
        serializer.instance = self.check_if_match(self.request, serializer.instance, serializer)
        super().perform_update(serializer)

    def perform_destroy(self, instance):
        super().perform_destroy(self.check_if_match(self.request, instance))

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        if response.status_code == 200:
            response["ETag"] = representation_etag(response.data)
            self.remember_loaded(request, response)  # h11
        return response


def not_modified_or(request, response: Response) -> Response:
    """The response with its ETag, or a 304 when the client's copy is current (If-None-Match, If-Modified-Since)."""
    etag = response.get("ETag") or representation_etag(response.data)
    not_modified = False
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match:  # takes precedence over If-Modified-Since (RFC 9110, 13.2.2)
        not_modified = if_none_match.strip() == "*" or etag in _etags(if_none_match)
    elif request.headers.get("If-Modified-Since") and response.has_header("Last-Modified"):
        since = parse_http_date_safe(request.headers["If-Modified-Since"])
        modified = parse_http_date_safe(response["Last-Modified"])
        not_modified = since is not None and modified is not None and modified <= since
    if not_modified:
        fresh = Response(status=status.HTTP_304_NOT_MODIFIED)
        if response.has_header("Last-Modified"):
            fresh["Last-Modified"] = response["Last-Modified"]
        response = fresh
    response["ETag"] = etag
    return response


def cache_headers(request, response) -> None:
    """`Vary` keeps a shared cache from giving an editor's response to the public or the reverse; `Cache-Control`
    itself is set in one place for every response, `common.middleware.CacheControlMiddleware` (public and short
    for anonymous reads, `private, no-store` for anything seen signed in)."""
    if request.method in ("GET", "HEAD"):
        patch_vary_headers(response, ["Authorization", "Cookie"])


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you loaded it (If-Match does not match its ETag). Reload and retry."
    default_code = "precondition_failed"


class CheckedWritesMixin:
    """Every API write in one `checked_writes()` block: a write that would leave a published case with an unsourced
    fact is refused whole, 400 naming the field — `sources` when the record written is the unsourced one,
    `is_published` when the write publishes, `non_field_errors` otherwise."""

    def initial(self, request, *args, **kwargs):
        """A write's reason (`common.reasons`): the body field `change_reason`, else the header `X-Change-Reason`;
        taken out of the body before the serializer sees it; a reason that cannot be recorded is a 400 naming it."""
        super().initial(request, *args, **kwargs)
        self.change_reason = None
        if request.method in ("POST", "PUT", "PATCH", "DELETE"):
            try:
                header = reasons.from_header(request.headers.get(reasons.HEADER))
                data = request.data
                field = reasons.clean(data.pop(reasons.FIELD), reasons.FIELD) if isinstance(data, dict) and (
                    reasons.FIELD in data) else None  # fmt: skip
            except reasons.ReasonError as error:
                raise ValidationError({error.field: [error.message]}) from None
            self.change_reason = field or header

    def checked(self, write, serializer=None, *, savepoint=True):
        """Run `write` in its own block. Without a savepoint (a create or an update, whose refusal is answered from
        what is in memory) a refusal leaves the request's transaction to be rolled back whole; a deletion keeps its
        savepoint, as a 409 naming the records still referring to the one deleted may read them."""
        try:
            with checked_writes(savepoint=savepoint), reasons.change_reason(getattr(self, "change_reason", None)):
                return write()
        except UnsourcedFacts as refusal:
            messages = [p.message for p in refusal.problems]
            instance = getattr(serializer, "instance", None)
            if instance is not None and instance.pk is not None and refusal.concerns(instance):
                field = "sources"
            elif serializer is not None and "is_published" in getattr(serializer, "validated_data", {}):
                field = "is_published"
            elif serializer is not None and "sources" in getattr(serializer, "validated_data", {}):
                field = "sources"
            else:
                field = "non_field_errors"
            raise ValidationError({field: messages}) from refusal

    def perform_create(self, serializer):
        self.checked(lambda: super(CheckedWritesMixin, self).perform_create(serializer), serializer, savepoint=False)

    def perform_update(self, serializer):
        self.checked(lambda: super(CheckedWritesMixin, self).perform_update(serializer), serializer, savepoint=False)

    def perform_destroy(self, instance):
        self.checked(lambda: super(CheckedWritesMixin, self).perform_destroy(instance))


class JSONOnlyParser(parsers.JSONParser):
    """Request bodies are JSON, and only JSON; one nested too deeply for the parser is a 400, not a 500. JSON may
    escape a lone surrogate (`"\\ud800"`), which is no character: it is a 400 naming the field that holds it, before
    any validator echoes it back or a database refuses it."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - nested too deeply.")) from None
        fields = sorted({surrogate_free(path[0]) for path in surrogate_paths(data)}) if data is not None else []
        if fields:
            raise ValidationError({field: [SURROGATE_MESSAGE] for field in fields})
        return data


SURROGATE_MESSAGE = "Contains a lone surrogate (\\ud800-\\udfff), which is not a character: send valid Unicode text."


SURROGATE = re.compile("[\ud800-\udfff]")  # in a Python string, any surrogate is a lone one: pairs are decoded


def has_surrogate(text: str) -> bool:
    return SURROGATE.search(text) is not None


def surrogate_free(text: str) -> str:
    """The text with each lone surrogate as U+FFFD, so that it can be written in UTF-8."""
    return SURROGATE.sub("\ufffd", text)


def surrogate_paths(data, path: tuple = ()) -> Iterator[tuple]:
    """The paths (keys and positions) of every string, key or value, holding a lone surrogate; the top level of a
    body that is itself a string or a list is named `non_field_errors`."""
    if isinstance(data, str):
        if has_surrogate(data):
            yield path or ("non_field_errors",)
    elif isinstance(data, dict):
        for key, value in data.items():
            if has_surrogate(key):
                yield (*path, key) if path else (key,)
            else:
                yield from surrogate_paths(value, (*path, key))
    elif isinstance(data, list):
        for position, value in enumerate(data):
            yield from surrogate_paths(value, (*path, position) if path else ("non_field_errors",))


def without_surrogates(data):
    """The data with every lone surrogate in its text replaced by U+FFFD."""
    if isinstance(data, str):
        return surrogate_free(data)
    if isinstance(data, dict):
        return {without_surrogates(key): without_surrogates(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [without_surrogates(value) for value in data]
    return data


class RememberedNegotiationMixin:
    """DRF's content negotiation, its answer kept per view class, renderers, format and Accept header: choosing
    parses the Accept header and walks the renderers each request (~0.1 ms of CPU, a twentieth of a stored API
    detail, h64). The same renderer (this request's own instance of its class) and media type as DRF's choice; a
    refusal (406, an unknown `format`) is DRF's own, never kept."""

    _negotiated: dict[tuple, tuple[int, str]] = {}
    NEGOTIATIONS_KEPT = 1000  # distinct Accept headers are few; past that, start again

    def perform_content_negotiation(self, request, force=False):
        renderers = self.get_renderers()
        conneg = self.get_content_negotiator()
        format_param = getattr(api_settings, "URL_FORMAT_OVERRIDE", None)
        key = (type(self), tuple(type(r) for r in renderers), self.format_kwarg,
               request.query_params.get(format_param) if format_param else None,
               request.META.get("HTTP_ACCEPT"), type(conneg))  # fmt: skip
        kept = self._negotiated.get(key)
        if kept is not None:
            return renderers[kept[0]], kept[1]
        try:  # as DRF's APIView.perform_content_negotiation
            renderer, media_type = conneg.select_renderer(request, renderers, self.format_kwarg)
        except Exception:
            if force:
                return (renderers[0], renderers[0].media_type)
            raise
        chosen = [position for position, r in enumerate(renderers) if r is renderer]
        if chosen:
            if len(self._negotiated) >= self.NEGOTIATIONS_KEPT:
                self._negotiated.clear()
            self._negotiated[key] = (chosen[0], media_type)
        return renderer, media_type


@receiver(setting_changed)
def _forget_negotiations(setting, **kwargs):
    if setting == "REST_FRAMEWORK":
        RememberedNegotiationMixin._negotiated.clear()


class TrackerViewSet(
    RememberedNegotiationMixin, CheckedWritesMixin, ConditionalMixin, CSVStreamMixin, viewsets.ModelViewSet
):
    """Base of every API resource."""

    parser_classes = [JSONOnlyParser]
    filter_backends = [StrictFilterBackend]
    pagination_class = TrackerPagination
    renderer_classes = [FastJSONRenderer, renderers.BrowsableAPIRenderer, CSVRenderer]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]


# Errors of a well-formed body that only the records on file refuse: a value another record already has where it must
# be unique (DRF's UniqueValidator), an id naming no record (a related field's `does_not_exist`). 409, fields named.
CLASHES = {"unique", "does_not_exist"}


def exception_handler(exc, context):
    """DRF's handler, plus model ValidationErrors (raised by services) as 400 with field names, and a deletion that
    other records still block as 409 naming them."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError | RestrictedError):
        return Response(referenced_by(exc), status=status.HTTP_409_CONFLICT)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, ValidationError) and response is not None and set(_flat_codes(exc.get_codes())) <= CLASHES:
        response.status_code = status.HTTP_409_CONFLICT  # a well-formed body that clashes with the records on file
    return response


def _flat_codes(codes):
    if isinstance(codes, dict):
        codes = list(codes.values())
    if isinstance(codes, list):
        for item in codes:
            yield from _flat_codes(item)
    else:
        yield codes


MAX_REFERRER_IDS = 50


def referenced_by(exc: "ProtectedError | RestrictedError") -> dict:
    """What still refers to a record that cannot be deleted: per kind of record, its ids (at most 50 each)."""
    objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    groups: dict[str, list[int]] = {}
    for obj in objects:
        groups.setdefault(str(obj._meta.verbose_name_plural), []).append(obj.pk)
    return {
        "detail": "Other records still refer to this one; change or delete them first.",
        "referenced_by": [{"resource": name, "ids": sorted(ids)[:MAX_REFERRER_IDS]} for name, ids in groups.items()],
    }


def json_404(request, exception=None):
    """`handler404`: JSON under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def json_400(request, exception=None):
    """`handler400` (a malformed request Django refuses itself): JSON under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Bad request."}, status=400)
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def json_403(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Permission denied."}, status=403)
    from django.views.defaults import permission_denied

    return permission_denied(request, exception)


def json_500(request):
    """`handler500`: JSON under /api/, the site's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "A server error occurred; it has been logged."}, status=500)
    from django.views.defaults import server_error

    return server_error(request)


# --- Review (common.review): withdrawing a request to publish, `POST …/<id>/withdraw-publication/` ----------------
# Asking to publish is an ordinary write (`is_published: true`, which awaits a second editor where review is required);
# the request is withdrawn by the editor who asked or by a reviewer, as the review page's *Send back to draft* does.


class WithdrawPublicationMixin:
    """`POST …/withdraw-publication/`, and the same withdrawal by an ordinary write: `PATCH {"is_published": false}`
    on a record awaiting review takes it back to draft and out of the queue (a draft awaiting nothing), under the
    same rule — the editor who asked, or a reviewer; anyone else is refused 403 and nothing is written."""

    def perform_update(self, serializer):
        from django.contrib.contenttypes.models import ContentType
        from django.core.exceptions import PermissionDenied
        from django.db import transaction
        from rest_framework.exceptions import PermissionDenied as Forbidden

        from common import review
        from common.models import ReviewItem

        case = serializer.instance
        item = None
        if serializer.validated_data.get("is_published", True) is False and getattr(case, "awaiting_review", False):
            item = ReviewItem.objects.filter(content_type=ContentType.objects.get_for_model(case), object_id=case.pk,
                                             outcome="", kind=ReviewItem.Kind.PUBLISH).first()  # fmt: skip
        if item is None:
            return super().perform_update(serializer)
        user = self.request.user
        # Asked before writing: the write itself would make its author one of the request's editors.
        if not (item.editors.filter(pk=user.pk).exists() or user.has_perm(review.PERMISSION)):
            raise Forbidden(review.refusal(user, item) or "Only the editor who asked, or a reviewer, may withdraw it.")
        with transaction.atomic():
            super().perform_update(serializer)
            try:
                with reasons.change_reason(getattr(self, "change_reason", None)):
                    review.send_back(item, user)
            except PermissionDenied as refusal:
                raise Forbidden(str(refusal)) from None  # the whole write is undone with it
        serializer.instance.refresh_from_db()

    @extend_schema(
        summary="Withdraw a request to publish",
        description="The record goes back to draft and leaves the review queue. Only the editor who asked to "
        "publish it, or a reviewer (the Reviewers group), may withdraw the request. An `X-Change-Reason` header is "
        "recorded with it. `PATCH {\"is_published\": false}` on a record awaiting review does the same, under the "
        "same rule.",
        request=None,
        responses={
            200: OpenApiResponse(description="Withdrawn: the record, now a draft (`review_state` is `draft`)."),
            401: WRITE_ERRORS[401],
            403: OpenApiResponse(description="Neither the editor who asked nor a reviewer."),
            404: OpenApiResponse(description="No such record (or not visible to this account)."),
            409: OpenApiResponse(description="No request to publish this record awaits review."),
        },
    )  # fmt: skip
    @action(detail=True, methods=["post"], url_path="withdraw-publication")
    def withdraw_publication(self, request, *args, **kwargs):
        from django.contrib.contenttypes.models import ContentType
        from django.core.exceptions import PermissionDenied

        from common import review
        from common.models import ReviewItem

        case = self.get_object()
        item = ReviewItem.objects.filter(content_type=ContentType.objects.get_for_model(case), object_id=case.pk,
                                         outcome="", kind=ReviewItem.Kind.PUBLISH).first()  # fmt: skip
        if item is None:
            return Response({"detail": "No request to publish this record awaits review."},
                            status=status.HTTP_409_CONFLICT)  # fmt: skip
        try:
            with reasons.change_reason(getattr(self, "change_reason", None)):
                review.send_back(item, request.user)
        except PermissionDenied as refusal:
            return Response({"detail": str(refusal)}, status=status.HTTP_403_FORBIDDEN)
        case.refresh_from_db()
        return Response(self.get_serializer(case).data)
