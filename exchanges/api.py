"""API viewset of exchanges."""

from common.api import TrackerViewSet, documented
from detainees.api import sees_drafts

from .filters import ExchangeFilter
from .models import Exchange
from .serializers import ExchangeSerializer


@documented
class ExchangeViewSet(TrackerViewSet):
    """Prisoner exchanges, with who went which way; participants are writable in the same request."""

    queryset = Exchange.objects.all()
    serializer_class = ExchangeSerializer
    filterset_class = ExchangeFilter

    def get_queryset(self):
        drafts = sees_drafts(self.request.user)
        return (
            Exchange.objects.visible_to(self.request.user)
            .with_participants(public=not drafts)
            .prefetch_related("sources")
        )
