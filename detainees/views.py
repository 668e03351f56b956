"""Public pages of cases: the list with filters, and the case page."""

from django.db import connections, router
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView, TemplateView
from django_countries import countries

from casedocs import services as casedocs
from common import chrome, fastpaths
from common.cache import cached_figures
from common.charts import bar_chart
from common.citations import Citations
from common.models import iso_partial_date
from common.sql import execute_prepared, instance_maker
from common.views import (
    CitableMixin,
    CitationView,
    FilteredListView,
    PageCacheMixin,
    PublicDetailView,
    PublicMixin,
    later,
)
from sources.models import disputed_fields

from . import cards, facets
from .census import CensusForm, census, census_day, list_query
from .documents import days_held_parts, days_marker, days_on, days_sentence, load_case
from .filters import DetaineeFilter, held_on_q
from .models import (
    Charge,
    ChargeCategory,
    CustodyOnFile,
    Designation,
    DesignationKind,
    Detainee,
    Detention,
    Group,
    MergedDetainee,
    Status,
    term_text,
)
from .selectors import (
    SUGGEST_BELOW,
    custody_chains,
    last_confirmed,
    name_suggestions,
    public_change_log,
    status_sentence,
    timeline,
)


class DetaineeListView(FilteredListView):
    """`/detainees/`: search, filters with counts, sort, pagination."""

    model = Detainee
    filterset_class = DetaineeFilter
    template_name = "detainees/detainee_list.html"
    defer_joins = True  # each card shows the latest custody and the holding group: joined for the page's rows only
    api_list_name = "api:detainee-list"
    sort_options = [("", _("Name (A–Z)")), ("-detained_on", _("Most recently detained")),
                    ("detained_on", _("Longest ago detained")),
                    ("-updated_at", _("Recently updated"))]  # fmt: skip

    filter_labels = {"q": _("Name"), "status": _("Status"), "held_by": _("Ever held by"),
                     "custody": _("Custody on file"), "charge_category": _("Charge"),
                     "designation": _("Designated as"), "citizenship": _("Citizenship"),
                     "held_on": _("In custody on"), "detained_from": _("Detained from"),
                     "detained_to": _("Detained to"), "ordering": _("Sort by")}  # fmt: skip

    def get_base_queryset(self):
        return super().get_base_queryset().with_status()

    def get_queryset(self):
        queryset = super().get_queryset()
        if fastpaths.enabled():
            queryset = queryset.only(*cards.FIELDS)  # what the cards show, no more (detainees.cards)
        if get_language() != "ru" or self.query.get("ordering"):
            return queryset
        # A Russian page shows people by their Russian name where one is on file: "by name" means by that name, read
        # from a stored key (Detainee.name_ru_sort, indexed), so that pages of 25 split the same order on every
        # database. A search keeps its rank first, then this name.
        order = ["name_ru_sort" if item == "name" else item for item in queryset.query.order_by]
        return queryset.order_by(*order)

    @cached_property
    def public(self) -> bool:
        return not Detainee.objects.previews(self.request.user)

    @cached_property
    def stored(self) -> tuple[dict, str]:
        return facets.counts_and_version()

    @property
    def stored_counts(self) -> dict:
        return self.stored[0]

    @cached_property
    def facets_version(self) -> str:
        """What the list's size, facets and filters beside it are kept under: for the public, filtered by stored
        facets alone (or not at all), the stored counts' version, which only a write moving a published person's
        facet values moves (a description, a source or a draft edited, they are still current); else the data
        version."""
        if self.public and facets.by_facets_alone(self.query):
            return self.stored[1]
        return self.data_version

    def count_version(self) -> str:
        return self.facets_version

    def get_paginator(self, queryset, *args, **kwargs):
        # Published people filtered by at most one facet value: the size is a stored count (detainees.facets).
        known = facets.known_count(self.filterset, self.public, lambda: self.stored_counts) if self.public else None
        return super().get_paginator(queryset, *args, known=known, compiled=self.compiled_key(queryset), **kwargs)

    def compiled_key(self, queryset) -> tuple | None:
        """The key the page query's SQL is kept under once compiled (common.sql.page_of), for the published list
        unfiltered, in any order: its SQL differs from page to page by the slice alone. None (compiled per page)
        for a filtered list, whose values are in its SQL, and for anyone who may see drafts."""
        if not (self.public and fastpaths.enabled() and isinstance(queryset, QuerySet)) or self.refused_filters:
            return None
        if facets.active_filters(self.query) or (self.filterset.is_bound and not self.filterset.is_valid()):
            return None
        query = queryset.query
        return ("detainee-list", tuple(map(repr, query.order_by)), repr(query.where), repr(query.deferred_loading),
                repr(query.select_related))  # fmt: skip

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["suggestions"] = self.suggestions(context)
        context["sidebar_key"] = self.sidebar_key()
        context["citizenship_options"] = later(self.citizenship_options)  # shown in the kept filters alone
        return context

    def citizenship_options(self) -> list[tuple[str, str, int, bool]]:
        """The citizenship menu: (code, country, published people, selected) for the countries that occur in
        published data, by country name in the page's language — not all 250 of django-countries (Antarctica...).
        Read from the stored counts the list reads anyway (detainees.facets), so it costs no query; a value asked for
        that no published person has is kept, counted 0, so that the form still shows it."""
        stored = (self.stored_counts if self.public else facets.counts()).get("citizenship", {})
        chosen = {code.upper() for code in self.query.getlist("citizenship") if code}
        codes = {code for code, n in stored.items() if n} | {code for code in chosen if countries.name(code)}
        options = [(code, countries.name(code) or code, stored.get(code, 0), code in chosen) for code in codes]
        return sorted(options, key=lambda option: (option[1].casefold().replace("ё", "е"), option[0]))

    def sidebar_key(self) -> str | None:
        """What the filters beside the list (facets with their counts, the form) depend on: the data version, the
        language, the address and its query but the page (and whether there is one). Kept as HTML under that key
        (`{% cache %}`), so the next page of the same list renders only its cards; None (not kept) when the reader
        may see drafts."""
        if not self.public:
            return None
        query = self.request.GET.copy()
        query.pop("page", None)
        bound = bool(self.request.GET)  # a form with no query at all renders its empty choices selected
        return f"{self.facets_version}|{get_language()}|{bound}|{self.request.path}?{query.urlencode()}"

    def suggestions(self, context) -> list[tuple[str, str]]:
        """Offers "Did you mean: Paul Whelan?": when a name search finds fewer than SUGGEST_BELOW people, the published
        names nearest to it (the matcher of reconciliation), each with the link of the same list searched for that
        name (the other filters kept; the suggestions are chosen among the people those filters allow). Published
        people only, even for an editor: a draft is never offered, nor counted."""
        query = self.request.GET.get("q", "").strip()
        if not query or context["result_count"] >= SUGGEST_BELOW or self.filterset.errors:
            return []
        shown = [person.pk for person in context["object_list"]]
        found = cached_figures("name-suggestions", parts=(self.request.GET.urlencode(), tuple(shown)),
                               compute=lambda: [(p.name, p.pk) for p, _score in name_suggestions(
                                   query, people=self.facet_queryset("q"), exclude=shown)],
                               version=self.data_version)  # fmt: skip
        params = self.active_filters()
        params.pop("q", None)
        links = []
        for name, _pk in found:
            params["q"] = name
            links.append((name, f"{self.request.path}?{params.urlencode()}"))
        return links

    def get_facets(self):
        if self.public and not facets.active_filters(self.query):
            return self.stored_facets()  # the whole published list: ~60 stored counts, current after every write
        filters = tuple(sorted((k, v) for k, v in self.query.lists() if k not in {"page", "ordering"}))
        compute = self.compute_facets
        if self.public and not (self.filterset.is_bound and self.filterset.form.cleaned_data.get("held_on")):
            compute = self.counted_facets  # the stored rows mean what the filters mean (not so with `held_on`)
        return cached_figures("detainee-facets", parts=(filters, self.public), compute=compute,
                              version=self.facets_version)  # fmt: skip

    def stored_facets(self):
        """The facets of the unfiltered public list, from the counts the database keeps (detainees.facets)."""
        stored = self.stored_counts
        total, on_file = stored.get("all", {}).get("", 0), stored.get("custody", {}).get("on_file", 0)
        exchanged = stored.get("exchanged_by", {})
        return self.facets_from(
            status_counts=stored.get("status", {}),
            custody_counts={CustodyOnFile.NONE: total - on_file, CustodyOnFile.ON_FILE: on_file},
            no_custody={"total": total - on_file,
                        "exchanged_by": sorted(((countries.name(code), n) for code, n in exchanged.items()),
                                               key=lambda r: (-r[1], r[0]))},
            holder_counts=dict(sorted(stored.get("held_by", {}).items())),
            charge_counts=stored.get("charge_category", {}),
            designation_counts=stored.get("designation", {}),
        )  # fmt: skip

    # Each facet of the page, the stored facets (detainees.facets) it is counted from: the custody's needs the list's
    # size, and "held by" the people with no custody on file and by whom they were released.
    COUNTED_FROM = {"status": ("status",), "custody": ("all", "custody"),
                    "charge_category": ("charge_category",), "designation": ("designation",),
                    "held_by": ("held_by", "all", "custody", "exchanged_by")}  # fmt: skip

    def counted_facets(self):
        """The facets of a filtered public list, in one query over the stored facet rows (detainees.facets) instead of
        six GROUP BYs over the records. Each facet is counted over the list as filtered by every filter but its own
        (`facet_queryset`): the facets whose filter is not in force share the filtered list, and a list left with no
        filter at all is the stored counts, already read. Published rows only: a draft is never counted."""
        from .models import PersonFacet

        active = {name for name, _ in facets.active_filters(self.query)}
        groups: dict[str, set[str]] = {}
        for facet, rows in self.COUNTED_FROM.items():
            groups.setdefault(facet if facet in active else "", set()).update(rows)
        counted: dict[str, dict[str, dict[str, int]]] = {}
        parts, params = [], []
        for without, rows in groups.items():
            if not facets.active_filters(self.query) or not (active - {without}):
                counted[without] = self.stored_counts  # no filter left: the whole published list
                continue
            people = self.facet_queryset(without).order_by().values("pk")
            sql, people_params = people.query.sql_with_params()
            rows = sorted(rows)
            marks = ", ".join(["%s"] * len(rows))
            parts.append(f"SELECT %s, facet, value, COUNT(*) FROM {PersonFacet._meta.db_table} WHERE published "
                         f"AND facet IN ({marks}) AND detainee_id IN ({sql}) GROUP BY facet, value")  # fmt: skip
            params += [without, *rows, *people_params]
            counted[without] = {}
        if parts:
            with connections[router.db_for_read(PersonFacet)].cursor() as cursor:
                cursor.execute(" UNION ALL ".join(parts), params)
                for without, facet, value, n in cursor.fetchall():
                    counted[without].setdefault(facet, {})[value] = n

        def of(facet: str) -> dict[str, dict[str, int]]:
            return counted[facet if facet in active else ""]

        custody, beside = of("custody"), of("held_by")
        on_file = custody.get("custody", {}).get("on_file", 0)
        total = custody.get("all", {}).get("", 0)
        none_total = beside.get("all", {}).get("", 0) - beside.get("custody", {}).get("on_file", 0)
        exchanged = beside.get("exchanged_by", {})
        return self.facets_from(
            status_counts=of("status").get("status", {}),
            custody_counts={CustodyOnFile.NONE: total - on_file, CustodyOnFile.ON_FILE: on_file},
            no_custody={"total": none_total,
                        "exchanged_by": sorted(((countries.name(code), n) for code, n in exchanged.items() if code),
                                               key=lambda r: (-r[1], r[0]))},
            holder_counts=dict(sorted(beside.get("held_by", {}).items())),
            charge_counts=of("charge_category").get("charge_category", {}),
            designation_counts=of("designation").get("designation", {}),
        )  # fmt: skip

    def compute_facets(self):
        status_counts = dict(self.facet_queryset("status").order_by().values_list("status").annotate(n=Count("pk")))
        # With `held_on`, a charge counts when it belongs to the custody of that day, as the filter (and the census)
        # read it; so each facet's count is the number of results its link gives.
        held_on = self.filterset.form.cleaned_data.get("held_on") if self.filterset.is_bound else None
        charges = Charge.objects.filter(detention__detainee__in=self.facet_queryset("charge_category").values("pk"))
        if held_on:
            charges = charges.filter(held_on_q(held_on, prefix="detention__"))
        charge_counts = dict(
            charges.order_by().values_list("category").annotate(n=Count("detention__detainee", distinct=True))
        )
        designation_counts = dict(
            Designation.objects.filter(detainee__in=self.facet_queryset("designation").values("pk"))
            .order_by().values_list("kind").annotate(n=Count("detainee", distinct=True))
        )  # fmt: skip
        holders = Detention.objects.filter(detainee__in=self.facet_queryset("held_by").values("pk"))
        if held_on:  # held by that holder on that day, as the filter reads `held_by` beside `held_on`
            holders = holders.filter(held_on_q(held_on))
        holder_counts = dict(
            holders
            .exclude(held_by="")  # held by a group, or by someone not on file: not a country to filter by
            .order_by().values_list("held_by").annotate(n=Count("detainee", distinct=True))
        )  # fmt: skip
        on_file = Exists(Detention.objects.filter(detainee=OuterRef("pk")))
        custody = (
            self.facet_queryset("custody")
            .order_by()
            .aggregate(total=Count("pk"), on_file=Count("pk", filter=Q(on_file)))
        )
        custody_counts = {CustodyOnFile.NONE: custody["total"] - custody["on_file"],
                          CustodyOnFile.ON_FILE: custody["on_file"]}  # fmt: skip
        return self.facets_from(
            status_counts=status_counts,
            custody_counts=custody_counts,
            no_custody=no_custody_beside(self.facet_queryset("held_by").filter(~on_file)),
            holder_counts=holder_counts,
            charge_counts=charge_counts,
            designation_counts=designation_counts,
        )

    def facets_from(self, *, status_counts, custody_counts, no_custody, holder_counts, charge_counts,
                    designation_counts) -> dict:  # fmt: skip
        def selected(name):
            return self.request.GET.get(name, "")

        return {
            "status": [
                (v, label, status_counts.get(v, 0), selected("status") == v) for v, label in Status.choices
            ],  # fmt: skip
            "custody": [
                (v, label, custody_counts[v], selected("custody") == v) for v, label in CustodyOnFile.choices
            ],  # fmt: skip
            "held_by_no_custody": no_custody,
            "held_by": sorted(
                [
                    (code, countries.name(code), n, selected("held_by").upper() == code)
                    for code, n in holder_counts.items()
                ],
                key=lambda f: -f[2],
            ),
            "charge_category": [
                (v, label, charge_counts.get(v, 0), selected("charge_category") == v)
                for v, label in ChargeCategory.choices
            ],  # fmt: skip
            "designation": [
                (v, label, designation_counts.get(v, 0), selected("designation") == v)
                for v, label in DesignationKind.choices
            ],  # fmt: skip
        }


def no_custody_beside(people) -> dict:
    """What a count of custody leaves out: how many of `people` have no custody on file, and by whom those who took
    part in a published, completed exchange were released ("and 12 exchanged by Russia")."""
    exchanged = (
        Detainee.objects.filter(pk__in=people.values("pk"))
        .filter(exchange_participations__exchange__is_published=True,
                exchange_participations__exchange__status="completed")
        .order_by().values_list("exchange_participations__released_by").annotate(n=Count("pk", distinct=True))
    )  # fmt: skip
    released_by = sorted(((countries.name(code), n) for code, n in exchanged if code), key=lambda r: (-r[1], r[0]))
    return {"total": people.order_by().count(), "exchanged_by": released_by}


# Detention fields the case page shows in a place of their own (a row, the heading): disputed, they are shown there
# as disputed, each version with its source, instead of the record's own value.
SHOWN_IN_PLACE = {"place", "circumstances", "held_by", "held_by_group", "detained_on", "released_on", "end_reason"}


class CaseCitable(CitableMixin):
    citation_kind = _("Case record")
    citation_prefix = "case"
    citation_url_name = "detainees:detainee-cite"

    def dispatch(self, request, *args, **kwargs):
        """A case merged into another answers 301 with the survivor's address (`MergedDetainee`), the rest of the
        path (`cite.bib`) and the query kept."""
        try:
            return super().dispatch(request, *args, **kwargs)
        except Http404:
            merge = MergedDetainee.objects.redirect_for(request.user, slug=kwargs.get("slug"))
            if merge is None:
                raise
            url = request.path.replace(f"/{merge.merged_slug}/", f"/{merge.into.slug}/", 1)
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


class DetaineeCitationView(CaseCitable, CitationView):
    """`/detainees/<slug>/cite.<bib|ris|json>`."""

    def get_queryset(self):
        return Detainee.objects.visible_to(self.request.user)


class DetaineeDetailView(CaseCitable, PublicDetailView):
    """`/detainees/<slug>/`: the case page, every fact with its sources."""

    model = Detainee
    template_name = "detainees/detainee_detail.html"

    def get_queryset(self):
        return Detainee.objects.visible_to(self.request.user).with_status()

    def get(self, request, *args, **kwargs):
        # the stored page (English only): one indexed read (see casedocs)
        if casedocs.enabled(request) and not request.GET and casedocs.english_page(request):
            page = casedocs.case_page(kwargs["slug"], request)
            if page is not None:
                return HttpResponse(page)
        return super().get(request, *args, **kwargs)

    # The page's chrome (base.html) from a skeleton rendered once per language (common.chrome); tests compare it
    # with the template rendered the usual way.
    chrome_once = True

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.chrome_once:
            page = chrome.render(response.resolve_template(response.template_name), context, self.request)
            if page is not None:
                response.content = page  # rendered: `render()` leaves it as it is
        return response

    def get_object(self, queryset=None):
        slug = self.kwargs.get(self.slug_url_kwarg)
        if queryset is None and slug is not None and not Detainee.objects.previews(self.request.user):
            person = published_person(slug)  # get_queryset()'s person, its query compiled once
            if person is None:
                raise Http404(gettext("No %(verbose_name)s found matching the query")
                              % {"verbose_name": Detainee._meta.verbose_name})  # fmt: skip
        else:
            person = super().get_object(queryset)
        return load_case(person, self.request.user)  # everything shown, in one query

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        # Read with the case by `load_case` (one query for the records, these and their exchanges' citations): the
        # participations and statements `user` may see (a statement about a published person is published, so only
        # a draft's page tests statements), and the claims about the person, a detention or a sentence.
        participations = person.case_extras["participation"]
        statements = person.case_extras["statement"]
        claims = person.case_extras["claim"]
        about = {"detainee": [], "detention": [], "sentence": []}
        for claim in claims:
            about[claim.content_type.model].append(claim)
        for claim in about["sentence"]:
            if claim.field == "term_months" and claim.value.isdigit():  # "82" as the term reads: 6 years 10 months
                claim.value_shown = term_text(int(claim.value))
        for detention in person.detentions.all():
            detention.disputed = disputed_fields(c for c in about["detention"] if c.object_id == detention.pk)
            # Fields the section shows in their own place; the rest of what is disputed is listed after them.
            detention.disputed_elsewhere = {
                field: versions for field, versions in detention.disputed.items() if field not in SHOWN_IN_PLACE
            }
            for sentence in detention.sentences.all():
                sentence.disputed = disputed_fields(c for c in about["sentence"] if c.object_id == sentence.pk)
        # A Russian page heads the case with the Russian name on file, the English one beside it (common.text).
        local_name = russian_name(person.name_original, person.aliases) if base_language() == "ru" else ""
        context.update(
            local_name=local_name if local_name != person.name else "",
            disputed=disputed_fields(about["detainee"]),
            citations=Citations(),
            status_sentence=status_sentence(person, participations),  # no query: read with the case
            custody_chains=custody_chains(person),
            timeline=timeline(person, participations),
            participations=participations,
            statements=statements,
            days_sentence=self.days_sentence(person),
            last_confirmed=last_confirmed(person),
            change_log=public_change_log(person) if person.is_published else [],
        )
        context["json_ld"] = person_json_ld(person, context["page_citation"].url, participations)
        return context

    def days_sentence(self, person) -> str:
        """ "1,234 days in custody in all.", or for a page to be stored, what the count is made of, filled in each time
        the page is served (`request.days_filled_in_later`, see casedocs.services)."""
        minimum = person.days_held_is_a_minimum()
        fixed, starts = days_held_parts(person.detentions.all())
        if getattr(self.request, "days_filled_in_later", False):
            return days_marker(fixed, starts, minimum)
        return days_sentence(days_on(fixed, starts, timezone.localdate()), minimum)


_SLUG = "\x00slug"  # a slug no address carries: the stand-in `published_person` compiles its SQL with
_PERSON_QUERY: dict[str, tuple] = {}


def published_person(slug: str) -> Detainee | None:
    """`Detainee.objects.published().with_status().get(slug=slug)` (the case page's person for a visitor who sees no
    draft), or None: the ORM's SQL and instances, the SQL compiled once per database and sent as a prepared
    statement (h63: composing and compiling the query was 3,800 Python calls, a sixth of a cold case page)."""
    using = router.db_for_read(Detainee)
    if using not in _PERSON_QUERY:
        compiler = Detainee.objects.published().with_status().filter(slug=_SLUG).query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        _PERSON_QUERY[using] = (sql, params, instance_maker(compiler, using))
    sql, params, instances = _PERSON_QUERY[using]
    params = [slug if param == _SLUG else param for param in params]
    rows = execute_prepared(connections[using], ("detainees", "case_person"), sql, params)
    return instances(rows[:1])[0] if rows else None


from common.i18n import base_language, hreflang  # noqa: E402
from common.templatetags.tracker import description_in_language  # noqa: E402
from common.text import russian_name  # noqa: E402


def person_json_ld(person, url: str, participations) -> dict:
    """schema.org Person for search engines: names, nationality, birth date, Wikidata, the exchanges."""
    data = {
        "@context": "https://schema.org",
        "@type": "Person",
        "@id": url,
        "url": url,
        "name": person.name,
        # the page about the person, in the page's language (a Person has no inLanguage of its own)
        "mainEntityOfPage": {"@type": "ProfilePage", "@id": url, "inLanguage": hreflang(base_language())},
    }
    alternate = [n for n in [person.name_original, *(person.aliases or [])] if n]
    if alternate:
        data["alternateName"] = alternate
    if description_in_language(person):
        data["description"] = description_in_language(person)
    if person.citizenships:
        data["nationality"] = [{"@type": "Country", "name": c.name, "identifier": c.code} for c in person.citizenships]
    if person.born_on:
        data["birthDate"] = iso_partial_date(person.born_on, person.born_on_precision)
    if person.wikidata_id:
        data["sameAs"] = [f"https://www.wikidata.org/wiki/{person.wikidata_id}"]
    if participations:
        url_root = url[: url.index("/", url.index("//") + 2)]  # scheme and host of the page
        data["subjectOf"] = [
            {"@type": "Event", "name": p.exchange.name, "url": url_root + p.exchange.get_absolute_url()}
            for p in participations
        ]
    return data


class GroupDetailView(PublicDetailView):
    """`/groups/<slug>/`: a non-state captor, the people it held and the exchanges it took part in."""

    model = Group
    template_name = "detainees/group_detail.html"

    def get_base_queryset(self):
        return Group.objects.all()  # public records: no draft state

    def get_context_data(self, **kwargs):
        from django.apps import apps

        context = super().get_context_data(**kwargs)
        user = self.request.user
        detentions = (
            self.object.detentions.filter(detainee__in=Detainee.objects.visible_to(user))
            .select_related("detainee")  # in Detention's order: a start no report dates last
        )  # fmt: skip
        Exchange = apps.get_model("exchanges", "Exchange")
        group = self.object
        exchanges = (
            Exchange.objects.visible_to(user)
            .filter(
                Q(participants__released_by_group=group) | Q(participants__received_by_group=group)
                | Q(counts__released_by_group=group) | Q(counts__received_by_group=group)
            ).distinct().with_participants(user).order_by("-date")
        )  # fmt: skip
        context.update(detentions=list(detentions), exchanges=list(exchanges))
        return context


class GroupListView(PublicMixin, ListView):
    """`/groups/`: the non-state captors on file, each with how many people (that the visitor may see) it held."""

    model = Group
    template_name = "detainees/group_list.html"
    paginate_by = 100

    def get_queryset(self):
        visible = Detainee.objects.visible_to(self.request.user).values("pk")
        held = Count("detentions__detainee", filter=Q(detentions__detainee__in=visible), distinct=True)
        return Group.objects.annotate(people_held=held).order_by("name", "id")


class CensusView(PageCacheMixin, TemplateView):
    """`/census/?on=YYYY-MM-DD`: how many people were held that day (default today) by holder, citizenship, charge
    and designation, the people named; those whose custody only may have covered the day apart; and a chart of
    1 December of every year on file. The figures are `detainees.census`, the same as `/api/v1/census/`."""

    template_name = "detainees/census.html"
    NAMES_SHOWN = 25  # per row; the rest are one link away, in the list the row's figure links to

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, day = census_day(self.request.GET)
        unknown = sorted(set(self.request.GET) - CensusForm.KNOWN)
        context.update(form=form, day=day, unknown_params=unknown, today=timezone.localdate())
        if day is None:
            return context
        figures = census(day, version=getattr(self.request, "data_version", None))
        people = {p["id"]: p for p in figures["people"]}

        def rows(dimension: str) -> list[dict]:
            out = []
            for row in figures[dimension]:
                query = list_query(dimension, row, day)
                out.append({
                    **row, "list_query": query, "shown": [people[i] for i in row["held"][: self.NAMES_SHOWN]],
                    "more": max(len(row["held"]) - self.NAMES_SHOWN, 0),
                    "uncertain_people": [people[i] for i in row["uncertain"]],
                })  # fmt: skip
            return out

        december = figures["december"]
        context.update(
            figures=figures,
            held_people=[p for p in figures["people"] if p["certain"]],
            uncertain_people=[p for p in figures["people"] if not p["certain"]],
            tables=[
                ("holder", _("Held by"), _("State or group"), rows("by_holder")),
                ("citizenship", _("Citizenship"), _("Citizenship"), rows("by_citizenship")),
                ("charge", _("Charges"), _("Charged with (in that custody)"), rows("by_charge_category")),
                ("designation", _("Designations"), _("Designated as (any date)"), rows("by_designation")),
            ],
            total_query=list_query("total", {}, day),
            december=december,
            chart=bar_chart([(row["year"], row["held"]) for row in december]),
            day_is_december_first=(day.month, day.day) == (12, 1),
        )
        return context

    def render_to_response(self, context, **kwargs):
        if context["form"].errors:
            kwargs.setdefault("status", 400)
        return super().render_to_response(context, **kwargs)
