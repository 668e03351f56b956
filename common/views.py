"""View pieces every app shares."""

import difflib

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext, ngettext
from django.views.generic import DetailView, ListView

from common.cache import CachedCountPaginator, data_version, public_response_key
from common.citations import CITATION_FORMATS, PageCitation, render_citation


def later(compute) -> SimpleLazyObject:
    """`compute()` when a template (or a test) first reads it, in the language of the page that asked for it."""
    language = translation.get_language()

    def computed():
        with translation.override(language):
            return compute()

    return SimpleLazyObject(computed)


class PageCacheMixin:
    """Anonymous visitors get a public page rendered once per data version.

    The key holds the data version (any save or deletion of a case record changes it, see common.cache), the full
    address with its query string, and the day (pages print "accessed <date>"). Signed-in users, who may see
    drafts, always get a fresh page; only 200 responses are kept. PAGE_CACHE_SECONDS=0 turns it off.
    """

    def dispatch(self, request, *args, **kwargs):
        key = public_response_key(request, "page")
        if key is None:
            return super().dispatch(request, *args, **kwargs)
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render"):
                response.render()
            cache.set(key, (response.content, response["Content-Type"]), settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response


class PublicMixin(PageCacheMixin):
    """Start every public page from what the visitor may see: published records, or drafts for staff editors."""

    model = None

    def get_base_queryset(self):
        return self.model.objects.visible_to(self.request.user)


class PublicDetailView(PublicMixin, DetailView):
    def get_queryset(self):
        return self.get_base_queryset()


class FilteredListView(PublicMixin, ListView):
    """A list page driven by the resource's FilterSet, the same one its API endpoint uses.

    Bad filter values re-render the page with the errors and status 400. A page number that is not a whole number
    of 1 or more shows the first page, named as not understood (400); one beyond the last shows the last page under
    a notice that the page asked for does not exist, with status 404, as Django's own lists answer it (a reader
    sees where they are, a crawler indexes nothing; the API answers 400 for both, naming `page`).
    """

    filterset_class = None
    paginate_by = 25
    api_list_name = ""
    sort_options: list[tuple[str, str]] = []

    paginator_class = CachedCountPaginator

    @cached_property
    def data_version(self) -> str:
        """Read once per request; counts and facets are cached under it."""
        return getattr(self.request, "data_version", None) or data_version()

    def get_paginator(self, *args, **kwargs):
        # A search sorts every match by rank anyway: the page query counts them too (common.cache).
        searched = bool(self.request.GET.get("q", "").strip())
        return super().get_paginator(*args, version=self.count_version(), window=searched,
                                     defer_joins=self.defer_joins and not searched, **kwargs)  # fmt: skip

    # Whether a page's rows are picked by id before they are joined to what the cards show (CachedCountPaginator)
    defer_joins = False

    def count_version(self) -> str:
        """The version the list's size is counted once per (the data version unless a list knows better)."""
        return self.data_version

    # {filter name: its label as the page shows it}, for errors; a filter not named here is called by its own label.
    filter_labels: dict = {}

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # A filter left empty is no filter: "?status=&held_by=RU" (a form submitted without its script) is read as
        # "?held_by=RU" everywhere, the downloads' links and the kept filters included. Unknown names stay, named.
        known = set(self.filterset_class.base_filters) | {"page"}
        lists = list(request.GET.lists())
        if any(not value for name, values in lists if name in known for value in values):
            query = QueryDict(mutable=True)
            for name, values in lists:
                kept = [value for value in values if value or name not in known]
                if kept:
                    query.setlist(name, kept)
            query._mutable = False
            request.GET = query

    def get_queryset(self):
        self.refused_filters = []
        self.refused_names: list[str] = []
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.get_base_queryset(), request=self.request
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            # A value not understood (a day 2024-13-45) is named and left out; the other filters, the results and
            # the facets stay, counted without it, as an unknown parameter is (the page still answers 400).
            self.refused_filters = [(self.filter_label(name), errors) for name, errors in self.filterset.errors.items()]
            self.refused_names = list(self.filterset.errors)
            data = self.request.GET.copy()
            for name in self.filterset.errors:
                data.pop(name, None)
            self.filterset = self.filterset_class(data or None, queryset=self.get_base_queryset(), request=self.request)
            if self.filterset.is_bound and not self.filterset.is_valid():
                return self.filterset.queryset.none()
        from common.api import stable_order  # the API's order: NULLs last both ways on every database, then id

        return stable_order(self.filterset.qs)

    def filter_label(self, name: str) -> str:
        """How the page names a filter: its label on the form, never the parameter's code name ("" for a rule that
        spans filters)."""
        if name in self.filter_labels:
            return str(self.filter_labels[name])
        field = self.filterset_class.base_filters.get(name)
        return str(field.label) if field is not None and field.label else ""

    @property
    def query(self) -> QueryDict:
        """The filters applied: the address's query less any value refused."""
        return self.filterset.data if isinstance(self.filterset.data, QueryDict) else QueryDict()

    # (status, message) when the page number asked for is not shown as asked (see the class's docstring)
    page_refused: tuple[int, str] | None = None

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        raw = self.request.GET.get("page")
        page = paginator.get_page(raw)
        if raw is not None and (not raw.isascii() or not raw.isdigit() or int(raw) < 1):
            self.page_refused = (400, gettext("A page is a whole number of 1 or more: the first page is shown."))
        elif raw is not None and int(raw) != page.number:  # beyond the last: get_page gave the last (no count more)
            self.page_refused = (404, ngettext(
                "There is no page %(asked)s: these results fill %(pages)s page, shown here.",
                "There is no page %(asked)s: these results fill %(pages)s pages; the last is shown.",
                paginator.num_pages,
            ) % {"asked": raw.lstrip("0") or "0", "pages": paginator.num_pages})  # fmt: skip
        return paginator, page, page.object_list, page.has_other_pages()

    def active_filters(self) -> QueryDict:
        """The query minus the page number and any parameter the list does not know (the downloads would 400)."""
        params = self.request.GET.copy()
        for name in ["page", *(name for name, _ in self.unknown_params())]:
            params.pop(name, None)
        return params

    def unknown_params(self) -> list[tuple[str, str]]:
        """Query parameters this list does not know, each with the nearest known name ("" when none is close).

        The API answers 400 for them; a page says so above the results rather than claim to have filtered.
        """
        known = set(self.filterset_class.base_filters) | {"page"}
        return [
            (name, next(iter(difflib.get_close_matches(name, sorted(known), n=1)), ""))
            for name in sorted(set(self.request.GET) - known)
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.active_filters()
        for name in getattr(self, "refused_names", []):  # not applied: not counted, not in the downloads (h59)
            params.pop(name, None)
        known = set(self.filterset_class.base_filters)
        refused = getattr(self, "refused_filters", [])
        # The facets are counted when the page shows them: a list that keeps the HTML of its filters (DetaineeListView's
        # `{% cache %}`) counts nothing on the pages that find it kept (h65).
        facets = later(self.get_facets if self.filterset.is_valid() or not self.filterset.is_bound else dict)
        active = [k for k, v in params.items() if v and k in known and k != "ordering"]
        context.update(
            filter=self.filterset,
            querystring=params.urlencode(),
            has_filters=bool(active),
            active_filter_count=len(active),
            unknown_params=self.unknown_params(),
            result_count=context["paginator"].count,
            sort_options=self.sort_options,
            facets=facets,
            refused_filters=refused,
            page_refused=self.page_refused[1] if self.page_refused else "",
            # the facets are links; the form carries their current values so "Apply filters" keeps them
            facet_hidden=later(
                lambda: [(name, value) for name in facets for value in self.request.GET.getlist(name) if value]
            ),  # fmt: skip
        )
        return context

    def get_facets(self) -> dict:
        """{filter name: [(value, label, count, selected)]} — overridden where a list has facets."""
        return {}

    def facet_queryset(self, without: str):
        """The list as filtered by every filter but `without`, for that filter's counts."""
        data = self.query.copy()
        data.pop(without, None)
        filterset = self.filterset_class(data, queryset=self.get_base_queryset(), request=self.request)
        return filterset.qs if filterset.is_valid() else filterset.queryset.none()

    def render_to_response(self, context, **kwargs):
        if getattr(self, "refused_filters", None) or (self.filterset.is_bound and not self.filterset.is_valid()):
            kwargs.setdefault("status", 400)
        elif self.page_refused:
            kwargs.setdefault("status", self.page_refused[0])
        return super().render_to_response(context, **kwargs)


class CitableMixin:
    """A detail page that can be cited: `page_citation` in its context, and downloads through CitationView."""

    citation_kind = ""  # "Case record"
    citation_prefix = ""  # "case": the BibTeX key is pet-case-<slug or id>
    citation_title_field = "name"
    citation_url_name = ""  # "detainees:detainee-cite"

    def page_citation(self, obj) -> PageCitation:
        from common.templatetags.tracker import local_name

        ident = getattr(obj, "slug", "") or str(obj.pk)
        # The page's own heading: a Russian page cites a person or an exchange by the Russian name it shows.
        title = local_name(obj)[0] if self.citation_title_field == "name" else getattr(obj, self.citation_title_field)
        return PageCitation(
            key=f"pet-{self.citation_prefix}-{ident}",
            title=title,
            url=self.request.build_absolute_uri(obj.get_absolute_url()),
            kind=str(self.citation_kind),
            updated=timezone.localdate(obj.updated_at),
            accessed=getattr(self.request, "accessed_on", None) or timezone.localdate(),  # see casedocs.services
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_citation"] = self.page_citation(self.object)
        context["citation_links"] = [
            (label, reverse(self.citation_url_name, kwargs={**self.kwargs, "fmt": fmt}))
            for fmt, (_, _, label) in CITATION_FORMATS.items()
        ]
        return context


class CitationView(CitableMixin, DetailView):
    """`<page>/cite.bib`, `.ris`, `.json` (CSL-JSON): the page's citation for a reference manager.

    Subclasses give `get_queryset`, the same visibility as the page (a draft is a 404 here too). Not kept in the
    page cache, which would drop the Content-Disposition header.
    """

    def get(self, request, *args, **kwargs):
        fmt = kwargs["fmt"]
        if fmt not in CITATION_FORMATS:
            raise Http404("Citations come as cite.bib, cite.ris or cite.json.")
        self.object = self.get_object()
        citation = self.page_citation(self.object)
        content_type, extension, _ = CITATION_FORMATS[fmt]
        response = HttpResponse(render_citation(citation, fmt), content_type=content_type)
        response["Content-Disposition"] = f'inline; filename="{citation.key}.{extension}"'
        return response
