"""The API's front door (`/api/v1/`), and the OpenAPI schema kept once per process."""

from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from drf_spectacular.renderers import OpenApiYamlRenderer
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SCHEMA_KWARGS, SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

# Every resource in the order a newcomer meets them, with what it holds. Kept beside the router registrations in
# config/api_urls.py; a test checks that every registered list appears here.
RESOURCES = [
    ("detainees", "People held by states, each with detentions, charges, sentences, transfers and designations."),
    ("detentions", "Episodes of custody: who held whom, from when to when, and how it ended."),
    ("charges", "Accusations within a detention, with their outcome."),
    ("sentences", "Courts' sentences and their later changes."),
    ("sentence-changes", "Later changes to sentences: appeals, reductions, commutations, pardons."),
    ("transfers", "Moves between places of custody within a detention."),
    ("designations", "Recognitions of a detainee's status by an authority (wrongfully detained, hostage, …)."),
    ("exchanges", "Prisoner exchanges: who was released by which state and received by which."),
    ("exchange-participants", "One row per person per exchange: who released them, who received them, notes."),
    ("groups", "Non-state captors and parties to exchanges: armed groups, militias, criminal organisations."),
    ("flows", "Who was released by whom to whom, added up over exchanges (filter by years and countries)."),
    ("census", "How many people were held on a date (`on`, default today), by holder, citizenship, charge and "
     "designation, with the people; and on 1 December of every year on file."),
    ("statements", "Officials' public statements about detainees and exchanges."),
    ("officials", "The officials who speak for states, with their statements over time."),
    ("claims", "Where sources disagree: each source's version of a disputed fact."),
    ("sources", "The reports and documents every fact cites."),
    ("outlets", "Who published the sources."),
]


# Resources that are one document computed from the records rather than a list of them.
DOCUMENTS = {"flows", "census"}


class ApiRootView(APIView):
    """`/api/v1/`: every resource, the whole-dataset dump, the deletions feed, the schema and the docs.

    Scripts get JSON (each resource's list address under its name, as before, plus `dump`, `deletions`, `schema`,
    `docs`, `redoc` and `resources` with descriptions); a browser gets a page of the site listing the same.
    """

    renderer_classes = [JSONRenderer, TemplateHTMLRenderer]
    template_name = "api_root.html"
    permission_classes = [AllowAny]  # a list of addresses, read-only: GET is its only method
    schema = None  # not an operation of the API itself

    def get(self, request, *args, **kwargs):
        def absolute(name: str) -> str:
            return request.build_absolute_uri(reverse(name))

        resources = []
        for name, description in RESOURCES:
            url = absolute(f"api:{name}" if name in DOCUMENTS else f"api:{name[:-1]}-list")
            resources.append({"name": name, "url": url, "csv": f"{url}?format=csv", "description": description})
        data = {r["name"]: r["url"] for r in resources}
        data.update(
            dump=absolute("api:dump"),
            deletions=absolute("api:deletions"),
            changes=absolute("api:changes"),
            releases=absolute("api:releases"),
            schema=absolute("api-schema"),
            docs=absolute("api-docs"),
            redoc=absolute("api-redoc"),
            resources=resources,
        )
        return Response(data)


class CachedSchemaView(SpectacularAPIView):
    """The OpenAPI schema, generated once per process and language: it depends on the code alone, and generating
    it costs about a second, which the docs page used to spend behind a spinner on every visit."""

    _schemas: dict = {}

    # What scripts ask for (the first wins for `Accept: */*`), and text/html, which only a browser puts first.
    OFFERED = ["application/vnd.oai.openapi", "application/yaml", "application/vnd.oai.openapi+json",
               "application/json", "text/html"]  # fmt: skip

    @extend_schema(**SCHEMA_KWARGS)  # as the parent's `get`: the schema describes itself only when settings ask
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if "format" not in request.query_params and request._request.get_preferred_type(self.OFFERED) == "text/html":
            # A browser would download `application/vnd.oai.openapi` as a file: it is shown the same YAML as text,
            # under a first line naming the readable docs.
            text = OpenApiYamlRenderer().render(response.data, renderer_context=self.get_renderer_context())
            head = "# OpenAPI schema of the Prisoner Exchange Tracker API. Docs: {} and {}; JSON: {}?format=json\n"
            head = head.format(reverse("api-docs"), reverse("api-redoc"), reverse("api-schema"))
            disposition = response.headers.get("Content-Disposition", "")
            response = HttpResponse(head.encode() + text, content_type="text/plain; charset=utf-8",
                                    headers={"Content-Disposition": disposition})  # fmt: skip
        patch_vary_headers(response, ["Accept"])
        return response

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (version, request.GET.get("lang", ""))
        if key not in self._schemas:
            self._schemas[key] = super()._get_schema_response(request).data
        filename = self._get_filename(request, version)
        # the renderers only read the schema, so every request can share the one dictionary
        return Response(self._schemas[key], headers={"Content-Disposition": f'inline; filename="{filename}"'})
