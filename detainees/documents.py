"""The API's read path for detainees: the same JSON as `DetaineeSerializer`, in two queries for any page size.

A detainee's document nests five kinds of records and eight many-to-many lists. Through the serializer that is
fifteen prefetch queries and a few thousand Python calls per person. Here it is:

1. the detainees' own columns (`values()`, paginated by the caller);
2. every nested record of those detainees, of every kind, and every citation and sentence–charge link of those
   records, as one UNION ALL of JSON objects (`api_rows`; two queries, `nested_records` and `links`, before h64).

The field lists come from the nested serializers, and a test compares every document with the serializer's
output, so the two cannot drift apart. Writes, the browsable API and `?format=csv` keep their own paths.
"""

import datetime
import json
import re
from decimal import Decimal

from django.core.signals import setting_changed
from django.db import connections
from django.db.models import CharField, DateField, F, Q, QuerySet, Value
from django.db.models.functions import Cast, JSONObject
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django_countries.fields import CountryField
from rest_framework import serializers

from common.fastpaths import url as fast_url
from common.models import certain_days, certain_start, review_state_of, span_last_day
from common.sql import execute_prepared

from .models import (
    Charge,
    Counsel,
    CustodyExtension,
    Designation,
    Detainee,
    Detention,
    Sentence,
    SentenceChange,
    Transfer,
)
from .serializers import (
    DetaineeSerializer,
    NestedChargeSerializer,
    NestedCounselSerializer,
    NestedCustodyExtensionSerializer,
    NestedDesignationSerializer,
    NestedDetentionSerializer,
    NestedSentenceSerializer,
    NestedTransferSerializer,
    SentenceChangeSerializer,
)

NESTED = {"sources", "charges", "sentences", "transfers", "changes", "extensions", "counsel"}

# kind: (model, serializer, the detainee from the record, the parent key, the parent's kind, its list there)
KINDS = {
    "detention": (Detention, NestedDetentionSerializer, "detainee_id", "detainee_id", None, "detentions"),
    "designation": (Designation, NestedDesignationSerializer, "detainee_id", "detainee_id", None, "designations"),
    "charge": (Charge, NestedChargeSerializer, "detention__detainee_id", "detention_id", "detention", "charges"),
    "sentence": (Sentence, NestedSentenceSerializer, "detention__detainee_id", "detention_id", "detention",
                 "sentences"),
    "transfer": (Transfer, NestedTransferSerializer, "detention__detainee_id", "detention_id", "detention",
                 "transfers"),
    "change": (SentenceChange, SentenceChangeSerializer, "sentence__detention__detainee_id", "sentence_id",
               "sentence", "changes"),
    "extension": (CustodyExtension, NestedCustodyExtensionSerializer, "detention__detainee_id", "detention_id",
                  "detention", "extensions"),
    "counsel": (Counsel, NestedCounselSerializer, "detention__detainee_id", "detention_id", "detention", "counsel"),
}  # fmt: skip
CITED = {"detainee": Detainee, **{kind: spec[0] for kind, spec in KINDS.items()}}
TOP_FIELDS = [
    f
    for f in DetaineeSerializer.Meta.fields
    if f not in {"url", "html_url", "days_held", "sources", "detentions", "designations", "review_state"}
]
TOP_FIELDS.append("awaiting_review")  # with is_published, what review_state is derived from (common.models)


def row_of(detainee: Detainee) -> dict:
    """A detainee's `values(*TOP_FIELDS)` row from the instance already read (a case page's person)."""
    return {name: getattr(detainee, Detainee._meta.get_field(name).attname) for name in TOP_FIELDS}


_datetime = serializers.DateTimeField()
_money = serializers.DecimalField(max_digits=16, decimal_places=2)


def plain_fields(kind: str) -> list[str]:
    return [f for f in KINDS[kind][1].Meta.fields if f not in NESTED]


def _json_value(model, name: str):
    field = model._meta.get_field(name)
    if field.get_internal_type() == "DecimalField":  # as text, so no digit is lost on the way
        return Cast(name, CharField())
    return F(name)


def _nested_parts(detainee_ids: list[int]) -> list[QuerySet]:
    """(kind, parent id, JSON object) for every nested record of these detainees, one queryset per kind."""
    parts = []
    for kind, (model, _, to_detainee, parent, _, _) in KINDS.items():
        doc = JSONObject(**{name: _json_value(model, name) for name in plain_fields(kind)})
        parts.append(
            model.objects.filter(**{f"{to_detainee}__in": detainee_ids}).order_by()
            .values_list(Value(kind, output_field=CharField()), F(parent), doc)
        )  # fmt: skip
    return parts


def nested_records(detainee_ids: list[int]):
    """(kind, parent id, JSON object) for every nested record of these detainees."""
    parts = _nested_parts(detainee_ids)
    return parts[0].union(*parts[1:], all=True)


def api_rows(detainee_ids: list[int]):
    """Query 2: every nested record of these detainees (`nested_records`) and every citation and sentence–charge
    link of theirs (`links`, as ("link:" kind, record id, {"target", "published_on"}), the shape `case_rows` reads
    them in), as one UNION ALL: one round trip instead of two (h64)."""
    parts = _nested_parts(detainee_ids) + _link_parts(detainee_ids, as_json=True)
    return parts[0].union(*parts[1:], all=True)


def split_links(rows) -> tuple[list, list]:
    """`api_rows`'s rows as (`nested_records`'s rows, `links`'s rows)."""
    nested, linked = [], []
    for kind, parent_id, doc in rows:
        if kind.startswith("link:"):
            if isinstance(doc, str):  # a backend that hands JSON back as text
                doc = json.loads(doc)
            linked.append((kind[5:], parent_id, doc["target"], doc.get("published_on")))
        else:
            nested.append((kind, parent_id, doc))
    return nested, linked


def _throughs(detainee_ids: list[int]) -> list[tuple[str, str, QuerySet]]:
    """(kind, owner's field, the through table's rows of these detainees) for each kind of citation (then the
    sentence–charge links)."""
    paths = {"detainee": "detainee_id", **{kind: spec[2].replace("detainee_id", "") for kind, spec in KINDS.items()}}
    wanted = [(kind, m.sources.through, m._meta.get_field("sources").m2m_field_name()) for kind, m in CITED.items()]
    wanted.append(("sentence_charge", Sentence.charges.through, "sentence"))
    found = []
    for kind, through, own in wanted:
        if kind == "sentence_charge":
            to_detainee = "sentence__detention__detainee_id"
        else:
            to_detainee = f"{own}__{paths[kind]}detainee_id" if kind != "detainee" else f"{own}_id"
        found.append((kind, own, through.objects.filter(**{f"{to_detainee}__in": detainee_ids}).order_by()))
    return found


def _link_parts(detainee_ids: list[int], *, as_json: bool = False) -> list[QuerySet]:
    """One queryset per kind of citation and for the sentence–charge links: (kind, record id, linked id, source
    date), or with `as_json` ("link:" kind, record id, {"target", "published_on"}), the shape of `case_rows`."""
    parts = []
    for kind, own, queryset in _throughs(detainee_ids):
        if kind == "sentence_charge":
            target, published_on = F("charge_id"), None
        else:
            target, published_on = F("source_id"), F("source__published_on")
        if as_json:  # no constant in the JSON: PostgreSQL cannot type a parameter of jsonb_build_object
            doc = JSONObject(target=target, **({} if published_on is None else {"published_on": published_on}))
            parts.append(queryset.values_list(Value(f"link:{kind}", output_field=CharField()), F(f"{own}_id"), doc))
        else:
            parts.append(queryset.values_list(Value(kind, output_field=CharField()), F(f"{own}_id"), target,
                                              published_on or Value(None, output_field=DateField())))  # fmt: skip
    return parts


def links(detainee_ids: list[int]):
    """Query 3: (kind, record id, linked id, source date) for every citation and sentence–charge link."""
    parts = _link_parts(detainee_ids)
    return parts[0].union(*parts[1:], all=True)


_SENTINEL = -1_000_000_001
_compiled: dict[tuple[str, str, int], tuple[str, list]] = {}


def run(build, detainee_ids: list[int]) -> list[tuple]:
    """Execute a UNION built by `build(ids)`, compiling it once per database and number of ids.

    Composing fifteen querysets costs more Python than the database spends answering them, so the SQL is compiled
    with placeholder ids and reused with the real ones.
    """
    connection = connections[Detainee.objects.db]
    key = (connection.alias, build.__name__, len(detainee_ids))
    if key not in _compiled:
        placeholders = [_SENTINEL - i for i in range(len(detainee_ids))]
        query = build(placeholders).query
        _compiled[key] = query.get_compiler(connection=connection).as_sql()
    sql, params = _compiled[key]
    params = [detainee_ids[_SENTINEL - p] if isinstance(p, int) and p <= _SENTINEL else p for p in params]
    return execute_prepared(connection, key, sql, params)


def _sources_order(entries: list[tuple[int, object]]) -> list[int]:
    """Source ids in Source's own order: newest publication first, undated last, then by id, newest first."""
    entries = sorted(entries, key=lambda e: e[0], reverse=True)
    dated = sorted((e for e in entries if e[1] is not None), key=lambda e: str(e[1]), reverse=True)
    return [e[0] for e in dated] + [e[0] for e in entries if e[1] is None]


def _clean(kind: str, doc: dict) -> dict:
    model = KINDS[kind][0]
    for name, value in doc.items():
        field = model._meta.get_field(name)
        kind_ = field.get_internal_type()
        if kind_ == "BooleanField":
            doc[name] = bool(value)
        elif kind_ == "DecimalField" and value is not None:
            doc[name] = _money.to_representation(Decimal(str(value)))
        elif kind_ == "DateField" and value is not None:
            doc[name] = str(value)[:10]
        elif value == "" and isinstance(field, CountryField):
            doc[name] = None  # no country is null in the API, as NullableCountryField gives it
    return doc


def _order_key(kind: str):
    """Python sort key equal to the model's Meta.ordering (dates as ISO text sort as dates; nulls last)."""
    names = [o.expression.name if hasattr(o, "expression") else o.lstrip("-") for o in KINDS[kind][0]._meta.ordering]
    return lambda doc: tuple((doc[n] is None, doc[n] if doc[n] is not None else "") for n in names)


def build_documents(rows: list[dict], request, fetched: tuple[list, list] | None = None) -> list[dict]:
    """Full API documents for detainee rows (from `values(*TOP_FIELDS)`), in the rows' order: from query 2 (`api_rows`),
    or from `fetched`, what a case page already read of these people (`fetched_for_api`)."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    nested, linked = fetched if fetched is not None else split_links(run(api_rows, ids))
    records: dict[str, dict[int, dict]] = {kind: {} for kind in KINDS}
    parents: dict[tuple[str, int], int] = {}
    for kind, parent_id, doc in nested:
        if isinstance(doc, str):  # a backend that hands JSON back as text
            doc = json.loads(doc)
        records[kind][doc["id"]] = _clean(kind, doc)
        parents[kind, doc["id"]] = parent_id
    for kind in KINDS:  # the serializer's fields in its order, so the JSON is its byte for byte
        fields = KINDS[kind][1].Meta.fields
        for pk, doc in records[kind].items():
            records[kind][pk] = {n: [] if n in NESTED else doc[n] for n in fields}
    cited: dict[tuple[str, int], list] = {}
    for kind, owner, target, published_on in linked:
        cited.setdefault((kind, owner), []).append((target, published_on))
    for kind in KINDS:
        for pk, doc in records[kind].items():
            if "sources" in doc:
                doc["sources"] = _sources_order(cited.get((kind, pk), []))
            if kind == "sentence":
                doc["charges"] = sorted(t for t, _ in cited.get(("sentence_charge", pk), []))
    # Attach each record to its parent, in the model's order.
    tops: dict[int, dict] = {pk: {"detentions": [], "designations": []} for pk in ids}
    for kind in ["change", "charge", "sentence", "transfer", "extension", "counsel", "detention", "designation"]:
        _, _, _, _, parent_kind, plural = KINDS[kind]
        for doc in sorted(records[kind].values(), key=_order_key(kind)):
            parent_id = parents[kind, doc["id"]]
            target = tops[parent_id] if parent_kind is None else records[parent_kind][parent_id]
            target[plural].append(doc)
    api = request.build_absolute_uri(_api_detail_pattern())
    page = request.build_absolute_uri(fast_url("detainees:detainee-detail", args=["__slug__"]))
    today = timezone.localdate()
    out = []
    for row in rows:
        nested = tops[row["id"]]
        days = days_on(*days_held_parts(nested["detentions"]), today)
        doc = {}
        for name in DetaineeSerializer.Meta.fields:
            if name == "url":
                doc[name] = api.replace("999999999", str(row["id"]))
            elif name == "html_url":
                doc[name] = page.replace("__slug__", row["slug"])
            elif name == "days_held":
                doc[name] = days
            elif name == "review_state":
                doc[name] = review_state_of(row["is_published"], row["awaiting_review"])
            elif name == "sources":
                doc[name] = _sources_order(cited.get(("detainee", row["id"]), []))
            elif name in nested:
                doc[name] = nested[name]
            else:
                doc[name] = _top_value(name, row[name])
        out.append(doc)
    return out


_API_DETAIL: dict[tuple, str] = {}


def _api_detail_pattern() -> str:
    """`reverse("api:detainee-detail", args=[999999999])`, kept per script prefix, URL configuration and language:
    the router's pattern is a regular expression, which `fast_url` leaves to `reverse()` (~0.1 ms a build, h64)."""
    key = (get_script_prefix(), get_urlconf(), get_language())
    found = _API_DETAIL.get(key)
    if found is None:
        found = _API_DETAIL[key] = reverse("api:detainee-detail", args=[999999999])
    return found


def _forget_api_detail(**kwargs):
    _API_DETAIL.clear()


setting_changed.connect(_forget_api_detail, dispatch_uid="h64-forget-api-detail-pattern")


def _date(value):
    if isinstance(value, datetime.date) or not value:
        return value or None
    return datetime.date.fromisoformat(value)


def _top_value(name: str, value):
    if name == "citizenships":  # values() gives the stored text, "RU,UA"
        value = value.split(",") if isinstance(value, str) else value or []
        return [getattr(c, "code", c) for c in value if c]
    if name == "held_by":
        return getattr(value, "code", value) or None
    if isinstance(value, datetime.datetime):
        return _datetime.to_representation(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


# ---- the case page: the same records in one query, as model instances ----------------------------------------------


def case_rows(detainee_ids: list[int], *, previews: tuple[bool, bool, bool] = (False, False, True)):
    """Every nested record of these detainees with all its columns, and what else their page shows (exchange
    participations, claims, statements, each with the records it names, and their exchanges' citations), as one
    UNION ALL of JSON objects. `previews`: whether the reader may see draft people, draft exchanges, and every
    statement about these people unfiltered (`case_rows_for`)."""
    parts = []
    for kind, (model, _, to_detainee, parent, _, _) in KINDS.items():
        doc = JSONObject(**{f.attname: _json_value(model, f.name) for f in model._meta.concrete_fields})
        parts.append(
            model.objects.filter(**{f"{to_detainee}__in": detainee_ids}).order_by()
            .values_list(Value(kind, output_field=CharField()), F(parent), doc)
        )  # fmt: skip
    people, exchanges, statements = previews
    participant = EXTRAS["participation"][0]
    participations = participant.objects.filter(detainee_id__in=detainee_ids)
    if not people:
        participations = participations.filter(detainee__is_published=True)
    if not exchanges:
        participations = participations.filter(exchange__is_published=True)
    claim = EXTRAS["claim"][0]
    about_sentences = Sentence.objects.filter(detention__detainee_id__in=detainee_ids).values("id")
    claims = claim.objects.filter(
        Q(detainee__id__in=detainee_ids) | Q(detention__detainee_id__in=detainee_ids)
        | Q(content_type__app_label="detainees", content_type__model="sentence", object_id__in=about_sentences)
    )  # fmt: skip
    statement = EXTRAS["statement"][0]
    said = statement.objects.filter(**{f"{Detainee._meta.get_field('statements').field.name}__id__in": detainee_ids})
    if not statements:  # a draft's page, for a reader who may not see draft statements (see `case_rows_for`)
        said = said.filter(id__in=statement.objects.published().values("id"))
    for kind, queryset in [("participation", participations), ("claim", claims), ("statement", said)]:
        parts.append(queryset.order_by().values_list(Value(kind, output_field=CharField()), F("id"),
                                                     _with_related(*EXTRAS[kind])))  # fmt: skip
    cites = participant._meta.get_field("exchange").related_model.sources.through
    parts.append(
        cites.objects.filter(exchange_id__in=participations.values("exchange_id")).order_by()
        .values_list(Value("exchange_source", output_field=CharField()), F("exchange_id"),
                     JSONObject(source_id=F("source_id"), published_on=F("source__published_on")))
    )  # fmt: skip
    links = _link_parts(detainee_ids, as_json=True)  # the citations and sentence–charge links (h61: one query less)
    # the sources they cite, each once, with their outlets (h61: another query less): one IN of a UNION ALL, which
    # PostgreSQL answers by the primary key (an OR of INs scanned every source: 25 ms at 40,000 sources)
    cited = [cites.objects.filter(exchange_id__in=participations.values("exchange_id")).values_list("source_id")]
    cited += [rows.values_list("source_id") for kind, _, rows in _throughs(detainee_ids) if kind != "sentence_charge"]
    source = Detainee._meta.get_field("sources").related_model
    parts += links
    sources = source.objects.filter(id__in=cited[0].union(*cited[1:], all=True)).order_by()
    parts.append(
        sources.values_list(Value("source", output_field=CharField()), F("id"), _with_related(source, {"outlet": {}}))
    )
    if len(detainee_ids) == 1:  # a case page: its corrections too (h63: one statement less a page)
        from .selectors import change_log_parts

        detentions = Detention.objects.filter(detainee_id__in=detainee_ids).values("id")
        parts += [
            history.values_list(Value("correction", output_field=CharField()), F("history_id"),
                                JSONObject(date=F("history_date"), reason=F("history_change_reason")))
            for history in change_log_parts(detainee_ids[0], detentions)
        ]  # fmt: skip
    return parts[0].union(*parts[1:], all=True)


def case_rows_for(user, detainee: Detainee):
    """`case_rows` for what `user` may see on `detainee`'s page, compiled once per variant (`run` keys its SQL by
    the builder's name). A statement about a published person is published (`StatementQuerySet.published`): only a
    draft's page, seen by an editor who may not preview statements, tests each statement (a subquery over every
    statement that cost 25–100 ms on a cold copy of 100,000 cases)."""
    participant = EXTRAS["participation"][0]
    previews = (Detainee.objects.previews(user),
                participant._meta.get_field("exchange").related_model.objects.previews(user),
                detainee.is_published or EXTRAS["statement"][0].objects.previews(user))  # fmt: skip
    if previews == (False, False, True):
        return case_rows
    if previews not in _VARIANTS:

        def build(detainee_ids):
            return case_rows(detainee_ids, previews=previews)

        build.__name__ = "case_rows_previewing_" + "".join("yn"[not p] for p in previews)
        _VARIANTS[previews] = build
    return _VARIANTS[previews]


_VARIANTS: dict[tuple, object] = {}

# What a case page shows beside the records: kind -> (model, {relation: its own relations} to read with it).
EXTRAS = {
    "participation": (Detainee._meta.get_field("exchange_participations").related_model,
                      {"exchange": {}, "released_by_group": {}, "received_by_group": {}}),
    "claim": (Detainee._meta.get_field("claims").related_model, {"content_type": {}, "source": {"outlet": {}}}),
    "statement": (Detainee._meta.get_field("statements").related_model, {"source": {"outlet": {}}, "official": {}}),
}  # fmt: skip


def _with_related(model, relations: dict, prefix: str = ""):
    """A record's columns as a JSON object, each relation in `relations` nested in it under its name."""
    doc = {f.attname: Cast(prefix + f.name, CharField()) if f.get_internal_type() == "DecimalField"
           else F(prefix + f.attname) for f in model._meta.concrete_fields}  # fmt: skip
    for name, further in relations.items():
        doc[name] = _with_related(model._meta.get_field(name).related_model, further, f"{prefix}{name}__")
    return JSONObject(**doc)


def _related_from_json(model, relations: dict, doc: dict, using: str):
    """The instance `_with_related` described, its relations cached on it as select_related leaves them."""
    nested = {name: doc.pop(name) for name in relations}
    obj = _from_json(model, doc, using)
    for name, further in relations.items():
        related = model._meta.get_field(name).related_model
        value = nested[name]
        if isinstance(value, str):
            value = json.loads(value)
        obj._state.fields_cache[name] = (
            None if value is None or value.get("id") is None else _related_from_json(related, further, value, using)
        )
    return obj


def _ordered(model, objs: list) -> list:
    """`objs` in the model's Meta.ordering, as the database gives it (nulls last going up, first going down)."""
    objs = list(objs)
    for name in reversed(model._meta.ordering):
        descending, name = name.startswith("-"), name.lstrip("-")
        present = sorted((o for o in objs if getattr(o, name) is not None), key=lambda o: getattr(o, name),
                         reverse=descending)  # fmt: skip
        missing = [o for o in objs if getattr(o, name) is None]
        objs = missing + present if descending else present + missing
    return objs


def _from_json(model, doc: dict, using: str):
    names, values = [], []
    for field in model._meta.concrete_fields:
        value = doc.get(field.attname)
        if value is not None:
            internal = field.get_internal_type()
            if internal == "DateTimeField":
                value = parse_datetime(str(value))
                if timezone.is_naive(value):
                    value = timezone.make_aware(value, datetime.UTC)
            elif internal in {"DateField", "DecimalField", "BooleanField"}:
                value = field.to_python(value)
        names.append(field.attname)
        values.append(value)
    return model.from_db(using, names, values)


def _cached(model, items) -> QuerySet:
    """A queryset that is already evaluated, as prefetch_related leaves one: `.all()` reads it without a query."""
    queryset = model._default_manager.all()
    queryset._result_cache = list(items)
    queryset._prefetch_done = True
    return queryset


def load_case(detainee: Detainee, user=None) -> Detainee:
    """Fill `detainee` with everything the case page shows, as `case_queryset()` would, in one query: the
    nested records with what else the page shows, the citation links and the cited sources with their outlets
    (`case_rows`, what `user` may see). The page's exchange participations, claims and statements are left in
    `detainee.case_extras` ({"participation": [...], "claim": [...], "statement": [...]}, each in its model's
    order; each participation's exchange with its sources), with the case's corrections as (date, reason) rows
    under "correction" (`selectors.public_change_log`)."""
    from sources.models import Source

    using = detainee._state.db or "default"
    objects: dict[str, dict[int, object]] = {kind: {} for kind in KINDS}
    parents: dict[tuple[str, int], int] = {}
    fetched = ([], [])  # kept for the API document (`fetched_for_api`): records, and links as `links` has them
    extras: dict[str, list] = {kind: [] for kind in EXTRAS}
    exchange_cites: dict[int, dict[int, object]] = {}
    sources: dict[int, object] = {}
    corrections = []  # (date, reason) for `selectors.public_change_log`
    for kind, parent_id, doc in run(case_rows_for(user, detainee), [detainee.pk]):
        if isinstance(doc, str):
            doc = json.loads(doc)
        if kind == "correction":
            corrections.append((doc["date"], doc["reason"]))
            continue
        if kind.startswith("link:"):
            fetched[1].append((kind[5:], parent_id, doc["target"], doc.get("published_on")))
            continue
        if kind == "source":
            sources[parent_id] = _related_from_json(Source, {"outlet": {}}, doc, using)
            continue
        if kind == "exchange_source":
            exchange_cites.setdefault(parent_id, {})[doc["source_id"]] = doc["published_on"]
            continue
        if kind in EXTRAS:
            extras[kind].append(_related_from_json(*EXTRAS[kind], doc, using))
            continue
        fetched[0].append((kind, parent_id, doc))
        obj = _from_json(KINDS[kind][0], doc, using)
        objects[kind][obj.pk] = obj
        parents[kind, obj.pk] = parent_id
    detainee._case_fetched = fetched
    cited: dict[tuple[str, int], list] = {}
    for kind, owner, target, published_on in fetched[1]:
        cited.setdefault((kind, owner), []).append((target, published_on))

    def sources_of(kind, pk):
        return _cached(Source, [sources[i] for i in _sources_order(cited.get((kind, pk), []))])

    children: dict[tuple[str, int], dict[str, list]] = {}
    for kind in ["change", "charge", "sentence", "transfer", "extension", "counsel", "detention", "designation"]:
        model, _, _, _, parent_kind, plural = KINDS[kind]
        names = [o.expression.name if hasattr(o, "expression") else o for o in model._meta.ordering]
        ordered = sorted(objects[kind].values(),
                         key=lambda o: tuple((getattr(o, n) is None, getattr(o, n) or 0) for n in names))  # fmt: skip
        for obj in ordered:
            parent_id = parents[kind, obj.pk]
            owner = (parent_kind or "detainee", parent_id)
            children.setdefault(owner, {}).setdefault(plural, []).append(obj)
            parent = detainee if parent_kind is None else objects[parent_kind][parent_id]
            obj._state.fields_cache[model._meta.get_field(KINDS[kind][3].removesuffix("_id")).name] = parent
    for sentence in objects["sentence"].values():  # the earlier sentence a term combines: one of the same person's
        if sentence.combines_id in objects["sentence"]:
            sentence._state.fields_cache["combines"] = objects["sentence"][sentence.combines_id]
    for kind, records in [("detainee", {detainee.pk: detainee}), *objects.items()]:
        for pk, obj in records.items():
            cache = {"sources": sources_of(kind, pk)}
            for plural, model in PLURALS.get(kind, {}).items():
                cache[plural] = _cached(model, children.get((kind, pk), {}).get(plural, []))
            if kind == "sentence":
                charge_ids = sorted(t for t, _ in cited.get(("sentence_charge", pk), []))
                cache["charges"] = _cached(Charge, [objects["charge"][i] for i in charge_ids])
            obj._prefetched_objects_cache = cache
    for participation in extras["participation"]:
        participation._state.fields_cache["detainee"] = detainee
        exchange = participation.exchange
        order = _sources_order(list(exchange_cites.get(exchange.pk, {}).items()))
        exchange._prefetched_objects_cache = {"sources": _cached(Source, [sources[i] for i in order])}
    detainee.case_extras = {kind: _ordered(EXTRAS[kind][0], objs) for kind, objs in extras.items()}
    detainee.case_extras["correction"] = corrections
    return detainee


PLURALS = {
    "detainee": {"detentions": Detention, "designations": Designation},
    "detention": {
        "charges": Charge,
        "sentences": Sentence,
        "transfers": Transfer,
        "extensions": CustodyExtension,
        "counsel": Counsel,
    },
    "sentence": {"changes": SentenceChange},
}


# ---- day counts: the one part of a case that changes with the date ------------------------------------------------
#
# A custody still open counts days up to today. A stored document keeps what the count is made of instead of the
# count (`days_marker`), and the count is filled in each time it is served (`fill_days`), so a stored document of
# someone still held does not go out of date at midnight.

_DAYS = re.compile(r"<!--days ([0-9]+) ([01]) ([0-9,-]*)-->")  # the page's text escapes "<": no record can write it


def days_held_parts(detentions) -> tuple[int, list[datetime.date]]:
    """`certain_days` summed over detentions (records or API dicts), split into what no longer changes (the days of
    custody that ended) and the days a custody still open counts from: the count on a day is
    `fixed + sum(max((day - start).days, 0) for start in starts)`."""
    fixed, starts = 0, []
    for d in detentions:
        get = d.get if isinstance(d, dict) else lambda name, d=d: getattr(d, name)
        start, precision = certain_start(
            _date(get("detained_on")),
            get("detained_on_precision"),
            _date(get("last_confirmed_on")),
            get("last_confirmed_on_precision"),
            _date(get("released_on")),
            get("released_on_precision"),
        )
        end, reason = _date(get("released_on")), get("end_reason")
        if start is None or (end is None and reason):
            continue
        if end is None:
            starts.append(span_last_day(start, precision))
        else:
            fixed += certain_days(start, precision, end, reason, end)
    return fixed, starts


def days_on(fixed: int, starts: list[datetime.date], today: datetime.date) -> int:
    return fixed + sum(max((today - start).days, 0) for start in starts)


def days_sentence(days: int, minimum: bool) -> str:
    """ " 1,234 days in custody in all." (or "At least …"), or nothing for no certain day: the case page's words."""
    # A template's render() is already safe text, escaped by the template itself: no mark_safe needed here.
    return get_template("detainees/days_held.html").render({"days_held": days, "days_held_minimum": minimum})


def days_marker(fixed: int, starts: list[datetime.date], minimum: bool) -> str:
    """What a stored page holds in place of `days_sentence` (see `fill_days`)."""
    return mark_safe(f"<!--days {fixed} {int(minimum)} {','.join(s.isoformat() for s in starts)}-->")


def fill_days(page: str, today: datetime.date) -> str:
    """A stored page with its day count as of `today`, in the active language (stored pages are English)."""

    def sentence(match):
        starts = [datetime.date.fromisoformat(s) for s in match[3].split(",") if s]
        return days_sentence(days_on(int(match[1]), starts, today), match[2] == "1")

    return _DAYS.sub(sentence, page)


def days_held_of(document: dict, today: datetime.date) -> int:
    """An API document's `days_held` on `today`, from its detentions (what a stored one is served with)."""
    return days_on(*days_held_parts(document["detentions"]), today)


def fetched_for_api(detainee: Detainee) -> tuple[list, list] | None:
    """What `load_case` read of this person, as query 2 of `build_documents` gives it (`split_links`): each record's
    row holds every column (`case_rows`), of which the API document takes its serializer's fields, by the same SQL
    expressions (`_json_value`). None if the person was not loaded by `load_case`."""
    fetched = getattr(detainee, "_case_fetched", None)
    if fetched is None:
        return None
    rows, linked = fetched
    columns = {kind: [(name, KINDS[kind][0]._meta.get_field(name).attname) for name in plain_fields(kind)]
               for kind in KINDS}  # fmt: skip
    nested = [(kind, parent_id, {name: doc[column] for name, column in columns[kind]}) for kind, parent_id, doc in rows]
    return nested, linked
