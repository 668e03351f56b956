"""The feed catches up right after each write request, so a script reading it next sees the write."""

from django.conf import settings


class PublishAfterWritesMiddleware:
    """After a successful write request (the admin, the API, intake), publish up to CHANGES_PUBLISH_LIMIT marks, in
    their own transaction (the write has committed). The triggers mark whatever the write; what is left (an edit of
    a source cited by thousands of records) is published by the next read of the feed or by `publish_changes`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in ("POST", "PUT", "PATCH", "DELETE") and response.status_code < 400:
            from .services import catch_up

            catch_up(settings.CHANGES_PUBLISH_LIMIT)
        return response
