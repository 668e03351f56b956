"""Public pages of exchanges, and the flows between states."""

import difflib
from urllib.parse import urlencode

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from common.citations import Citations
from common.models import iso_partial_date
from common.views import CitableMixin, CitationView, FilteredListView, PageCacheMixin, PublicDetailView
from common.worldmap import held_map
from detainees.census import CensusForm, census_day, census_figures, list_query
from detainees.selectors import cited
from sources.models import Statement, disputed_fields

from .filters import ExchangeFilter
from .flows import FlowFilterForm, filter_countries, flow_panels, flows_for
from .models import Exchange, ExchangeStatus


class ExchangeListView(FilteredListView):
    """`/exchanges/`: every exchange, filterable by country, year, status."""

    model = Exchange
    filterset_class = ExchangeFilter
    template_name = "exchanges/exchange_list.html"
    api_list_name = "api:exchange-list"
    sort_options = [("", _("Newest first")), ("date", _("Oldest first")), ("name", _("Name (A–Z)"))]

    def get_queryset(self):
        return super().get_queryset().with_participants(self.request.user)

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


class ExchangeCitable(CitableMixin):
    citation_kind = _("Exchange record")
    citation_prefix = "exchange"
    citation_url_name = "exchanges:exchange-cite"


class ExchangeCitationView(ExchangeCitable, CitationView):
    """`/exchanges/<slug>/cite.<bib|ris|json>`."""

    def get_queryset(self):
        return Exchange.objects.visible_to(self.request.user)


class ExchangeDetailView(ExchangeCitable, PublicDetailView):
    """`/exchanges/<slug>/`: who went which way, between which countries, where and when."""

    model = Exchange
    template_name = "exchanges/exchange_detail.html"

    def get_queryset(self):
        return super().get_queryset().with_participants(self.request.user).prefetch_related(cited())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statements = self.object.statements.select_related("source__outlet", "official")
        if not Statement.objects.previews(self.request.user):
            statements = statements.filter(id__in=Statement.objects.published().values("id"))
        claims = list(self.object.claims.select_related("source__outlet"))
        context.update(
            citations=Citations(),
            directions=self.object.directions(),
            people_total=self.object.people_total(),
            statements=list(statements),
            claims=claims,
            disputed=disputed_fields(claims),
        )
        context["json_ld"] = exchange_json_ld(self.object, context["page_citation"].url, self.request)
        return context


def exchange_json_ld(exchange, url: str, request) -> dict:
    """schema.org Event for search engines: when, where, and the people exchanged (prefetched, published only)."""
    from common.i18n import base_language, hreflang
    from common.templatetags.tracker import description_in_language, field_text, name_text

    data = {"@context": "https://schema.org", "@type": "Event", "@id": url, "url": url, "name": name_text(exchange),
            "inLanguage": hreflang(base_language())}  # fmt: skip
    if exchange.date:
        data["startDate"] = iso_partial_date(exchange.date, exchange.date_precision)
    if description_in_language(exchange):
        data["description"] = description_in_language(exchange)
    if exchange.place or exchange.place_country:
        place = {"@type": "Place", "name": field_text(exchange, "place") or exchange.place_country.name}
        if exchange.place_country:
            place["address"] = {"@type": "PostalAddress", "addressCountry": exchange.place_country.code}
        data["location"] = place
    if exchange.status == ExchangeStatus.FAILED:
        data["eventStatus"] = "https://schema.org/EventCancelled"
    people = [p.detainee for p in exchange.participants.all()]
    if people:
        data["about"] = [
            {"@type": "Person", "name": name_text(d), "url": request.build_absolute_uri(d.get_absolute_url())}
            for d in people
        ]
    return data


class FlowsView(PageCacheMixin, TemplateView):
    """`/flows/`: who was released by whom to whom over all completed exchanges, as flow diagrams (the people named,
    and the people counted, each to its own stated scale) and a table with the named people, filterable by years and
    countries; and a map of where people were held on a day (`on`, default today, read as the census reads it)."""

    template_name = "exchanges/flows.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        form, flows, every = flows_for(params)
        known = FlowFilterForm.KNOWN | CensusForm.KNOWN
        unknown = [
            (name, next(iter(difflib.get_close_matches(name, sorted(known), n=1)), ""))
            for name in sorted(set(params) - known)
        ]
        query = urlencode([(k, v) for k, values in params.lists() if k in FlowFilterForm.KNOWN for v in values])
        chosen = set(form.cleaned_data.get("country", [])) if form.is_bound and not form.errors else set()
        day_form, day = census_day(params)
        context.update(
            form=form,
            filter_errors={**form.errors, **day_form.errors},
            unknown_params=unknown,
            flows=flows,
            panels=flow_panels(flows),
            totals={
                "number": sum(f.number for f in flows),
                "named": sum(f.named for f in flows),
                "counted": sum(f.counted for f in flows),
            },  # fmt: skip
            country_options=[(code, name, code in chosen) for code, name in filter_countries(every)],
            querystring=query,
            today=timezone.localdate(),
            day=day,
            day_value=params.get("on", "") if day_form.errors else (day.isoformat() if day else ""),
        )
        if day is not None:
            context.update(held_map_context(census_figures(day, getattr(self.request, "data_version", None)), day))
        return context

    def render_to_response(self, context, **kwargs):
        if context["filter_errors"]:
            kwargs.setdefault("status", 400)
        return super().render_to_response(context, **kwargs)


def held_map_context(figures: dict, day) -> dict:
    """The map of who held people on `day`, from the census figures: states shaded by the people they certainly
    held, and apart, those held by groups or captors not on file and those who only may have been held."""
    states = [r for r in figures["by_holder"] if r["held_by"] and r["held"]]
    return {
        "held_map": held_map({r["held_by"]: len(r["held"]) for r in states}),
        "held_rows": [(r["held_by"], r["name"], len(r["held"]), len(r["uncertain"])) for r in states],
        "held_elsewhere": [r for r in figures["by_holder"] if not r["held_by"] and r["held"]],
        "held_total": figures["held"],
        "held_uncertain": figures["uncertain"],
        "held_query": list_query("total", {}, day),
        "day_is_today": day == timezone.localdate(),
    }
