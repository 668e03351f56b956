"""Public pages of sources and statements."""

from django.apps import apps
from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView

from common.views import CitableMixin, CitationView, FilteredListView, PublicDetailView, PublicMixin

from .filters import SourceFilter, StatementFilter
from .models import Official, Source, Statement


class SourceVisibilityMixin:
    """Sources are published documents: all are public; what cites them is filtered to published cases."""

    def get_base_queryset(self):
        return Source.objects.select_related("outlet", "via")


class SourceListView(SourceVisibilityMixin, FilteredListView):
    """`/sources/`: every source, newest first."""

    model = Source
    filterset_class = SourceFilter
    template_name = "sources/source_list.html"
    api_list_name = "api:source-list"
    sort_options = [("", _("Newest first")), ("published_on", _("Oldest first")), ("title", _("Title (A–Z)"))]

    def get_facets(self):
        outlets = (
            self.facet_queryset("outlet").exclude(outlet=None).order_by()
            .values_list("outlet_id", "outlet__name").annotate(n=Count("pk")).order_by("-n", "outlet__name")
        )  # fmt: skip
        chosen = self.request.GET.get("outlet")
        return {"outlet": [(str(pk), name, n, chosen == str(pk)) for pk, name, n in outlets]}


class SourceCitable(CitableMixin):
    citation_kind = _("Source record")
    citation_prefix = "source"
    citation_url_name = "sources:source-cite"
    citation_title_field = "title"


class SourceCitationView(SourceCitable, SourceVisibilityMixin, CitationView):
    """`/sources/<id>/cite.<bib|ris|json>`."""

    def get_queryset(self):
        return self.get_base_queryset()


class SourceDetailView(SourceCitable, SourceVisibilityMixin, PublicDetailView):
    """`/sources/<id>/`: a source and the published cases and exchanges that cite it."""

    model = Source
    template_name = "sources/source_detail.html"

    def get_context_data(self, **kwargs):

        context = super().get_context_data(**kwargs)
        source = self.object
        detainee_model = apps.get_model("detainees", "Detainee")
        exchange_model = apps.get_model("exchanges", "Exchange")
        cases = (
            detainee_model.objects.visible_to(self.request.user)
            .filter(pk__in=_case_ids_citing(source))
            .order_by("name")
        )
        exchanges = exchange_model.objects.visible_to(self.request.user).filter(
            pk__in=source.cited_exchanges.values("pk")
        )
        context.update(
            cases=list(cases),
            exchanges=list(exchanges),
            statements=list(Statement.objects.visible_to(self.request.user).filter(source=source)),
        )
        return context


def _case_ids_citing(source: Source) -> set[int]:
    """Ids of the detainees whose case cites `source` anywhere."""
    ids: set[int] = set()
    ids.update(source.cited_detainees.values_list("pk", flat=True))
    ids.update(source.cited_detentions.values_list("detainee_id", flat=True))
    ids.update(source.cited_charges.values_list("detention__detainee_id", flat=True))
    ids.update(source.cited_sentences.values_list("detention__detainee_id", flat=True))
    ids.update(source.cited_transfers.values_list("detention__detainee_id", flat=True))
    ids.update(source.cited_counsel.values_list("detention__detainee_id", flat=True))
    ids.update(source.cited_custody_extensions.values_list("detention__detainee_id", flat=True))
    ids.update(source.cited_designations.values_list("detainee_id", flat=True))
    ids.update(source.statements.values_list("detainees", flat=True))
    ids.discard(None)
    return ids


class StatementListView(FilteredListView):
    """`/statements/`: officials' statements, filterable by speaker, country, date, case, exchange."""

    model = Statement
    filterset_class = StatementFilter
    template_name = "sources/statement_list.html"
    api_list_name = "api:statement-list"
    sort_options = [("", _("Newest first")), ("said_on", _("Oldest first")), ("speaker", _("Speaker (A–Z)"))]

    def get_queryset(self):
        return super().get_queryset().select_related("source__outlet", "official").with_subjects(self.request.user)


class OfficialDetailView(PublicDetailView):
    """`/officials/<slug>/`: an official on file and their statements over time, with whom each was about."""

    model = Official
    template_name = "sources/official_detail.html"

    def get_base_queryset(self):
        return Official.objects.all()  # public records: no draft state

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statements = (
            Statement.objects.visible_to(self.request.user).filter(official=self.object)
            .select_related("source__outlet").with_subjects(self.request.user)
            .order_by(F("said_on").asc(nulls_last=True), "id")
        )  # fmt: skip
        context["statements"] = list(statements)
        return context


class OfficialListView(PublicMixin, ListView):
    """`/officials/`: the officials on file, each with how many of their statements the visitor may see."""

    model = Official
    template_name = "sources/official_list.html"
    paginate_by = 100

    def get_queryset(self):
        visible = Statement.objects.visible_to(self.request.user).values("pk")
        said = Count("statements", filter=Q(statements__in=visible), distinct=True)
        return Official.objects.annotate(statements_on_file=said).order_by("name", "id")
