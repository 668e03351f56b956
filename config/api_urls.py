"""The REST API, version 1, under the literal prefix /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from changes.api import ChangesView, DeletionsView
from config.api_root import ApiRootView
from dataset.dump import PublicDumpView
from dataset.releases import ReleaseFileView, ReleasesView
from detainees import api as detainees_api
from exchanges import api as exchanges_api
from sources import api as sources_api

app_name = "api"


class Router(DefaultRouter):
    """The stock router, with the API's own front door in place of DRF's root listing."""

    APIRootView = ApiRootView

    def get_api_root_view(self, api_urls=None):
        return ApiRootView.as_view()


router = Router()
router.register("detainees", detainees_api.DetaineeViewSet, basename="detainee")
router.register("detentions", detainees_api.DetentionViewSet, basename="detention")
router.register("designations", detainees_api.DesignationViewSet, basename="designation")
router.register("charges", detainees_api.ChargeViewSet, basename="charge")
router.register("sentences", detainees_api.SentenceViewSet, basename="sentence")
router.register("sentence-changes", detainees_api.SentenceChangeViewSet, basename="sentence-change")
router.register("transfers", detainees_api.TransferViewSet, basename="transfer")
router.register("groups", detainees_api.GroupViewSet, basename="group")
router.register("exchanges", exchanges_api.ExchangeViewSet, basename="exchange")
router.register("exchange-participants", exchanges_api.ParticipantViewSet, basename="exchange-participant")
router.register("outlets", sources_api.OutletViewSet, basename="outlet")
router.register("sources", sources_api.SourceViewSet, basename="source")
router.register("statements", sources_api.StatementViewSet, basename="statement")
router.register("officials", sources_api.OfficialViewSet, basename="official")
router.register("claims", sources_api.ClaimViewSet, basename="claim")

urlpatterns = [
    path("dump/", PublicDumpView.as_view(), name="dump"),
    path("deletions/", DeletionsView.as_view(), name="deletions"),
    path("changes/", ChangesView.as_view(), name="changes"),
    path("releases/", ReleasesView.as_view(), name="releases"),
    path("releases/<str:name>/<str:kind>/", ReleaseFileView.as_view(), name="release-file"),
    path("flows/", exchanges_api.FlowsView.as_view(), name="flows"),
    path("census/", detainees_api.CensusView.as_view(), name="census"),
    *router.urls,
]
