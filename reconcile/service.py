"""The reconciliation service (W3C Reconciliation Service API 0.2) over the tracker's records.

Types: `detainee`, `official`, `group`, `exchange`. Identifiers: a detainee's is its id as in `/api/v1/detainees/<id>/`
("12"); the others carry their type ("official/3", "group/2", "exchange/4"). Every candidate is scored by the one
matcher (`common.matching`); what a caller may see is what `visible_to(user)` gives them, so drafts never match,
suggest, preview or extend for the public. A detainee id merged away (`MergedDetainee`) still answers: its preview and
page redirect to the survivor, data extension fills its row from the survivor and reports `merged_into`.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from functools import cache
from pathlib import Path

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from common import matching
from common.models import iso_partial_date
from detainees.models import Detainee, Group, MergedDetainee, Status
from exchanges.models import Exchange, ExchangeParticipant
from sources.models import Official

SCHEMAS = Path(__file__).resolve().parent / "schemas"
MAX_QUERIES = 100  # per batch (OpenRefine sends 10)
MAX_IDS = 200  # per data-extension request
DEFAULT_LIMIT, MAX_LIMIT = 5, 25


class BadRequest(Exception):
    """A request the service cannot answer: `field` names what to fix."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, str(message)


@dataclasses.dataclass(frozen=True)
class EntityType:
    id: str
    name: object  # lazily translated
    query_properties: tuple[str, ...]  # evidence a query may bring
    extend_properties: tuple[str, ...]  # columns data extension can fill


TYPES = {
    "detainee": EntityType("detainee", _("Detainee"), ("citizenship", "born_on", "held_by", "arrested_on"),
                           ("status", "held_by", "latest_detention", "arrested_on", "exchange", "wikidata_id", "url",
                            "citizenship", "born_on", "name_original", "merged_into")),
    "official": EntityType("official", _("Official"), ("country",), ("role", "country", "wikidata_id", "url")),
    "group": EntityType("group", _("Group"), ("country",), ("kind", "country", "wikidata_id", "url")),
    "exchange": EntityType("exchange", _("Exchange"), ("date",), ("date", "status", "place", "participants", "url")),
}  # fmt: skip
PROPERTIES = {
    "citizenship": _("Citizenship"),
    "born_on": _("Born on"),
    "held_by": _("Held by"),
    "arrested_on": _("Arrested on"),
    "status": _("Status"),
    "latest_detention": _("Latest detention"),
    "exchange": _("Exchange"),
    "wikidata_id": _("Wikidata id"),
    "url": _("Page URL"),
    "name_original": _("Name in original script"),
    "merged_into": _("Merged into"),
    "country": _("Country"),
    "role": _("Role"),
    "kind": _("Kind"),
    "date": _("Date"),
    "place": _("Place"),
    "participants": _("Participants"),
}
ENTITY_VALUED = {"exchange": "exchange", "merged_into": "detainee", "participants": "detainee"}


# --- identifiers ----------------------------------------------------------------------------------------------


def entity_id(type_id: str, pk: int) -> str:
    return str(pk) if type_id == "detainee" else f"{type_id}/{pk}"


def parse_id(raw) -> tuple[str, int] | None:
    """("detainee", 12) for "12", ("official", 3) for "official/3"; None for anything else."""
    m = re.fullmatch(r"(?:(detainee|official|group|exchange)/)?([0-9]{1,18})", str(raw).strip())
    return (m[1] or "detainee", int(m[2])) if m else None


def visible(type_id: str, user):
    """The records of a type that `user` may see: the public never sees a draft detainee or exchange."""
    if type_id == "detainee":
        return Detainee.objects.visible_to(user)
    if type_id == "exchange":
        return Exchange.objects.visible_to(user)
    return Official.objects.all() if type_id == "official" else Group.objects.all()


def lookup(raw_id, user):
    """(type, record, merge) for an identifier: the record visible to `user`, else for a detainee merged away the
    survivor and its `MergedDetainee`; (type, None, None) when nothing visible answers."""
    parsed = parse_id(raw_id)
    if parsed is None:
        return None, None, None
    type_id, pk = parsed
    found = visible(type_id, user).filter(pk=pk).first()
    if found is None and type_id == "detainee":
        merge = MergedDetainee.objects.redirect_for(user, pk=pk)
        if merge is not None:
            return type_id, visible("detainee", user).filter(pk=merge.into_id).first(), merge
    return type_id, found, None


# --- values given by callers ----------------------------------------------------------------------------------


def parse_country(value) -> str | None:
    """An ISO code (alpha-2 or alpha-3) or an English country name → alpha-2; None when it is not a country."""
    text = str(value).strip()
    if not text:
        return None
    code = countries.alpha2(text)
    if code:
        return code
    return countries.by_name(text) or None


def parse_date(value) -> tuple[datetime.date, str] | None:
    """ "1991", "1991-10", "1991-10-26" (or an ISO date-time, as OpenRefine sends dates) → (date, precision)."""
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ].*)?)?)?", text)
    if not m:
        return None
    try:
        if m[3]:
            return datetime.date(int(m[1]), int(m[2]), int(m[3])), "day"
        if m[2]:
            return datetime.date(int(m[1]), int(m[2]), 1), "month"
        return datetime.date(int(m[1]), 1, 1), "year"
    except ValueError:
        return None


def _values(v) -> list:
    items = v if isinstance(v, list) else [v]
    out = []
    for item in items:
        if isinstance(item, dict):  # a value reconciled before: {"id", "name"}
            item = item.get("name") or item.get("id")
        if item is not None and str(item).strip():
            out.append(item)
    return out


def query_record(field: str, text: str, type_id: str, properties: list) -> matching.Record:
    """The matcher's view of one query: its name and the evidence its properties bring."""
    record = matching.Record(names=[text] if text.strip() else [])
    allowed = TYPES[type_id].query_properties
    for i, prop in enumerate(properties):
        pid, where = prop["pid"], f"{field}.properties[{i}]"
        if pid not in allowed:
            raise BadRequest(f"{where}.pid", _("Unknown property “%(pid)s” for type %(type)s; use one of: %(allowed)s.")
                             % {"pid": pid, "type": type_id, "allowed": ", ".join(allowed)})  # fmt: skip
        values = _values(prop["v"])
        if pid in ("citizenship", "country"):
            codes = {c for c in (parse_country(v) for v in values) if c}
            if pid == "citizenship":
                record.citizenships = [*record.citizenships, *codes]
            else:
                record.codes.setdefault("country", set()).update(codes)
        elif pid == "held_by":  # a country, or a group's name
            record.codes.setdefault("held_by", set()).update(parse_country(v) or str(v).strip() for v in values)
        else:
            dates = [d for d in (parse_date(v) for v in values) if d]
            if values and not dates:
                raise BadRequest(f"{where}.v", _("A date: YYYY, YYYY-MM or YYYY-MM-DD."))
            if pid == "born_on" and dates:
                record.born_on, record.born_on_precision = dates[0]
            elif dates:
                record.dates.setdefault(pid, []).extend(dates)
    return record


# --- candidates -----------------------------------------------------------------------------------------------

GENERIC_EXCHANGE_WORDS = {"exchange", "swap", "prisoner", "prisoners", "trade", "deal", "of", "the", "and"}


def _exchange_name(name: str) -> str:
    return " ".join(w for w in re.split(r"[\s\-–—/]+", name) if w.lower() not in GENERIC_EXCHANGE_WORDS)


def candidates(type_id: str, record: matching.Record, user, limit: int) -> list:
    """(record, Match) best first, for one query of one type."""
    if not record.names:
        return []
    if type_id == "exchange":
        query = dataclasses.replace(record, names=[_exchange_name(n) for n in record.names])
        rows = visible("exchange", user).only("id", "name", "slug", "date", "date_precision", "status")[:5000]
        pairs = []
        for ex in rows:
            rec = matching.Record(names=[_exchange_name(ex.name)])
            if ex.date:
                rec.dates["date"] = [(ex.date, ex.date_precision)]
            pairs.append((ex, rec))
        return matching.rank(query, pairs, threshold=0.01)[:limit]
    record_of = matching.Record.of
    queryset = visible(type_id, user)
    if type_id == "detainee":
        queryset = queryset.prefetch_related("detentions__held_by_group")

        def record_of(person):
            rec = matching.Record.of(person)
            spells = list(person.detentions.all())
            rec.dates["arrested_on"] = [(d.detained_on, d.detained_on_precision) for d in spells if d.detained_on]
            rec.codes["held_by"] = {d.held_by_group.name if d.held_by_group_id else d.held_by.code for d in spells
                                    if d.held_by_group_id or d.held_by}  # fmt: skip
            return rec
    elif type_id in ("official", "group"):

        def record_of(obj):
            rec = matching.Record.of(obj)
            if obj.country:
                rec.codes["country"] = {obj.country.code}
            return rec

        queryset = queryset.only("id", "name", "name_original", "aliases", "country")
    return matching.find(queryset, record, threshold=0.01, limit=limit, record_of=record_of)


def describe(type_id: str, obj) -> str:
    """A line to tell namesakes apart, in a candidate list or a suggestion."""
    if type_id == "detainee":
        bits = [", ".join(c.name for c in obj.citizenships), iso_partial_date(obj.born_on, obj.born_on_precision),
                obj.description]  # fmt: skip
    elif type_id == "official":
        bits = [obj.role, obj.country.name if obj.country else ""]
    elif type_id == "group":
        bits = [obj.get_kind_display(), obj.country.name if obj.country else ""]
    else:
        bits = [iso_partial_date(obj.date, obj.date_precision), obj.get_status_display()]
    return " · ".join(str(b) for b in bits if b)


def reconcile(queries: dict, user) -> dict:
    """Answer a validated batch: `{"q0": {"result": [candidate, …]}, …}`."""
    out = {}
    for key, q in queries.items():
        field = f"queries.{key}"
        types = q.get("type") or "detainee"
        types = [types] if isinstance(types, str) else types
        for t in types:
            if t not in TYPES:
                raise BadRequest(f"{field}.type", _("Unknown type “%(type)s”; use one of: %(types)s.")
                                 % {"type": t, "types": ", ".join(TYPES)})  # fmt: skip
        limit = q.get("limit", DEFAULT_LIMIT)
        if not isinstance(limit, int | float) or limit < 1 or int(limit) != limit:
            raise BadRequest(f"{field}.limit", _("A whole number of 1 or more."))
        limit = min(int(limit), MAX_LIMIT)
        scored = []
        for t in dict.fromkeys(types or ["detainee"]):
            record = query_record(field, q.get("query") or "", t, q.get("properties") or [])
            scored += [((t, obj), m) for obj, m in candidates(t, record, user, limit)]
        scored.sort(key=lambda km: -km[1].score)
        scored = scored[:limit]
        winner = matching.auto_match(scored)
        out[key] = {"result": [{
            "id": entity_id(t, obj.pk),
            "name": obj.name,
            "description": describe(t, obj),
            "type": [{"id": t, "name": str(TYPES[t].name)}],
            "score": round(m.score * 100, 1),
            "match": (t, obj) == winner,
            "features": [{"id": k, "value": v} for k, v in m.features.items()],
        } for (t, obj), m in scored]}  # fmt: skip
    return out


# --- suggest --------------------------------------------------------------------------------------------------


def suggest_entities(prefix: str, type_id: str | None, user, *, cursor: int = 0, limit: int = 10) -> list[dict]:
    """Records whose names begin (in any spelling) with what is being typed."""
    results = []
    for t in [type_id] if type_id else list(TYPES):
        qs = visible(t, user)
        qs = qs.filter(name__icontains=prefix.strip()) if t == "exchange" else qs.search(prefix)
        if t == "detainee":
            qs = qs.ranked(prefix)
        results += [(t, obj) for obj in qs[: cursor + limit]]
    return [{"id": entity_id(t, obj.pk), "name": obj.name, "description": describe(t, obj),
             "notable": [{"id": t, "name": str(TYPES[t].name)}]}
            for t, obj in results[cursor : cursor + limit]]  # fmt: skip


def suggest_properties(prefix: str, type_id: str | None) -> list[dict]:
    pids = TYPES[type_id].query_properties + TYPES[type_id].extend_properties if type_id else tuple(PROPERTIES)
    folded = prefix.strip().casefold()
    return [{"id": pid, "name": str(PROPERTIES[pid])} for pid in dict.fromkeys(pids)
            if folded in pid.casefold() or folded in str(PROPERTIES[pid]).casefold()]  # fmt: skip


def suggest_types(prefix: str) -> list[dict]:
    folded = prefix.strip().casefold()
    return [{"id": t.id, "name": str(t.name)} for t in TYPES.values()
            if folded in t.id or folded in str(t.name).casefold()]  # fmt: skip


def propose_properties(type_id: str, limit: int | None) -> dict:
    pids = TYPES[type_id].extend_properties
    pids = pids[:limit] if limit else pids
    body = {"type": type_id, "properties": [{"id": pid, "name": str(PROPERTIES[pid])} for pid in pids]}
    if limit:
        body["limit"] = limit
    return body


# --- data extension -------------------------------------------------------------------------------------------


def _str(value) -> list[dict]:
    return [{"str": str(value)}] if value not in (None, "") else []


def _holder(country, group) -> str:
    if group is not None:
        return group.name
    return countries.name(getattr(country, "code", country) or "") or ""


def extension_values(type_id: str, obj, pid: str, request, merge=None, links=None) -> list[dict]:
    """The cells of one property for one record, in the 0.2 value shapes (`str`, or `id`+`name` for records).
    `links` holds the exchange participations visible to the caller, loaded once for the whole request."""
    links = links or {}
    if pid == "url":
        return _str(request.build_absolute_uri(obj.get_absolute_url()))
    if pid == "wikidata_id":
        return _str(obj.wikidata_id)
    if pid == "merged_into":
        return [{"id": entity_id("detainee", obj.pk), "name": obj.name}] if merge else []
    if type_id == "detainee":
        if pid == "status":
            return _str(Status(obj.status).label)
        if pid == "held_by":
            return _str(_holder(obj.held_by, obj.held_by_group))
        if pid == "citizenship":
            return [{"str": c.name} for c in obj.citizenships]
        if pid == "born_on":
            return _str(iso_partial_date(obj.born_on, obj.born_on_precision))
        if pid == "name_original":
            return _str(obj.name_original)
        latest = obj.latest_detention
        if pid == "arrested_on":
            return _str(latest and iso_partial_date(latest.detained_on, latest.detained_on_precision))
        if pid == "latest_detention":
            if latest is None:
                return []
            start = iso_partial_date(latest.detained_on, latest.detained_on_precision) or "?"
            end = iso_partial_date(latest.released_on, latest.released_on_precision)
            return _str(f"{_holder(latest.held_by, latest.held_by_group) or '?'}, {start} – {end}".rstrip(" –"))
        if pid == "exchange":
            return [{"id": entity_id("exchange", p.exchange_id), "name": p.exchange.name}
                    for p in links.get(("detainee", obj.pk), [])]  # fmt: skip
    if type_id == "exchange":
        if pid == "date":
            return _str(iso_partial_date(obj.date, obj.date_precision))
        if pid == "status":
            return _str(obj.get_status_display())
        if pid == "place":
            return _str(obj.place)
        if pid == "participants":
            return [{"id": entity_id("detainee", p.detainee_id), "name": p.detainee.name}
                    for p in links.get(("exchange", obj.pk), [])]  # fmt: skip
    if pid == "country":
        return _str(obj.country.name if obj.country else "")
    if pid == "role":
        return _str(obj.role)
    if pid == "kind":
        return _str(obj.get_kind_display())
    return []


def extend(query: dict, request) -> dict:
    """Answer a validated data-extension query: `{"meta": [...], "rows": {id: {pid: [values]}}}`."""
    ids, props = query["ids"], [p["id"] for p in query["properties"]]
    if len(ids) > MAX_IDS:
        raise BadRequest("extend.ids", _("At most %(n)d ids per request.") % {"n": MAX_IDS})
    for i, pid in enumerate(props):
        if pid not in PROPERTIES:
            raise BadRequest(f"extend.properties[{i}].id", _("Unknown property “%(pid)s”.") % {"pid": pid})
    user = request.user
    parsed = {raw: parse_id(raw) for raw in ids}
    wanted: dict[str, set[int]] = {}
    for p in parsed.values():
        if p:
            wanted.setdefault(p[0], set()).add(p[1])
    # Merged-away detainee ids answer with their survivor (one query for the merges, the survivors load below).
    merges = {m.merged_id: m for m in MergedDetainee.objects.visible_to(user).filter(
        merged_id__in=wanted.get("detainee", set()))}  # fmt: skip
    wanted.setdefault("detainee", set()).update(m.into_id for m in merges.values())
    found = {}
    for type_id, pks in wanted.items():
        if not pks:
            continue
        qs = visible(type_id, user).filter(pk__in=pks)
        if type_id == "detainee":
            qs = qs.with_status().select_related("latest_detention__held_by_group")
        found.update({(type_id, obj.pk): obj for obj in qs})
    links: dict[tuple[str, int], list] = {}
    if "exchange" in props or "participants" in props:
        people = [pk for (t, pk) in found if t == "detainee"]
        swaps = [pk for (t, pk) in found if t == "exchange"]
        parts = (
            ExchangeParticipant.objects.visible_to(user)
            .filter(Q(detainee_id__in=people) | Q(exchange_id__in=swaps))
            .select_related("exchange", "detainee")
            .order_by("exchange__date", "exchange_id", "id")
        )
        for part in parts:
            links.setdefault(("detainee", part.detainee_id), []).append(part)
            links.setdefault(("exchange", part.exchange_id), []).append(part)
    rows = {}
    for raw in ids:
        type_id, pk = parsed[raw] or (None, None)
        merge = merges.get(pk) if type_id == "detainee" and (type_id, pk) not in found else None
        obj = found.get((type_id, merge.into_id if merge else pk))
        rows[raw] = {pid: (extension_values(type_id, obj, pid, request, merge, links)
                           if obj is not None and pid in TYPES[type_id].extend_properties else [])
                     for pid in props}  # fmt: skip
    meta = []
    for pid in props:
        entry = {"id": pid, "name": str(PROPERTIES[pid])}
        if pid in ENTITY_VALUED:
            entry["type"] = {"id": ENTITY_VALUED[pid], "name": str(TYPES[ENTITY_VALUED[pid]].name)}
        meta.append(entry)
    return {"meta": meta, "rows": rows}


# --- the manifest ---------------------------------------------------------------------------------------------


def manifest(request) -> dict:
    base = request.build_absolute_uri("/").rstrip("/")
    service = reverse("reconcile:service")
    return {
        "versions": ["0.2"],
        "name": str(_("Prisoner Exchange Tracker")),
        "identifierSpace": base + reverse("reconcile:entity", args=["x"])[:-1],
        "schemaSpace": base + service + "#properties",
        "defaultTypes": [{"id": t.id, "name": str(t.name)} for t in TYPES.values()],
        "view": {"url": base + reverse("reconcile:entity", args=["x"])[:-1] + "{{id}}"},
        "preview": {"url": base + reverse("reconcile:preview") + "?id={{id}}", "width": 430, "height": 170},
        "suggest": {
            kind: {"service_url": base, "service_path": reverse(f"reconcile:suggest-{kind}")}
            for kind in ("entity", "property", "type")
        },  # fmt: skip
        "extend": {
            "propose_properties": {"service_url": base, "service_path": reverse("reconcile:propose")},
            "property_settings": [],
        },
    }


@cache
def schema(name: str) -> dict:
    """One of the specification's JSON Schemas (reconcile/schemas, copied from the W3C group's repository)."""
    return json.loads((SCHEMAS / f"{name}.json").read_text())


def validate(name: str, instance) -> str | None:
    """The first way `instance` breaks the named schema, as "path: message"; None when it conforms."""
    import jsonschema
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    def retrieve(uri: str):  # the schemas refer to each other ("type.json") by their published addresses
        name = uri.rsplit("/", 1)[-1].removesuffix(".json")
        return Resource.from_contents(schema(name), default_specification=DRAFT7)

    # "$schema": "http://json-schema.org/schema#" names no draft; the schemas are written in draft 7's terms.
    validator = jsonschema.Draft7Validator(schema(name), registry=Registry(retrieve=retrieve))
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is None:
        return None
    path = ".".join(str(p) for p in error.absolute_path)
    return f"{path}: {error.message}" if path else error.message
