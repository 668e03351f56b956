"""Writes that touch several records at once."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from common.integrity import Problem, checked_writes

from .models import Exchange, ExchangeCount, ExchangeParticipant


def unsourced_facts(exchange_ids: set[int] | None) -> list[Problem]:
    """The rule "published means sourced" for exchanges (registered with `common.integrity`)."""
    exchanges = Exchange.objects.under_the_sourcing_rule().filter(sources=None)  # awaiting review too
    if exchange_ids is not None:
        exchanges = exchanges.filter(pk__in=exchange_ids)
    return [
        Problem("exchanges.exchange", pk, "exchanges.exchange", pk,
                gettext("%(name)s: the exchange itself cites no source.") % {"name": name})
        for pk, name in exchanges.values_list("pk", "name")
    ]


def publish_problems(exchange: Exchange, *, sources=None) -> list[str]:
    """What stops an exchange from being published: it must cite a source."""
    own = sources if sources is not None else (list(exchange.sources.all()) if exchange.pk else [])
    return [] if own else [gettext("The exchange itself cites no source.")]


@checked_writes()
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


@checked_writes()
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
            try:
                participant.full_clean()
            except ValidationError as error:  # named by the list the script wrote, as the serializer does
                raise ValidationError({"participants": error.messages}) from None
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
