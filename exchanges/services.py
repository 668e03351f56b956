"""Writes that touch several records at once."""

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction

from detainees.models import Charge, Designation, Detainee, Detention, Group, Sentence, SentenceChange, Transfer
from sources.models import Claim, Official, Outlet, Source, Statement

from . import demo
from .models import Exchange, ExchangeCount, ExchangeParticipant


def _side(value: str, groups: dict) -> dict:
    """A demo side: "RU" (a state) or "group:Hamas" (a group on file)."""
    if value.startswith("group:"):
        return {"code": "", "group": groups[value.removeprefix("group:")]}
    return {"code": value, "group": None}


def _upsert(model: type[models.Model], lookup: dict, values: dict) -> models.Model:
    """Create or update one record by its natural key, validated as the admin validates it."""
    obj = model._default_manager.filter(**lookup).first() or model(**lookup)
    for field, value in values.items():
        if isinstance(value, str) and value:
            kind = model._meta.get_field(field).get_internal_type()
            if kind == "DateField":
                value = datetime.date.fromisoformat(value)
            elif kind == "DecimalField":
                value = Decimal(value)
        setattr(obj, field, value)
    obj.full_clean(validate_unique=False)
    obj._change_reason = "Demo data"
    obj.save()
    return obj


def _split(data: dict, *nested: str) -> tuple[dict, dict]:
    own = {k: v for k, v in data.items() if k not in nested}
    return own, {k: data.get(k, []) for k in nested}


def publish_problems(exchange: Exchange, *, sources=None) -> list[str]:
    """What stops an exchange from being published: it must cite a source."""
    own = sources if sources is not None else (list(exchange.sources.all()) if exchange.pk else [])
    return [] if own else ["The exchange itself cites no source."]


@transaction.atomic
def publish_exchange(*, exchange: Exchange) -> Exchange:
    """Publish an exchange, or refuse with the list of what is missing."""
    problems = publish_problems(exchange)
    if problems:
        raise ValidationError({"is_published": problems})
    if not exchange.is_published:
        exchange.is_published = True
        exchange._change_reason = "Published"
        exchange.save()
    return exchange


@transaction.atomic
def save_exchange(*, exchange: Exchange | None, data: dict) -> Exchange:
    """Create or update an exchange and, when `participants` is given, replace its participants.

    Each participant is validated as the admin validates it; one failure rolls the whole write back.
    """
    data = dict(data)
    participants = data.pop("participants", None)
    counts = data.pop("counts", None)
    sources = data.pop("sources", None)
    if data.get("is_published") and not (exchange and exchange.is_published):
        problems = publish_problems(exchange or Exchange(), sources=sources)
        if problems:
            raise ValidationError({"is_published": problems})
    exchange = exchange or Exchange()
    for field, value in data.items():
        setattr(exchange, field, value)
    exchange.full_clean()
    exchange.save()
    if sources is not None:
        exchange.sources.set(sources)
    if participants is not None:
        keep = []
        for row in participants:
            participant = exchange.participants.filter(detainee=row["detainee"]).first() or ExchangeParticipant(
                exchange=exchange, detainee=row["detainee"]
            )
            for side in ("released_by", "received_by"):
                setattr(participant, side, row.get(side) or "")
                setattr(participant, f"{side}_group", row.get(f"{side}_group"))
            participant.note = row.get("note", "")
            participant.full_clean()
            participant.save()
            keep.append(participant.pk)
        for gone in exchange.participants.exclude(pk__in=keep):
            gone.delete()  # one by one, so each removal is in the history
    if counts is not None:
        old = list(exchange.counts.order_by("id"))
        for position, row in enumerate(counts):
            count = old[position] if position < len(old) else ExchangeCount(exchange=exchange)
            for side in ("released_by", "received_by"):
                setattr(count, side, row.get(side) or "")
                setattr(count, f"{side}_group", row.get(f"{side}_group"))
            count.number, count.description = row["number"], row.get("description", "")
            count.full_clean()
            count.save()
        for gone in old[len(counts) :]:
            gone.delete()
    return exchange


@transaction.atomic
def load_demo_cases(*, progress: Callable[[Iterable], Iterable] = iter) -> dict[str, int]:
    """Load (or refresh) the demo cases; running it twice changes nothing. Returns counts per record type."""
    outlets = {o["name"]: _upsert(Outlet, {"name": o["name"]}, o) for o in demo.OUTLETS}
    groups = {g["name"]: _upsert(Group, {"name": g["name"]}, g) for g in demo.GROUPS}
    officials = {o["name"]: _upsert(Official, {"name": o["name"]}, o) for o in demo.OFFICIALS}
    sources: dict[str, Source] = {}
    for key, s in demo.SOURCES.items():
        values = dict(s, outlet=outlets[s["outlet"]], via=outlets.get(s.get("via", "")))
        lookup = {"url": s["url"]} if s["url"] else {"title": s["title"]}
        sources[key] = _upsert(Source, lookup, values)

    def cite(obj, keys):
        obj.sources.set([sources[k] for k in keys])

    detainees: dict[str, Detainee] = {}
    for d in progress(demo.DETAINEES):
        own, nested = _split(d, "detentions", "designations", "sources")
        detainee = _upsert(Detainee, {"name": d["name"]}, dict(own, is_published=True))
        cite(detainee, nested["sources"])
        detainees[d["name"]] = detainee
        for det in nested["detentions"]:
            det_own, det_nested = _split(det, "charges", "sentences", "transfers", "sources")
            if det_own.get("held_by_group"):
                det_own["held_by_group"] = groups[det_own["held_by_group"]]
            detention = _upsert(Detention, {"detainee": detainee, "detained_on": det["detained_on"]}, det_own)
            cite(detention, det_nested["sources"])
            charges = []
            for c in det_nested["charges"]:
                c_own, c_nested = _split(c, "sources")
                charge = _upsert(Charge, {"detention": detention, "statute": c["statute"]}, c_own)
                cite(charge, c_nested["sources"])
                charges.append(charge)
            for s in det_nested["sentences"]:
                s_own, s_nested = _split(s, "changes", "sources", "all_charges")
                sentence = _upsert(Sentence, {"detention": detention, "sentenced_on": s["sentenced_on"]}, s_own)
                cite(sentence, s_nested["sources"])
                sentence.charges.set(charges)
                for ch in s_nested["changes"]:
                    ch_own, ch_nested = _split(ch, "sources")
                    change = _upsert(SentenceChange, {"sentence": sentence, "kind": ch["kind"]}, ch_own)
                    cite(change, ch_nested["sources"])
            for t in det_nested["transfers"]:
                t_own, t_nested = _split(t, "sources")
                transfer = _upsert(Transfer, {"detention": detention, "facility_name": t["facility_name"]}, t_own)
                cite(transfer, t_nested["sources"])
        for g in nested["designations"]:
            g_own, g_nested = _split(g, "sources")
            designation = _upsert(
                Designation, {"detainee": detainee, "authority": g["authority"], "kind": g["kind"]}, g_own
            )
            cite(designation, g_nested["sources"])

    exchanges: dict[str, Exchange] = {}
    exchange_type = ContentType.objects.get_for_model(Exchange)
    for e in demo.EXCHANGES:
        own, nested = _split(e, "participants", "sources", "claims", "counts")
        exchange = _upsert(Exchange, {"name": e["name"]}, dict(own, is_published=True))
        cite(exchange, nested["sources"])
        exchanges[e["name"]] = exchange
        for name, released_by, received_by, *note in nested["participants"]:
            a, b = _side(released_by, groups), _side(received_by, groups)
            _upsert(
                ExchangeParticipant,
                {"exchange": exchange, "detainee": detainees[name]},
                {"released_by": a["code"], "released_by_group": a["group"], "received_by": b["code"],
                 "received_by_group": b["group"], "note": note[0] if note else ""},
            )  # fmt: skip
        for c in nested["counts"]:
            a, b = _side(c["released_by"], groups), _side(c["received_by"], groups)
            values = {"released_by": a["code"], "released_by_group": a["group"], "received_by": b["code"],
                      "received_by_group": b["group"], "number": c["number"],
                      "description": c["description"]}  # fmt: skip
            _upsert(ExchangeCount, {"exchange": exchange, "description": c["description"]}, values)
        for c in nested["claims"]:
            _upsert(
                Claim,
                {"content_type": exchange_type, "object_id": exchange.pk, "field": c["field"], "value": c["value"]},
                dict(c, source=sources[c["source"]]),
            )

    for st in demo.STATEMENTS:
        own, nested = _split(st, "detainees", "exchanges", "source")
        own["official"] = officials[own["official"]] if own.get("official") else None
        statement = _upsert(
            Statement, {"speaker": st["speaker"], "said_on": st["said_on"]}, dict(own, source=sources[st["source"]])
        )
        statement.detainees.set([detainees[n] for n in nested["detainees"]])
        statement.exchanges.set([exchanges[n] for n in nested["exchanges"]])

    return {
        "outlets": len(outlets),
        "sources": len(sources),
        "detainees": len(detainees),
        "exchanges": len(exchanges),
        "statements": len(demo.STATEMENTS),
        "groups": len(groups),
        "officials": len(officials),
    }
