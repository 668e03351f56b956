"""Public pages of exchanges."""

from django.db.models import Count
from django.db.models.functions import ExtractYear

from common.citations import Citations
from common.views import FilteredListView, PublicDetailView
from detainees.selectors import cited
from sources.models import Statement

from .filters import ExchangeFilter
from .models import Exchange, ExchangeStatus


def _public(user) -> bool:
    return not (user.is_staff and user.has_perm("detainees.change_detainee"))


class ExchangeListView(FilteredListView):
    """`/exchanges/`: every exchange, filterable by country, year, status."""

    model = Exchange
    filterset_class = ExchangeFilter
    template_name = "exchanges/exchange_list.html"
    api_list_name = "api:exchange-list"
    sort_options = [("", "Newest first"), ("date", "Oldest first"), ("name", "Name (A–Z)")]

    def get_queryset(self):
        return super().get_queryset().with_participants(public=_public(self.request.user))

    def get_facets(self):
        selected = self.request.GET
        status_counts = dict(self.facet_queryset("status").order_by().values_list("status").annotate(n=Count("pk")))
        years = (
            self.facet_queryset("year").exclude(date=None).order_by().annotate(y=ExtractYear("date"))
            .values_list("y").annotate(n=Count("pk")).order_by("-y")
        )  # fmt: skip
        return {
            "status": [
                (v, label, status_counts.get(v, 0), selected.get("status") == v) for v, label in ExchangeStatus.choices
            ],  # fmt: skip
            "year": [(str(y), str(y), n, selected.get("year") == str(y)) for y, n in years],
        }


class ExchangeDetailView(PublicDetailView):
    """`/exchanges/<slug>/`: who went which way, between which countries, where and when."""

    model = Exchange
    template_name = "exchanges/exchange_detail.html"

    def get_queryset(self):
        public = _public(self.request.user)
        return super().get_queryset().with_participants(public=public).prefetch_related(cited())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statements = self.object.statements.select_related("source__outlet", "official")
        if _public(self.request.user):
            statements = statements.filter(id__in=Statement.objects.published().values("id"))
        claims = self.object.claims.select_related("source__outlet")
        context.update(
            citations=Citations(),
            directions=self.object.directions(),
            people_total=self.object.people_total(),
            statements=list(statements),
            claims=list(claims),
        )
        return context
