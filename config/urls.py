"""Top-level routes: the public site, the API under /api/v1/, and the admin."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from common.admin import deleted_records_view
from config import feeds, sitemaps
from config import views as site_views

urlpatterns = [
    path("", site_views.OverviewView.as_view(), name="overview"),
    path("healthz", site_views.healthz, name="healthz"),
    path("detainees/", include("detainees.urls")),
    path("exchanges/", include("exchanges.urls")),
    path("groups/", include("detainees.group_urls")),
    path("", include("sources.urls")),
    path("feed.atom", feeds.LatestFeed(), name="feed"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("admin/deleted/", admin.site.admin_view(deleted_records_view), name="deleted-records"),
    path("admin/", admin.site.urls),
]
