"""API viewset of exchanges."""

from django.urls import reverse

from common.api import TrackerViewSet, documented

from .filters import ExchangeFilter, ParticipantFilter
from .models import Exchange, ExchangeParticipant
from .serializers import ExchangeSerializer, ParticipantResourceSerializer


@documented
class ExchangeViewSet(TrackerViewSet):
    """Prisoner exchanges, with who went which way; participants are writable in the same request."""

    queryset = Exchange.objects.all()
    serializer_class = ExchangeSerializer
    filterset_class = ExchangeFilter

    def csv_html_url_pattern(self):
        return reverse("exchanges:exchange-detail", args=["__slug__"])

    def csv_columns(self):
        columns = super().csv_columns()
        return [*columns, "participants"] if "participants" in self.get_serializer().fields else columns

    def csv_extra(self, ids, rows):
        """`participants` as "detainee id:released_by>received_by" joined by "|"; `countries` as codes."""
        people = ExchangeParticipant.objects.visible_to(self.request.user).filter(exchange_id__in=ids)
        lines: dict[int, list[str]] = {pk: [] for pk in ids}
        parties: dict[int, set[str]] = {pk: set() for pk in ids}
        for exchange_id, detainee_id, a, b in people.order_by("id").values_list(
            "exchange_id", "detainee_id", "released_by", "received_by"
        ):
            lines[exchange_id].append(f"{detainee_id}:{a}>{b}")
            parties[exchange_id] |= {a, b}
        mediators = {row["id"]: {c for c in (row.get("mediators") or "").split(",") if c} for row in rows}
        return {pk: {"participants": "|".join(lines[pk]), "countries": "|".join(sorted(parties[pk] | mediators[pk]))}
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
