"""The feed catches up right after each write request (AFTER_WRITE_IN_REQUEST; otherwise the worker publishes,
`common.derived`). A script reading the feed next sees the write either way: each read publishes first."""

from django.conf import settings


class PublishAfterWritesMiddleware:
    """After a successful write request (the admin, the API, intake), publish up to CHANGES_PUBLISH_LIMIT marks, in
    their own transaction (the write has committed). The triggers mark whatever the write; what is left (an edit of
    a source cited by thousands of records) is published by the next read of the feed or by `publish_changes`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (settings.AFTER_WRITE_IN_REQUEST and request.method in ("POST", "PUT", "PATCH", "DELETE")
                and response.status_code < 400
                and not getattr(request, "writes_nothing", False)):  # fmt: skip
            from .services import catch_up

            catch_up(settings.CHANGES_PUBLISH_LIMIT)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # A view that answers POSTs without writing (reconciliation's batch queries) says so: `writes_nothing = True`
        # on its class; the feed is then not asked to catch up after it.
        view_class = getattr(view_func, "view_class", None)
        request.writes_nothing = bool(getattr(view_class or view_func, "writes_nothing", False))
        return None
