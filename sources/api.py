"""API viewsets of outlets, sources and statements."""

from django.urls import reverse

from common.api import TrackerViewSet, documented

from .filters import OutletFilter, SourceFilter, StatementFilter
from .models import Outlet, Source, Statement
from .serializers import OutletSerializer, SourceSerializer, StatementSerializer


@documented
class OutletViewSet(TrackerViewSet):
    """Publishers of sources."""

    queryset = Outlet.objects.all()
    serializer_class = OutletSerializer
    filterset_class = OutletFilter


@documented
class SourceViewSet(TrackerViewSet):
    """Articles and documents that records cite."""

    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    filterset_class = SourceFilter

    def csv_html_url_pattern(self):
        return reverse("sources:source-detail", args=[999999999]).replace("999999999", "__id__")


@documented
class StatementViewSet(TrackerViewSet):
    """Officials' statements; one about a draft record stays hidden from the public."""

    queryset = Statement.objects.all()
    serializer_class = StatementSerializer
    filterset_class = StatementFilter

    def get_queryset(self):
        return Statement.objects.visible_to(self.request.user).prefetch_related("detainees", "exchanges")
