"""/api/v1/webhooks/: a script owner's webhooks and their delivery logs."""

from django.urls import path

from . import api

app_name = "alerts-api"

urlpatterns = [
    path("", api.WebhookList.as_view(), name="webhook-list"),
    path("<int:pk>/", api.WebhookDetail.as_view(), name="webhook-detail"),
    path("<int:pk>/enable/", api.WebhookSwitch.as_view(on=True), name="webhook-enable"),
    path("<int:pk>/disable/", api.WebhookSwitch.as_view(on=False), name="webhook-disable"),
    path("<int:pk>/deliveries/", api.DeliveryLog.as_view(), name="webhook-deliveries"),
]
