"""API viewsets of detainees and their custody records."""

import csv
import functools
import io
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from casedocs import services as casedocs
from common import integrity
from common.api import (
    ERRORS,
    CSVRenderer,
    FastJSONRenderer,
    StrictFilterBackend,
    TrackerViewSet,
    WithdrawPublicationMixin,
    check_selection,
    documented,
    has_surrogate,
    parse_field_selection,
    prune,
    unknown_parameter,
)
from common.cache import cached_figures, public_response_key
from common.csvsafe import neutralise
from common.filters import MAX_ID
from common.models import certain_days, certain_start
from common.sql import execute_prepared

from . import facets
from .census import CensusForm, census, census_day, census_document
from .documents import TOP_FIELDS, build_documents, row_of
from .filters import (
    ChargeFilter,
    DesignationFilter,
    DetaineeFilter,
    DetentionFilter,
    GroupFilter,
    SentenceChangeFilter,
    SentenceFilter,
    TransferFilter,
)
from .models import (
    Charge,
    Designation,
    Detainee,
    Detention,
    Group,
    MergedDetainee,
    Sentence,
    SentenceChange,
    Transfer,
)
from .selectors import SUGGEST_BELOW, case_queryset, name_suggestions
from .serializers import (
    ChargeSerializer,
    DesignationSerializer,
    DetaineeSerializer,
    DetentionSerializer,
    GroupSerializer,
    SentenceChangeResourceSerializer,
    SentenceSerializer,
    TransferSerializer,
)
from .services import likely_duplicates

SUGGESTIONS_SCHEMA = {
    "type": "object",
    "required": ["q", "suggestions"],
    "properties": {
        "q": {"type": "string", "description": "The name searched, its spaces tidied."},
        "suggestions": {"type": "array", "items": {"type": "object", "required": [
            "id", "name", "score", "url", "html_url", "search_url"], "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "score": {"type": "number", "minimum": 0, "maximum": 1,
                      "description": "The matcher's score, 0 to 1; suggestions score 0.8 or more."},
            "url": {"type": "string", "format": "uri"},
            "html_url": {"type": "string", "format": "uri"},
            "search_url": {"type": "string", "format": "uri", "description": "The list searched for this name."},
        }}},
    },
}  # fmt: skip


_COUNTS = "SELECT facet, value, n FROM {table} WHERE n > 0"


def stored_counts() -> dict[str, dict[str, int]]:
    """`facets.counts()`, for the API list's size (`known_count`): the same rows as one prepared statement, without
    the ORM query's composing nor the version's digest, which the API does not use (~0.4 ms of CPU a list, h64)."""
    from django.db import connections, router

    from .models import FacetCount

    connection = connections[router.db_for_read(FacetCount)]
    out: dict[str, dict[str, int]] = {}
    sql = _COUNTS.format(table=FacetCount._meta.db_table)
    for facet, value, n in execute_prepared(connection, ("detainees", "api_counts"), sql):
        out.setdefault(facet, {})[value] = n
    return out


@functools.cache
def detainee_fields():
    """The fields of a detainee document, nested ones included, to check `fields=` against."""
    return DetaineeSerializer().fields


class CaseChildViewSet(TrackerViewSet):
    """Records inside a case: visible when their detainee is."""

    detainee_path = "detention__detainee"

    def get_queryset(self):
        queryset = super().get_queryset()
        if not Detainee.objects.previews(self.request.user):
            queryset = queryset.filter(**{f"{self.detainee_path}__is_published": True})
        return queryset


@documented
class DetaineeViewSet(WithdrawPublicationMixin, TrackerViewSet):
    """People held by states; each with their detentions, charges, sentences, transfers and designations."""

    queryset = Detainee.objects.all()
    serializer_class = DetaineeSerializer
    filterset_class = DetaineeFilter
    # A name search ranks every match (Detainee.objects.ranked): its page query counts them too, on every page, rather
    # than keep the count under a key that costs the query compiled again and the data version read (h65).
    keep_search_count = False

    def get_queryset(self):
        if self.request.method in ("PUT", "PATCH", "DELETE") and self.lean():
            # A write reads the person alone: the whole case, prefetched for a representation (13 queries), would be
            # thrown away by the write; the answer is then built as a read builds it (`perform_update`). A PATCH or PUT
            # locks the person with that read (the case's lock, `integrity.lock_on_read`): one statement, not two.
            people = Detainee.objects.visible_to(self.request.user)
            return integrity.lock_on_read(people) if self.request.method != "DELETE" else people
        return case_queryset(self.request.user)

    def get_object(self):
        instance = super().get_object()
        if self.request.method in ("PUT", "PATCH") and self.lean():
            integrity.read_locked(instance)
        return instance

    def perform_update(self, serializer):
        """The write; then its answer built the way the JSON detail builds it (`documents.py`: two queries, the
        serializer's representation, tested equal) instead of the serializer fetching the case record by record."""
        super().perform_update(serializer)
        if self.lean():
            if self.row_is_as_saved(serializer):  # the person's row is what was just written: not read back (h66)
                rows = [row_of(serializer.instance)]
            else:
                people = Detainee.objects.visible_to(self.request.user)
                rows = list(people.filter(pk=serializer.instance.pk).values(*TOP_FIELDS))
            [serializer._data] = self.selected(build_documents(rows, self.request))

    @staticmethod
    def row_is_as_saved(serializer) -> bool:
        """Whether the person's row now holds what the instance does: it was read under the case's lock
        (`integrity.read_locked`), and the write changed only its own columns (a save writes every one it owns, and
        the status fields it does not own were read with the lock). A change of citations moves `updated_at` by a
        statement of its own (`signals.touch_detainees`), and a change of `is_published` may take the person out of
        what the writer can read: both are read back."""
        own = {f.name for f in Detainee._meta.concrete_fields}
        return all(name in own and name != "is_published" for name in serializer.validated_data)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        casedocs.after_response(request, response)  # a cold detail's document stored once the answer is sent
        return response

    def lean(self) -> bool:
        """Plain JSON reads take the lean path (`documents.py`); the browsable API and CSV keep theirs."""
        return getattr(self.request.accepted_renderer, "format", None) == "json"

    def lean_rows(self, fields=TOP_FIELDS):
        queryset = self.filter_queryset(Detainee.objects.visible_to(self.request.user))
        return queryset.values(*fields)

    def pages_by_id(self) -> bool:
        """A name search (offset pages) picks its page by id alone, then reads whole rows only for the people with
        no stored document (h65): its page query counts every match (`COUNT(*) OVER ()`) and sorts them all by rank,
        and carrying the ~30 columns of each match through that cost 40% of the query (0.87 against 0.53 ms for
        330 matches; a common surname matches thousands at 100,000 cases)."""
        cursor = getattr(self.paginator, "cursor_query_param", None)
        searched = bool(self.request.query_params.get("q", "").strip())
        return searched and bool(cursor) and cursor not in self.request.query_params

    def rows_by_id(self, rows: list[dict]) -> list[dict]:
        """`rows` ({"id"} in order) read whole; one a concurrent write removed is left out."""
        found = Detainee.objects.visible_to(self.request.user).filter(pk__in=[row["id"] for row in rows])
        whole = {row["id"]: row for row in found.values(*TOP_FIELDS)}
        return [whole[row["id"]] for row in rows if row["id"] in whole]

    def known_count(self) -> int | None:
        """The list's size from the stored counts when it is published people filtered by at most one facet value
        (detainees.facets): no COUNT over the people after every write."""
        public = not Detainee.objects.previews(self.request.user)
        filterset = getattr(self, "bound_filterset", None)  # the one that filtered the list (common.api)
        if not isinstance(filterset, DetaineeFilter):
            filterset = DetaineeFilter(self.request.query_params, queryset=Detainee.objects.none(),
                                       request=self.request)  # fmt: skip
        return facets.known_count(filterset, public, stored=stored_counts)

    def selected(self, documents: list[dict]) -> list[dict]:
        raw = self.request.query_params.get("fields")
        if not raw:
            return documents
        selection = parse_field_selection(raw)
        check_selection(detainee_fields(), selection)
        return [prune(doc, selection) for doc in documents]

    def cached(self, compute):
        """Anonymous reads are kept per data version, as public pages are (see common.cache)."""
        key = public_response_key(self.request, "api")
        if key is None:
            return compute()
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, settings.PAGE_CACHE_SECONDS)
        return value

    def list(self, request, *args, **kwargs):
        if not self.lean():
            return super().list(request, *args, **kwargs)

        params = request.query_params
        if casedocs.enabled(request) and not params.get("q", "").strip() and "cursor" not in params:
            return self.stored_list(request)

        def compute():
            by_id = self.pages_by_id()
            rows = list(self.paginate_queryset(self.lean_rows(["id"] if by_id else TOP_FIELDS)))
            # Stored documents where current (one indexed read, see casedocs); the others assembled as before. A list
            # builds no page: fifty cold cases would cost fifty renderings.
            stored = casedocs.stored_api([row["id"] for row in rows], request) if casedocs.enabled(request) else {}
            missing = [row for row in rows if row["id"] not in stored]
            if by_id and missing:
                missing = self.rows_by_id(missing)
                found = {row["id"] for row in missing}
                rows = [row for row in rows if row["id"] in stored or row["id"] in found]
            assembled = iter(build_documents(missing, request))
            documents = [stored[row["id"]] if row["id"] in stored else next(assembled) for row in rows]
            return self.get_paginated_response(self.selected(documents)).data

        data = self.cached(compute)
        response = Response(data)
        query = request.query_params.get("q", "").strip()
        if query and data["count"] < SUGGEST_BELOW:  # few found: where the nearest names are, the list's shape kept
            url = reverse("api:detainee-suggest", request=request)
            response["Link"] = f'<{url}?{urlencode({"q": query})}>; rel="suggestions"'
        return response

    def stored_list(self, request):
        """A page of the list for an anonymous reader, by page number (a name search and cursor pages keep `list`'s
        own path): the page's ids alone (`values(*TOP_FIELDS)` of fifty people, their aliases' JSON decoded, cost
        more than their stored documents), their stored documents, and the rows of those not stored only (h64)."""

        def compute():
            ids = list(self.paginate_queryset(self.filter_queryset(Detainee.objects.visible_to(request.user))
                                              .values_list("id", flat=True)))  # fmt: skip
            stored = casedocs.stored_api(ids, request)
            missing = [pk for pk in ids if pk not in stored]
            if missing:  # (one published at most a moment ago and gone since is left out: as if read a moment later)
                rows = self.rows_by_id([{"id": pk} for pk in missing])  # as a name search reads its page's (h65)
                stored.update(zip([row["id"] for row in rows], build_documents(rows, request), strict=True))
            documents = [stored[pk] for pk in ids if pk in stored]
            return self.get_paginated_response(self.selected(documents)).data

        return Response(self.cached(compute))

    def retrieve(self, request, *args, **kwargs):
        """One case; a case merged into another answers 301 to the survivor, with a `merged_into` body."""
        try:
            return self.retrieve_on_file(request, *args, **kwargs)
        except (NotFound, Http404):
            value = kwargs[self.lookup_url_kwarg or self.lookup_field]
            query = request.META.get("QUERY_STRING")
            if not str(value).isdigit():  # a case page's slug: the record lives at its id (and so do stored documents)
                return self.slug_redirect(request, str(value), query)
            merge = MergedDetainee.objects.redirect_for(request.user, pk=value)
            if merge is None:
                raise
            url = reverse("api:detainee-detail", args=[merge.into_id], request=request)
            url = f"{url}?{query}" if query else url
            body = {"id": merge.merged_id, "merged_into": merge.into_id, "url": url,
                    "detail": _("This record was merged into another; it answers at `url`.")}  # fmt: skip
            return Response(body, status=301, headers={"Location": url})

    def slug_redirect(self, request, slug: str, query: str):
        """`/api/v1/detainees/<slug>/` (the case page's slug, or a merged record's) answers 301 to the id address,
        the query kept; drafts (for anyone who may not preview them) and unknown slugs stay 404."""
        pk = Detainee.objects.visible_to(request.user).filter(slug=slug).values_list("pk", flat=True).first()
        if pk is None:
            merge = MergedDetainee.objects.redirect_for(request.user, slug=slug)
            if merge is None:
                raise NotFound()
            pk = merge.into_id
        url = reverse("api:detainee-detail", args=[pk], request=request)
        url = f"{url}?{query}" if query else url
        return Response({"id": pk, "url": url, "detail": _("A case page's slug; the record answers at `url`.")},
                        status=301, headers={"Location": url})  # fmt: skip

    def retrieve_on_file(self, request, *args, **kwargs):
        if not self.lean():
            return super().retrieve(request, *args, **kwargs)
        value = kwargs[self.lookup_url_kwarg or self.lookup_field]
        if not str(value).isdigit() or int(value) > MAX_ID:  # no record has an id beyond the database's integers
            raise NotFound()
        # A detail is looked up by id alone: unknown parameters are still refused, filters are for lists.
        StrictFilterBackend().check_known(request, self, Detainee.objects.none())

        def compute():
            if casedocs.enabled(request):
                pk, found = int(value), None
                # the document and the record's last event in the feed (Last-Modified) in one read (h64)
                both = casedocs.stored_api_and_last(pk, request, "detainees")
                if both is not None:
                    found = {pk: both[0]} if both[0] is not None else {}
                    self.published_rows = {pk: both[1]}  # for changes.services.record_validators
                stored = casedocs.api_documents([pk], request, found).get(pk)
                if stored is not None:
                    [document] = self.selected([stored])
                    return document, parse_datetime(stored["updated_at"])
            row = Detainee.objects.visible_to(request.user).filter(pk=value).values(*TOP_FIELDS).first()
            if row is None:
                raise NotFound()
            [document] = self.selected(build_documents([row], request))
            return document, row["updated_at"]

        document, updated_at = self.cached(compute)
        return self.conditional_response(document, updated_at)

    def csv_html_url_pattern(self):
        return reverse("detainees:detainee-detail", args=["__slug__"])

    # As of when a person is held (SPEC: Detention `last_confirmed_on`): the JSON nests each detention with it; a
    # spreadsheet has no nesting, so the CSV carries the open custody's, empty for anyone not held or never confirmed.
    CONFIRMED = ("last_confirmed_on", "last_confirmed_on_precision")

    def csv_columns(self):
        """The serializer's columns, `merged_ids` (records merged into this one, "|"-joined: a spreadsheet holding an
        old id finds the case it became) and `last_confirmed_on` (+ precision), unless `fields=` chose the columns."""
        columns = super().csv_columns()
        return columns if self.request.query_params.get("fields") else [*columns, "merged_ids", *self.CONFIRMED]

    def csv_extra(self, ids, rows):
        merged: dict[int, list[str]] = {}
        for into, old in (
            MergedDetainee.objects.visible_to(self.request.user)
            .current()
            .filter(into_id__in=ids)
            .values_list("into_id", "merged_id")
        ):
            merged.setdefault(into, []).append(str(old))
        extra = self.days_held_extra(ids)
        for pk in ids:
            extra.setdefault(pk, {})["merged_ids"] = "|".join(merged.get(pk, []))
        return extra

    def days_held_extra(self, ids):
        """`days_held`, and the open custody's `last_confirmed_on` (+ precision: the latest detention, still open, the
        one the status "held" reads; empty otherwise), from one reading of the chunk's detentions."""
        today = timezone.localdate()
        out = {pk: {"days_held": 0, "last_confirmed_on": "", "last_confirmed_on_precision": ""} for pk in ids}
        for row in Detention.objects.filter(detainee_id__in=ids).values_list(
            "detainee_id", "detained_on", "detained_on_precision", "released_on", "released_on_precision", "end_reason",
            "last_confirmed_on", "last_confirmed_on_precision", "id", "detainee__latest_detention_id",
        ):  # fmt: skip
            detainee_id, start, precision, end, end_precision, reason, confirmed, confirmed_precision, pk, latest = row
            # counted as the JSON counts it (Detention.days_held): an undated start from the confirming report
            start, precision = certain_start(start, precision, confirmed, confirmed_precision, end, end_precision)
            out[detainee_id]["days_held"] += certain_days(start, precision, end, reason, today)
            if pk == latest and end is None and not reason and confirmed is not None:
                out[detainee_id].update(last_confirmed_on=confirmed.isoformat(),
                                        last_confirmed_on_precision=confirmed_precision)  # fmt: skip
        return out

    @extend_schema(
        summary="Names nearest to a search: did you mean…?",
        description="The published people whose names are nearest to `q` by the matcher that reconciliation and the "
        "duplicate warnings use (spellings and scripts of a name, a letter or two amiss: `whelen` finds Paul Whelan), "
        "best first, at most five, each with the list searched for that name (`search_url`). Drafts are never "
        "suggested, whoever asks. A name search of the list (`?q=`) that finds fewer than three people answers with "
        "a `Link: <…/api/v1/detainees/suggest/?q=…>; rel=\"suggestions\"` header pointing here; the list itself "
        "keeps its shape.",
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^\\x00]*$"},
                required=True,
                description="The name searched, as typed (at most 200 characters; only spaces: no suggestion).",
            )
        ],
        responses={200: OpenApiResponse(response=SUGGESTIONS_SCHEMA, description="The nearest names, best first."),
                   400: OpenApiResponse(description="`q` missing, empty, too long, or another parameter; named."),
                   429: ERRORS[429]},
    )  # fmt: skip
    @action(detail=False, methods=["get"], url_path="suggest", renderer_classes=[FastJSONRenderer],
            filter_backends=[], pagination_class=None)  # fmt: skip
    def suggest(self, request):
        unknown = sorted(set(request.query_params) - {"q", "format"})
        if unknown:
            raise ValidationError({name: [unknown_parameter({"format", "q"})] for name in unknown})
        query = request.query_params.get("q", "")
        if not query:
            raise ValidationError({"q": [_("Give the name searched.")]})
        if len(query) > 200 or "\x00" in query or has_surrogate(query):
            raise ValidationError({"q": [_("At most 200 characters, none of them NUL.")]})
        query = " ".join(query.split())
        found = cached_figures(
            "api-name-suggestions",
            parts=(query,),
            version=getattr(request, "data_version", None),
            compute=lambda: [(p.pk, p.name, p.slug, score) for p, score in name_suggestions(query)],
        )
        api_url = reverse("api:detainee-list", request=request)
        page = request.build_absolute_uri(reverse("detainees:detainee-detail", args=["__slug__"]))
        return Response({"q": query, "suggestions": [
            {"id": pk, "name": name, "score": score, "url": reverse("api:detainee-detail", args=[pk], request=request),
             "html_url": page.replace("__slug__", slug), "search_url": f"{api_url}?{urlencode({'q': name})}"}
            for pk, name, slug, score in found
        ]})  # fmt: skip

    def create(self, request, *args, **kwargs):
        """Creates as usual; the response also carries `warnings.possible_duplicates` when names resemble others."""
        response = super().create(request, *args, **kwargs)
        data = response.data
        person = Detainee.objects.get(pk=data["id"])
        similar = likely_duplicates(name=person.name, name_original=person.name_original, aliases=person.aliases,
                                    born_on=person.born_on, born_on_precision=person.born_on_precision,
                                    citizenships=person.citizenships, exclude_pk=person.pk)  # fmt: skip
        if similar:
            response.data = {**data, "warnings": {"possible_duplicates": [
                {"id": d.pk, "name": d.name, "url": reverse("api:detainee-detail", args=[d.pk], request=request)}
                for d in similar
            ]}}  # fmt: skip
        return response


@documented
class DetentionViewSet(CaseChildViewSet):
    """Episodes of custody."""

    queryset = Detention.objects.select_related("detainee").prefetch_related("sources")
    serializer_class = DetentionSerializer
    filterset_class = DetentionFilter
    detainee_path = "detainee"


@documented
class ChargeViewSet(CaseChildViewSet):
    """Accusations within detentions."""

    queryset = Charge.objects.prefetch_related("sources")
    serializer_class = ChargeSerializer
    filterset_class = ChargeFilter


@documented
class SentenceViewSet(CaseChildViewSet):
    """Courts' sentences and their later changes."""

    queryset = Sentence.objects.prefetch_related("sources", "charges", "changes__sources")
    serializer_class = SentenceSerializer
    filterset_class = SentenceFilter


@documented
class SentenceChangeViewSet(CaseChildViewSet):
    """Later changes to sentences: appeals, reductions, commutations, pardons (also nested in their sentence)."""

    queryset = SentenceChange.objects.prefetch_related("sources")
    serializer_class = SentenceChangeResourceSerializer
    filterset_class = SentenceChangeFilter
    detainee_path = "sentence__detention__detainee"


@documented
class TransferViewSet(CaseChildViewSet):
    """Moves between places of custody."""

    queryset = Transfer.objects.prefetch_related("sources")
    serializer_class = TransferSerializer
    filterset_class = TransferFilter


@documented
class DesignationViewSet(CaseChildViewSet):
    """Recognitions of a detainee's status by authorities."""

    queryset = Designation.objects.prefetch_related("sources")
    serializer_class = DesignationSerializer
    filterset_class = DesignationFilter
    detainee_path = "detainee"


@documented
class GroupViewSet(TrackerViewSet):
    """Non-state captors and parties to exchanges: armed groups, militias, criminal organisations."""

    queryset = Group.objects.all()
    serializer_class = GroupSerializer
    filterset_class = GroupFilter

    def csv_html_url_pattern(self):
        return reverse("groups:group-detail", args=["__slug__"])


class CensusCSVRenderer(CSVRenderer):
    """One CSV row per person held (`certain` true) or maybe held (`certain` false) on the day."""

    COLUMNS = ["id", "name", "certain", "held_by", "held_by_group", "citizenships", "charge_categories", "designations",
               "url", "html_url"]  # fmt: skip

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if not isinstance(data, dict) or "people" not in data:
            return super().render(data, accepted_media_type, renderer_context)
        out = io.StringIO()
        out.write("\ufeff")  # spreadsheets then read Cyrillic names as UTF-8, as on every CSV of the API
        writer = csv.DictWriter(out, fieldnames=self.COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for person in data["people"]:
            row = {k: "|".join(map(str, v)) if isinstance(v, list) else v for k, v in person.items()}
            row["certain"] = "true" if person["certain"] else "false"
            writer.writerow({k: neutralise(v) for k, v in row.items()})
        return out.getvalue().encode()


_FIGURE_ROW = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "held": {"type": "integer", "description": "People certainly held that day."},
        "uncertain": {"type": "integer", "description": "People whose custody may have covered that day, not counted."},
        "people": {"type": "array", "items": {"type": "integer"}, "description": "Ids of the people held."},
        "uncertain_people": {"type": "array", "items": {"type": "integer"}},
        "list_url": {"type": "string", "nullable": True, "description": "The detainee list holding the same people."},
        "list_html_url": {"type": "string", "nullable": True},
    },
}
CENSUS_SCHEMA = {
    "type": "object",
    "required": ["on", "held", "uncertain", "by_holder", "by_citizenship", "by_charge_category", "by_designation",
                 "people", "december"],
    "properties": {
        "on": {"type": "string", "format": "date"},
        "held": {"type": "integer", "description": "People certainly in custody that day (published cases only)."},
        "uncertain": {"type": "integer",
                      "description": "People whose custody may have covered that day (partial dates), not in `held`."},
        "list_url": {"type": "string"},
        "list_html_url": {"type": "string"},
        "by_holder": {"type": "array", "items": {**_FIGURE_ROW, "properties": {
            **_FIGURE_ROW["properties"], "held_by": {"type": "string", "nullable": True},
            "held_by_group": {"type": "integer", "nullable": True}}}},
        "by_citizenship": {"type": "array", "items": {**_FIGURE_ROW, "properties": {
            **_FIGURE_ROW["properties"], "citizenship": {"type": "string"}}}},
        "by_charge_category": {"type": "array", "items": {**_FIGURE_ROW, "properties": {
            **_FIGURE_ROW["properties"], "charge_category": {"type": "string"}}}},
        "by_designation": {"type": "array", "items": {**_FIGURE_ROW, "properties": {
            **_FIGURE_ROW["properties"], "designation": {"type": "string"}}}},
        "people": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "certain": {"type": "boolean"},
            "held_by": {"type": "array", "items": {"type": "string"}},
            "held_by_group": {"type": "array", "items": {"type": "integer"}},
            "citizenships": {"type": "array", "items": {"type": "string"}},
            "charge_categories": {"type": "array", "items": {"type": "string"}},
            "designations": {"type": "array", "items": {"type": "string"}},
            "url": {"type": "string"}, "html_url": {"type": "string"}}}},
        "december": {"type": "array", "description": "Held on 1 December of every year on file.", "items": {
            "type": "object", "properties": {"year": {"type": "integer"}, "on": {"type": "string", "format": "date"},
                                             "held": {"type": "integer"}, "uncertain": {"type": "integer"}}}},
    },
}  # fmt: skip


class CensusView(APIView):
    """`/api/v1/census/?on=YYYY-MM-DD`: how many people were held that day (default today), by holder, citizenship,
    charge category and designation, with the people; those whose custody only may have covered the day (partial
    dates) counted apart. `?format=csv`: one row per person."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, CensusCSVRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400 and getattr(request, "accepted_renderer", None) is not None:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        operation_id="census_retrieve",
        summary="Get the census of a day",
        tags=["census"],
        parameters=[
            OpenApiParameter("on", {"type": "string", "format": "date"},
                             description="The day counted (YYYY-MM-DD, not after today); today when absent."),
            OpenApiParameter("format", str, enum=["json", "csv"], description="`csv`: one row per person."),
        ],
        responses={200: OpenApiResponse(response=CENSUS_SCHEMA, description="The census of the day."),
                   400: OpenApiResponse(description="An unknown parameter, or `on` not a date up to today; named."),
                   404: OpenApiResponse(description="A `format` other than json or csv."),
                   429: ERRORS[429]},
    )  # fmt: skip
    def get(self, request):
        unknown = sorted(set(request.query_params) - CensusForm.KNOWN - {"format"})
        if unknown:
            raise ValidationError({name: [unknown_parameter({"format", "on"})] for name in unknown})
        form, day = census_day(request.query_params)
        if day is None:
            raise ValidationError(form.errors)
        absolute = request.build_absolute_uri
        response = Response(census_document(
            census(day),
            api_url=absolute(reverse("api:detainee-detail", args=[0])).replace("/0/", "/__id__/"),
            html_url=absolute(reverse("detainees:detainee-detail", args=["__slug__"])),
            list_api=absolute(reverse("api:detainee-list")),
            list_html=absolute(reverse("detainees:detainee-list")),
        ))  # fmt: skip
        if getattr(request.accepted_renderer, "format", "") == "csv":
            response["Content-Disposition"] = f'attachment; filename="census-{day.isoformat()}.csv"'
        return response
