from django.apps import AppConfig


class ReconcileConfig(AppConfig):
    """The W3C Reconciliation Service API 0.2 at /api/reconcile/ (OpenRefine and other clients)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reconcile"
