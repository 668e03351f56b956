"""The REST API, version 1, under the literal prefix /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from config.dump import PublicDumpView
from config.sync import DeletionsView
from detainees import api as detainees_api
from exchanges import api as exchanges_api
from sources import api as sources_api

app_name = "api"

router = DefaultRouter()
router.register("detainees", detainees_api.DetaineeViewSet, basename="detainee")
router.register("detentions", detainees_api.DetentionViewSet, basename="detention")
router.register("designations", detainees_api.DesignationViewSet, basename="designation")
router.register("charges", detainees_api.ChargeViewSet, basename="charge")
router.register("sentences", detainees_api.SentenceViewSet, basename="sentence")
router.register("transfers", detainees_api.TransferViewSet, basename="transfer")
router.register("sentence-changes", detainees_api.SentenceChangeViewSet, basename="sentence-change")
router.register("groups", detainees_api.GroupViewSet, basename="group")
router.register("exchanges", exchanges_api.ExchangeViewSet, basename="exchange")
router.register("outlets", sources_api.OutletViewSet, basename="outlet")
router.register("sources", sources_api.SourceViewSet, basename="source")
router.register("statements", sources_api.StatementViewSet, basename="statement")
router.register("officials", sources_api.OfficialViewSet, basename="official")
router.register("claims", sources_api.ClaimViewSet, basename="claim")

urlpatterns = [
    path("dump/", PublicDumpView.as_view(), name="dump"),
    path("deletions/", DeletionsView.as_view(), name="deletions"),
    *router.urls,
]
