"""API viewset of exchanges."""

from django.urls import reverse

from common.api import TrackerViewSet, documented
from detainees.api import sees_drafts

from .filters import ExchangeFilter
from .models import Exchange, ExchangeCount, ExchangeParticipant
from .serializers import ExchangeSerializer


@documented
class ExchangeViewSet(TrackerViewSet):
    """Prisoner exchanges, with who went which way; participants are writable in the same request."""

    queryset = Exchange.objects.all()
    serializer_class = ExchangeSerializer
    filterset_class = ExchangeFilter

    def csv_html_url_pattern(self):
        return reverse("exchanges:exchange-detail", args=["__slug__"])

    def csv_columns(self):
        return [*super().csv_columns(), "participants", "counts"]  # people_total is a column already

    def csv_extra(self, ids, rows):
        """`participants` as "detainee id:released_by>received_by" and `counts` as "number:released_by>received_by"
        joined by "|", a group written "group:<id>"; `countries` as codes; `people_total` the sum."""
        people = ExchangeParticipant.objects.filter(exchange_id__in=ids)
        if not sees_drafts(self.request.user):
            people = people.filter(detainee__is_published=True)
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
        drafts = sees_drafts(self.request.user)
        return (
            Exchange.objects.visible_to(self.request.user)
            .with_participants(public=not drafts)
            .prefetch_related("sources")
        )
