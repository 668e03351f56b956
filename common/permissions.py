"""Who may do what through the API (the settings name it; apart from common.api, which imports DRF's views)."""

from rest_framework import permissions


class ModelPermissionsOrAnonReadOnly(permissions.DjangoModelPermissionsOrAnonReadOnly):
    """DRF's, without building the view's queryset for a read: reads need no model permission (`perms_map` is
    empty for them), so the queryset DRF builds to find the model (~1 ms for a case) decided nothing."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS and not self.perms_map.get(request.method):
            return True
        return super().has_permission(request, view)
