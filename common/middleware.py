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
