"""API viewsets of detainees and their custody records."""

from django.utils import timezone
from rest_framework.reverse import reverse

from common.api import TrackerViewSet, documented

from .filters import ChargeFilter, DesignationFilter, DetaineeFilter, DetentionFilter, SentenceFilter, TransferFilter
from .models import Charge, Designation, Detainee, Detention, Sentence, Transfer
from .selectors import case_queryset
from .serializers import (
    ChargeSerializer,
    DesignationSerializer,
    DetaineeSerializer,
    DetentionSerializer,
    SentenceSerializer,
    TransferSerializer,
)
from .services import likely_duplicates


def sees_drafts(user) -> bool:
    return bool(user and user.is_active and user.is_staff and user.has_perm("detainees.change_detainee"))


class CaseChildViewSet(TrackerViewSet):
    """Records inside a case: visible when their detainee is."""

    detainee_path = "detention__detainee"

    def get_queryset(self):
        queryset = super().get_queryset()
        if not sees_drafts(self.request.user):
            queryset = queryset.filter(**{f"{self.detainee_path}__is_published": True})
        return queryset


@documented
class DetaineeViewSet(TrackerViewSet):
    """People held by states; each with their detentions, charges, sentences, transfers and designations."""

    queryset = Detainee.objects.all()
    serializer_class = DetaineeSerializer
    filterset_class = DetaineeFilter

    def get_queryset(self):
        return case_queryset(self.request.user)

    def csv_html_url_pattern(self):
        return reverse("detainees:detainee-detail", args=["__slug__"])

    def csv_extra(self, ids, rows):
        today = timezone.localdate()
        days: dict[int, int] = dict.fromkeys(ids, 0)
        for detainee_id, start, end in Detention.objects.filter(detainee_id__in=ids).values_list(
            "detainee_id", "detained_on", "released_on"
        ):
            days[detainee_id] += max(((end or today) - start).days, 0)
        return {pk: {"days_held": n} for pk, n in days.items()}

    def create(self, request, *args, **kwargs):
        """Creates as usual; the response also carries `warnings.possible_duplicates` when names resemble others."""
        response = super().create(request, *args, **kwargs)
        data = response.data
        similar = likely_duplicates(name=data["name"], name_original=data.get("name_original", ""),
                                    aliases=data.get("aliases") or [], exclude_pk=data["id"])  # fmt: skip
        if similar:
            response.data = {**data, "warnings": {"possible_duplicates": [
                {"id": d.pk, "name": d.name, "url": reverse("api:detainee-detail", args=[d.pk], request=request)}
                for d in similar
            ]}}  # fmt: skip
        return response


@documented
class DetentionViewSet(CaseChildViewSet):
    """Episodes of custody."""

    queryset = Detention.objects.select_related("detainee").prefetch_related("sources")
    serializer_class = DetentionSerializer
    filterset_class = DetentionFilter
    detainee_path = "detainee"


@documented
class ChargeViewSet(CaseChildViewSet):
    """Accusations within detentions."""

    queryset = Charge.objects.prefetch_related("sources")
    serializer_class = ChargeSerializer
    filterset_class = ChargeFilter


@documented
class SentenceViewSet(CaseChildViewSet):
    """Courts' sentences and their later changes."""

    queryset = Sentence.objects.prefetch_related("sources", "charges", "changes__sources")
    serializer_class = SentenceSerializer
    filterset_class = SentenceFilter


@documented
class TransferViewSet(CaseChildViewSet):
    """Moves between places of custody."""

    queryset = Transfer.objects.prefetch_related("sources")
    serializer_class = TransferSerializer
    filterset_class = TransferFilter


@documented
class DesignationViewSet(CaseChildViewSet):
    """Recognitions of a detainee's status by authorities."""

    queryset = Designation.objects.prefetch_related("sources")
    serializer_class = DesignationSerializer
    filterset_class = DesignationFilter
    detainee_path = "detainee"
