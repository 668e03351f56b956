"""The CSV writer of list endpoints as it was before issue 21 made it faster (common.api at 0f0a72d), kept verbatim
as the reference for `test_csv_export.py`: the new one must write the same bytes."""

import csv
import datetime
from collections.abc import Iterable, Iterator

from django.db.models import F
from django.urls import reverse
from rest_framework import serializers

from common.api import related_ordering
from common.csvsafe import neutralise
from common.models import review_state_of


class _Echo:
    def write(self, value):
        return value


def csv_stream(header: list[str], rows: Iterable[dict]) -> Iterator[str]:
    writer = csv.DictWriter(_Echo(), fieldnames=header, extrasaction="ignore")
    yield "\ufeff"  # a byte-order mark so spreadsheet programs read UTF-8 names correctly
    yield writer.writeheader()
    for row in rows:
        yield writer.writerow({k: neutralise(v) for k, v in row.items()})  # no cell a spreadsheet runs as a formula


def iter_csv_rows(self, queryset, columns: "list[str]") -> Iterator[dict]:
    model = queryset.model
    opts = model._meta
    # Added with the fix of the empty `review_state` column (the writer this copies left it empty; the JSON never did).
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
            yield from _csv_chunk(self, chunk, concrete, many, api_url, html)
            chunk = []
    if chunk:
        yield from _csv_chunk(self, chunk, concrete, many, api_url, html)


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
            out[name] = "|".join(str(v) for v in links.get(row["id"], []))
        out[self._csv_identity] = api_url.replace("999999999", str(row["id"]))
        if html:
            out["html_url"] = html.replace("__slug__", str(row.get("slug", ""))).replace("__id__", str(row["id"]))
        if "awaiting_review" in row:
            out["review_state"] = review_state_of(row["is_published"], row["awaiting_review"])
        out.update(extra.get(row["id"], {}))
        yield out
