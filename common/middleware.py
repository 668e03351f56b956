"""Response headers the framework does not set itself, and a clear 503 while the database is down."""

import logging

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


class DatabaseUnavailableMiddleware:
    """While the database is down (a restart, a failover), answer 503 with Retry-After instead of a 500.

    The next request opens a fresh connection (CONN_HEALTH_CHECKS), so the site recovers without a restart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError
        from django.http import HttpResponse, JsonResponse

        if not isinstance(exception, OperationalError | InterfaceError):  # also a statement cancelled by its timeout
            return None
        logger.warning("Database unavailable: %s", exception)
        if request.path.startswith("/api/") or request.path == "/healthz":
            response = JsonResponse({"detail": "The database is unavailable; retry shortly."}, status=503)
        else:
            response = HttpResponse("<h1>Back in a moment</h1><p>The database is restarting. Please retry shortly.</p>",
                                    status=503)  # fmt: skip
        response["Retry-After"] = "5"
        return response


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
        from django.http import HttpResponse, JsonResponse
        from django.utils.html import format_html, format_html_join

        from common.integrity import UnsourcedFacts, checked_writes

        if request.method in self.SAFE:
            return self.get_response(request)
        try:
            with checked_writes():
                response = self.get_response(request)
                if response.status_code >= 500:
                    raise _Failed(response)  # a failed request writes nothing
        except _Failed as failed:
            return failed.response
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


class _Failed(Exception):
    def __init__(self, response):
        self.response = response
