"""`/api/reconcile/`: the W3C Reconciliation Service API 0.2 (manifest, queries, preview, suggest, data extension).

Thin views over `reconcile.service`. Callers authenticate as on the rest of the API (a token or a session); the
public, OpenRefine included, sees published records only. Errors are 400 with `{"field": [message]}`.
"""

import json
import re

from csp.decorators import csp_replace
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from . import service

JSONP_NAME = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*")


def bad(field: str, message) -> Response:
    return Response({field: [str(message)]}, status=400)


@extend_schema(exclude=True)  # its contract is the W3C specification's JSON Schemas (reconcile/schemas), not OpenAPI
class ReconcileAPIView(APIView):
    writes_nothing = True  # its POSTs are queries (changes.middleware: no feed catch-up after them)
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer]
    parser_classes = [FormParser, MultiPartParser]

    def perform_authentication(self, request):
        """A JSONP call (`callback=`) is answered as to the public: a page on another site must not read drafts
        with an editor's session cookie."""
        if self.jsonp_callback() is not None:
            request.user = AnonymousUser()
            return
        super().perform_authentication(request)

    def jsonp_callback(self) -> str | None:
        callback = self.request.GET.get("callback")
        return callback if callback and JSONP_NAME.fullmatch(callback) else None

    def finalize_response(self, request, response, *args, **kwargs):
        """JSON for clients that read it across origins with CORS; wrapped as JSONP when `callback=` names a
        function (older clients, the specification allows both)."""
        response = super().finalize_response(request, response, *args, **kwargs)
        callback = self.jsonp_callback()
        if callback and isinstance(response, Response) and request.method == "GET":
            response.render()
            body = response.content.decode()
            jsonp = HttpResponse(f"/**/{callback}({body});", content_type="application/javascript; charset=utf-8",
                                 status=response.status_code)  # fmt: skip
            return jsonp
        return response

    def handle_exception(self, exc):
        if isinstance(exc, service.BadRequest):
            return bad(exc.field, exc.message)
        return super().handle_exception(exc)

    def param(self, name: str) -> str | None:
        value = self.request.data.get(name) if self.request.method == "POST" else None
        return value if value is not None else self.request.query_params.get(name)

    def json_param(self, name: str, schema: str):
        raw = self.param(name)
        try:
            value = json.loads(raw)
        except (TypeError, ValueError):
            raise service.BadRequest(name, _("Not valid JSON.")) from None
        problem = service.validate(schema, value)
        if problem:
            message = _("Not a valid %(what)s: %(problem)s") % {"what": schema, "problem": problem}
            raise service.BadRequest(name, message)
        return value

    def int_param(self, name: str, default: int, *, lowest: int = 0, highest: int = 1000) -> int:
        raw = self.request.query_params.get(name)
        if raw in (None, ""):
            return default
        if not raw.isdigit() or not lowest <= int(raw) <= highest:
            raise service.BadRequest(name, _("A whole number from %(lo)d to %(hi)d.") % {"lo": lowest, "hi": highest})
        return int(raw)

    def type_param(self, required: bool = False) -> str | None:
        value = self.request.query_params.get("type") or None
        if value is None and required:
            raise service.BadRequest("type", _("Required: one of %(types)s.") % {"types": ", ".join(service.TYPES)})
        if value is not None and value not in service.TYPES:
            raise service.BadRequest("type", _("One of %(types)s.") % {"types": ", ".join(service.TYPES)})
        return value


class ServiceView(ReconcileAPIView):
    """The service: the manifest; `queries=` (reconciliation, GET or POST); `extend=` (data extension)."""

    def get(self, request):
        if self.param("queries") is not None:
            queries = self.json_param("queries", "reconciliation-query-batch")
            if len(queries) > service.MAX_QUERIES:
                return bad("queries", _("At most %(n)d queries per batch.") % {"n": service.MAX_QUERIES})
            return Response(service.reconcile(queries, request.user))
        if self.param("extend") is not None:
            return Response(service.extend(self.json_param("extend", "data-extension-query"), request))
        return Response(service.manifest(request))

    post = get


class SuggestEntityView(ReconcileAPIView):
    def get(self, request):
        prefix = request.query_params.get("prefix", "")
        cursor = self.int_param("cursor", 0, highest=10_000)
        return Response({"result": service.suggest_entities(prefix, self.type_param(), request.user, cursor=cursor)})


class SuggestPropertyView(ReconcileAPIView):
    def get(self, request):
        return Response({"result": service.suggest_properties(request.query_params.get("prefix", ""),
                                                              self.type_param())})  # fmt: skip


class SuggestTypeView(ReconcileAPIView):
    def get(self, request):
        return Response({"result": service.suggest_types(request.query_params.get("prefix", ""))})


class ProposeView(ReconcileAPIView):
    def get(self, request):
        limit = self.int_param("limit", 0, highest=100) or None
        return Response(service.propose_properties(self.type_param(required=True), limit))


@method_decorator(xframe_options_exempt, name="dispatch")  # clients show the card in an iframe of their own page
@method_decorator(csp_replace({"frame-ancestors": ["*"]}), name="dispatch")
class PreviewView(ReconcileAPIView):
    """`preview?id=`: a small HTML card (names in both scripts, citizenships, status, holder)."""

    renderer_classes = [JSONRenderer]

    def get(self, request):
        raw = request.query_params.get("id", "")
        type_id, obj, merge = service.lookup(raw, request.user)
        if obj is None:
            raise Http404
        if merge is not None:
            return HttpResponsePermanentRedirect(f"{request.path}?id={service.entity_id('detainee', obj.pk)}")
        if type_id == "detainee":
            obj = service.Detainee.objects.with_status().get(pk=obj.pk)
        return render(request, "reconcile/preview.html", {
            "type": type_id, "obj": obj, "description": service.describe(type_id, obj),
            "holder": service._holder(obj.held_by, obj.held_by_group) if type_id == "detainee" else "",
            "born": obj.partial_date("born_on") if type_id == "detainee" and obj.born_on else "",
            "draft": getattr(obj, "is_published", True) is False,
        })  # fmt: skip


class EntityView(ReconcileAPIView):
    """`entity/<id>`: the view URL of an identifier, redirecting to the record's public page."""

    def get(self, request, entity):
        _type_id, obj, merge = service.lookup(entity, request.user)
        if obj is None:
            raise Http404
        redirect = HttpResponsePermanentRedirect if merge is not None else HttpResponseRedirect
        return redirect(obj.get_absolute_url())
