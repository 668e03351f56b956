"""Response headers the framework does not set itself, and a clear 503 while the database is down."""

import logging

import csp.middleware
from django.conf import settings
from django.core.signals import setting_changed
from django.db import IntegrityError, InterfaceError, OperationalError
from django.dispatch import receiver
from django.utils.cache import patch_vary_headers

from common.cache import public_reader, version_seen

logger = logging.getLogger(__name__)

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), "
    "interest-cohort=()"
)


class PermissionsPolicyMiddleware:
    """The site needs no camera, microphone, location or other powerful browser feature: say so on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware, its two policies built once per process (again when their settings change) instead
    of on every response: building them (`dataclasses.asdict`, the directives copied and joined, twice) cost ~0.1 ms
    of CPU per response, a twentieth of a stored API detail's whole request. A response that changes its policy
    (django-csp's decorators: `csp_update`, `csp_replace`, `csp_exempt`…) or a request whose nonce was used is
    answered by django-csp's own code; the rest gets the same headers from the same function (`csp.utils.
    build_policy` with no parts), under the same conditions (DEBUG error pages, exemptions, excluded prefixes)."""

    PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro",
                    "_csp_replace_ro", "_csp_exempt", "_csp_exempt_ro")  # fmt: skip

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in self.PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:  # as django-csp: Django's debug pages
            return response
        for header, policy, setting in _csp_policies():
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if policy and header not in response and not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        # As django-csp: a nonce asked for after the header was written is an error, not a nonce nobody sends.
        request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


_CSP_POLICIES: list = []


def _csp_policies() -> list[tuple[str, str, str]]:
    """(header, policy, setting) of the enforced and the report-only policies, as django-csp builds them for a
    response that changes nothing."""
    if not _CSP_POLICIES:
        from csp.constants import HEADER, HEADER_REPORT_ONLY
        from csp.utils import build_policy

        _CSP_POLICIES[:] = [
            (HEADER, build_policy(), "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, build_policy(report_only=True), "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ]
    return _CSP_POLICIES


@receiver(setting_changed)
def _forget_csp_policies(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _CSP_POLICIES.clear()


class DatabaseUnavailableMiddleware:
    """While the database is down (a restart, a failover), answer 503 with Retry-After instead of a 500.

    The next request opens a fresh connection (CONN_HEALTH_CHECKS), so the site recovers without a restart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from common.conflicts import conflict_response, is_write_conflict

        if is_write_conflict(exception):  # not an outage: CheckedWritesMiddleware runs the write again
            return conflict_response(request)
        if not isinstance(exception, OperationalError | InterfaceError):  # also a statement cancelled by its timeout
            return None
        return database_unavailable(request, exception)


def database_unavailable(request, exception):
    """503 with Retry-After: JSON under /api/, a short page elsewhere."""
    from django.http import HttpResponse, JsonResponse

    logger.warning("Database unavailable: %s", exception)
    if request.path.startswith("/api/") or request.path == "/healthz":
        response = JsonResponse({"detail": "The database is unavailable; retry shortly."}, status=503)
    else:
        response = HttpResponse("<h1>Back in a moment</h1><p>The database is restarting. Please retry shortly.</p>",
                                status=503)  # fmt: skip
    response["Retry-After"] = "5"
    return response


# Statuses a shared cache may keep (RFC 9111's heuristically cacheable ones this site answers, and 304).
PUBLIC_STATUSES = {200, 203, 204, 300, 301, 304, 308, 404, 410}


class CacheControlMiddleware:
    """The one place that says who may keep a response, and for how long, so a CDN or nginx can absorb crawlers.

    - Signed-in users (a session or an `Authorization` header), the admin, any response that sets a cookie, and
      every write: `private, no-store`, always (a view cannot make them public).
    - Anonymous GET/HEAD of pages and API reads with a cacheable status: `public, max-age=PUBLIC_MAX_AGE,
      stale-while-revalidate=…, stale-if-error=…` unless the view chose its own Cache-Control, with `Vary: Cookie,
      Authorization` (a shared cache must not serve the public copy to a signed-in editor, nor the reverse), and
      `Surrogate-Key: public data-<version>` plus `X-Data-Version: <version>` when the data version was read for
      the response (every page and cached API read): purge key `public` (or the old version's key) after an
      edit, or key an edge cache by version.
    - Everything else (errors, 429, /healthz): `no-store`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = version_seen.set(None)
        user = getattr(request, "user", None)
        # Anonymous (no session user, no Authorization header): figures are cached under the public data version,
        # which draft edits do not move (common.cache).
        anonymous = not request.META.get("HTTP_AUTHORIZATION") and not (user is not None and user.is_authenticated)
        public = public_reader.set(anonymous)
        try:
            response = self.get_response(request)
            version = version_seen.get()
        finally:
            version_seen.reset(token)
            public_reader.reset(public)
        if self._private(request, response):
            response["Cache-Control"] = "private, no-store"
            return response
        if request.method in ("GET", "HEAD") and response.status_code in PUBLIC_STATUSES and request.path != "/healthz":
            if "Cache-Control" not in response:
                stale = settings.PUBLIC_STALE_SECONDS
                response["Cache-Control"] = (
                    f"public, max-age={settings.PUBLIC_MAX_AGE}, stale-while-revalidate={stale}, stale-if-error={stale}"
                )
            patch_vary_headers(response, ("Cookie", "Authorization"))
            response["Surrogate-Key"] = f"public data-{version}" if version else "public"
            if version:
                response["X-Data-Version"] = version
        else:
            response.setdefault("Cache-Control", "no-store")
        return response

    @staticmethod
    def _private(request, response) -> bool:
        user = getattr(request, "user", None)
        return bool(
            request.method not in ("GET", "HEAD", "OPTIONS")
            or request.META.get("HTTP_AUTHORIZATION")
            or (user is not None and user.is_authenticated)
            or response.cookies
            or request.path.startswith("/admin/")
        )


class CheckedWritesMiddleware:
    """Every request that may write runs in one `checked_writes()` block: the net under every write path.

    The admin and the API turn a refusal into a form error or a 400 themselves; anything else that writes (an admin
    action, an import, a page not yet taught to) is rolled back whole and answered 400 with the list of what is
    missing, so no published case ever gains an unsourced fact.
    """

    SAFE = {"GET", "HEAD", "OPTIONS", "TRACE"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from common.conflicts import retry_conflicts

        if request.method in self.SAFE:
            return self.get_response(request)
        return retry_conflicts(request, self._once)  # a write that loses a deadlock runs again (common.conflicts)

    def _once(self, request):
        from django.http import HttpResponse, JsonResponse
        from django.utils.html import format_html, format_html_join

        from common.conflicts import is_write_conflict
        from common.integrity import UnsourcedFacts, checked_writes

        try:
            with checked_writes():
                response = self.get_response(request)
                if response.status_code >= 500:
                    raise _Failed(response)  # a failed request writes nothing
        except _Failed as failed:
            return failed.response
        except IntegrityError:
            return overlapping_write(request)
        except (OperationalError, InterfaceError) as error:  # the primary unreachable when the write's block began
            if is_write_conflict(error):
                raise  # not an outage: a deadlock or serialization failure at commit, which retry_conflicts runs again
            return database_unavailable(request, error)
        except UnsourcedFacts as refusal:
            messages = [p.message for p in refusal.problems]
            if request.path.startswith("/api/"):
                return JsonResponse({"sources": messages}, status=400)
            items = format_html_join("", "<li>{}</li>", ((m,) for m in messages))
            body = format_html(
                "<h1>Not saved</h1><p>A published record must cite a source for every fact. Nothing was saved; "
                "these facts cite none:</p><ul>{}</ul><p>Go back, add the sources, and try again.</p>",
                items,
            )
            return HttpResponse(body, status=400)
        return response


def overlapping_write(request):
    """A write whose transaction broke a database rule only when it committed: PostgreSQL checks foreign keys at
    commit, so an edit citing a source that another request deleted meanwhile fails there, after every check the
    request made itself had passed. Nothing was saved; a 409 says so, and that a retry will answer properly."""
    from django.http import HttpResponse, JsonResponse

    message = ("Another change was saved at the same moment (a record this one refers to was deleted or changed); "
               "nothing was saved. Reload and try again.")  # fmt: skip
    response = (JsonResponse({"detail": message}, status=409) if request.path.startswith("/api/")
                else HttpResponse(message, content_type="text/plain; charset=utf-8", status=409))  # fmt: skip
    response["Retry-After"] = "1"
    return response


class _Failed(Exception):
    def __init__(self, response):
        self.response = response


class SitePageNotFoundInDebugMiddleware:
    """With DEBUG on (`make run`), a page that does not exist shows the site's own 404 page, as visitors see it in
    production, with a note for the developer, instead of Django's debug page. The API and the admin keep Django's
    answers; DEBUG_TECHNICAL_404=true brings back the debug page (the URL patterns tried) everywhere.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.template.response import SimpleTemplateResponse

        response = self.get_response(request)
        if (
            response.status_code == 404
            # a page the site rendered as a 404 on purpose (a list page beyond the last says which pages there are)
            # is kept: only Django's own answer to a missing page is replaced
            and not isinstance(response, SimpleTemplateResponse)
            and settings.DEBUG
            and not settings.DEBUG_TECHNICAL_404
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith(("/api/", "/admin/"))
        ):
            from django.http import HttpResponseNotFound
            from django.template.loader import render_to_string

            html = render_to_string("404.html", {"debug_note": True}, request=request)
            return HttpResponseNotFound(html)
        return response
