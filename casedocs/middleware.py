"""Stored case documents a write made stale are rebuilt right after it (AFTER_WRITE_IN_REQUEST; otherwise by the
worker, `common.derived`), so the next visitor reads them current."""

from django.conf import settings


class RefreshAfterWritesMiddleware:
    """After a successful write request (the admin, the API, intake), rebuild up to CASE_DOCUMENTS_REFRESH stale
    documents. The triggers mark them stale whatever the write; what is left (an edit to a source cited by
    thousands of cases) is rebuilt by its next visitor or by `manage.py build_case_documents --stale`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (settings.CASE_DOCUMENTS and settings.CASE_DOCUMENTS_REFRESH and settings.AFTER_WRITE_IN_REQUEST
                and request.method in ("POST", "PUT", "PATCH", "DELETE") and response.status_code < 400):  # fmt: skip
            from .services import refresh_stale

            refresh_stale(settings.CASE_DOCUMENTS_REFRESH)
        return response
