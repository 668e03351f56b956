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


class SitePageNotFoundInDebugMiddleware:
    """With DEBUG on (`make run`), a page that does not exist shows the site's own 404 page, as visitors see it in
    production, with a note for the developer, instead of Django's debug page. The API and the admin keep Django's
    answers; DEBUG_TECHNICAL_404=true brings back the debug page (the URL patterns tried) everywhere.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        if (
            response.status_code == 404
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
