"""API viewsets of outlets, sources and statements."""

from django.urls import reverse

from common.api import TrackerViewSet, documented

from .filters import ClaimFilter, OfficialFilter, OutletFilter, SourceFilter, StatementFilter
from .models import CLAIM_TYPES, Claim, Official, Outlet, Source, Statement
from .serializers import ClaimSerializer, OfficialSerializer, OutletSerializer, SourceSerializer, StatementSerializer


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
    """Officials' statements, with the people and exchanges they are about that the reader may see (a draft subject
    is never named; a statement about drafts alone stays hidden from the public)."""

    queryset = Statement.objects.all()
    serializer_class = StatementSerializer
    filterset_class = StatementFilter

    def get_queryset(self):
        user = self.request.user
        return Statement.objects.visible_to(user).with_subjects(user)


@documented
class OfficialViewSet(TrackerViewSet):
    """Officials on file: who speaks for a state, with their statements on their page."""

    queryset = Official.objects.all()
    serializer_class = OfficialSerializer
    filterset_class = OfficialFilter

    def csv_html_url_pattern(self):
        return reverse("sources:official-detail", args=["__slug__"])


@documented
class ClaimViewSet(TrackerViewSet):
    """Where sources disagree: each source's version of a fact about a detainee, a detention or an exchange."""

    queryset = Claim.objects.all()
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter

    def csv_extra(self, ids, rows):
        """`about_type`, which the row's columns (content type id) do not give by name."""
        names = {key: about for about, key in CLAIM_TYPES.items()}
        kinds = Claim.objects.filter(pk__in=ids).values_list("pk", "content_type__app_label", "content_type__model")
        return {pk: {"about_type": names.get((app, model), "")} for pk, app, model in kinds}

    def get_queryset(self):
        user = self.request.user
        queryset = Claim.objects.select_related("content_type")
        if user.is_active and user.is_staff and user.has_perm("sources.change_claim"):
            return queryset
        return queryset.published()
