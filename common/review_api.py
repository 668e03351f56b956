"""The review's one API action: withdrawing a request to publish (`POST …/<id>/withdraw-publication/`).

Asking to publish is an ordinary write (`is_published: true`, which awaits a second editor where review is required:
common.review); the request is withdrawn by the editor who asked or by a reviewer, as on the review page's *Send back
to draft*. The case is a draft again, the queue's item closed as "sent back"."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from common import reasons, review


class WithdrawPublicationMixin:
    @extend_schema(
        summary="Withdraw a request to publish",
        description="The record goes back to draft and leaves the review queue. Only the editor who asked to "
        "publish it, or a reviewer (the Reviewers group), may withdraw the request. An `X-Change-Reason` header is "
        "recorded with it.",
        request=None,
        responses={
            200: OpenApiResponse(description="Withdrawn: the record, now a draft (`review_state` is `draft`)."),
            403: OpenApiResponse(description="Neither the editor who asked nor a reviewer."),
            404: OpenApiResponse(description="No such record (or not visible to this account)."),
            409: OpenApiResponse(description="No request to publish this record awaits review."),
        },
    )  # fmt: skip
    @action(detail=True, methods=["post"], url_path="withdraw-publication")
    def withdraw_publication(self, request, *args, **kwargs):
        from common.models import ReviewItem

        case = self.get_object()
        item = ReviewItem.objects.filter(content_type=ContentType.objects.get_for_model(case), object_id=case.pk,
                                         outcome="", kind=ReviewItem.Kind.PUBLISH).first()  # fmt: skip
        if item is None:
            return Response({"detail": "No request to publish this record awaits review."},
                            status=status.HTTP_409_CONFLICT)  # fmt: skip
        try:
            with reasons.change_reason(getattr(self, "change_reason", None)):
                review.send_back(item, request.user)
        except PermissionDenied as refusal:
            return Response({"detail": str(refusal)}, status=status.HTTP_403_FORBIDDEN)
        case.refresh_from_db()
        return Response(self.get_serializer(case).data)
