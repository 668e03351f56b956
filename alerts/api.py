"""Webhooks over the API for their owners (token or session auth, confirmed email): register, list, turn on and
off, delete, and read the delivery log. Not part of the public data API (nor of its schema)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .accounts import is_confirmed
from .forms import RESOURCES, clean_search_query
from .models import Delivery, DeliveryAttempt, Webhook


class ConfirmedOwner(permissions.IsAuthenticated):
    """Signed in with a confirmed email address."""

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if not is_confirmed(request.user):
            raise PermissionDenied(_("Confirm your email address first: webhooks need it."))
        return True


class WebhookSerializer(serializers.ModelSerializer):
    resources = serializers.ListField(child=serializers.ChoiceField(choices=RESOURCES), required=False)
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        source="search.query",
        help_text=gettext_lazy("A saved search of the cases list, e.g. held_by=RU."),
    )
    deliveries = serializers.HyperlinkedIdentityField(view_name="alerts-api:webhook-deliveries")

    class Meta:
        model = Webhook
        fields = [
            "id",
            "url",
            "resources",
            "search",
            "secret",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
            "deliveries",
        ]
        read_only_fields = ["secret", "is_active", "consecutive_failures", "disabled_at", "disabled_reason"]

    def validate_search(self, value):
        from django import forms

        if not value:
            return ""
        try:
            return clean_search_query(value)
        except forms.ValidationError as error:
            raise serializers.ValidationError(error.messages) from error

    def create(self, validated_data):
        return services.create_webhook(
            user=self.context["request"].user,
            url=validated_data["url"],
            resources=validated_data.get("resources", []),
            query=validated_data.get("search", {}).get("query", ""),
        )


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["at", "status_code", "error", "duration_ms"]


class DeliverySerializer(serializers.ModelSerializer):
    attempt_log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "seq",
            "resource",
            "object_id",
            "op",
            "match",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
            "created_at",
            "attempt_log",
        ]


class LogPagination(PageNumberPagination):
    page_size = 50


@extend_schema(exclude=True)
class WebhookList(generics.ListCreateAPIView):
    permission_classes = [ConfirmedOwner]
    serializer_class = WebhookSerializer

    def get_queryset(self):
        return Webhook.objects.filter(user=self.request.user).select_related("search")


@extend_schema(exclude=True)
class WebhookDetail(generics.RetrieveDestroyAPIView):
    permission_classes = [ConfirmedOwner]
    serializer_class = WebhookSerializer

    def get_queryset(self):
        return Webhook.objects.filter(user=self.request.user).select_related("search")


@extend_schema(exclude=True)
class WebhookSwitch(APIView):
    """POST .../enable/ or .../disable/."""

    permission_classes = [ConfirmedOwner]
    on = True

    def post(self, request, pk):
        hook = generics.get_object_or_404(Webhook.objects.filter(user=request.user), pk=pk)
        if self.on:
            services.enable_webhook(hook)
        else:
            services.disable_webhook(hook, _("Turned off by its owner."))
        hook.refresh_from_db()
        return Response(WebhookSerializer(hook, context={"request": request}).data)


@extend_schema(exclude=True)
class DeliveryLog(generics.ListAPIView):
    """A webhook's deliveries, newest event first, each with its attempts."""

    permission_classes = [ConfirmedOwner]
    serializer_class = DeliverySerializer
    pagination_class = LogPagination

    def get_queryset(self):
        hook = generics.get_object_or_404(Webhook.objects.filter(user=self.request.user), pk=self.kwargs["pk"])
        return Delivery.objects.filter(webhook=hook).prefetch_related("attempt_log").order_by("-seq")
