"""Top-level routes: the public site, the API under /api/v1/, and the admin."""

from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from common.admin import deleted_records_view, restore_deleted_view
from common.desk import desk_list_view
from common.i18n import set_editor_language, site_patterns
from config import feeds, sitemaps
from config import views as site_views
from config.api_root import CachedSchemaView
from detainees.views import CensusView
from exchanges.views import FlowsView

# Public pages: English at /…, Russian at /ru/… (common.i18n); the API, the admin and the sitemap are unprefixed.
urlpatterns = site_patterns(
    path("", site_views.OverviewView.as_view(), name="overview"),
    path("about/", site_views.AboutView.as_view(), name="about"),
    path("detainees/<slug:slug>/feed.atom", feeds.CaseFeed(), name="detainee-feed"),
    path("detainees/", include("detainees.urls")),
    path("exchanges/", include("exchanges.urls")),
    path("flows/", FlowsView.as_view(), name="flows"),
    path("census/", CensusView.as_view(), name="census"),
    path("groups/", include("detainees.group_urls")),
    path("", include("sources.urls")),
    path("feed.atom", feeds.LatestFeed(), name="feed"),
    path("feed.xsl", site_views.FeedStylesheetView.as_view(), name="feed-xsl"),  # how a browser shows the feeds
    # h12b: a reader's account pages have a Russian version too (/ru/account/…), like every public page.
    path("account/", include("alerts.urls")),  # alerts and webhooks: a reader's account (alerts/urls.py)
) + [
    path("healthz", site_views.healthz, name="healthz"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    re_path(r"^ru/api/(?P<rest>.*)$", site_views.untranslated_api),  # the API is not translated: 301 to /api/…
    re_path(r"^ru/admin/(?P<rest>.*)$", site_views.untranslated_api, {"root": "admin"}),  # 301 to /admin/…
    path("api/reconcile/", include("reconcile.urls")),  # h9: W3C Reconciliation Service API 0.2
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", CachedSchemaView.as_view(), name="api-schema"),
    # where a script looks for the schema of an API at /api/v1/, and what a browser asks for on a JSON page
    path("api/v1/schema/", RedirectView.as_view(pattern_name="api-schema", query_string=True, permanent=True)),
    path("favicon.ico", site_views.favicon),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/redoc/redoc.standalone.js", site_views.redoc_bundle, name="api-redoc-bundle"),  # no outside logo
    path("admin/deleted/", admin.site.admin_view(deleted_records_view), name="deleted-records"),
    path(
        "admin/deleted/<str:label>/<int:pk>/restore/",
        admin.site.admin_view(restore_deleted_view),
        name="deleted-restore",
    ),
    path("admin/desk/<slug:section>/", admin.site.admin_view(desk_list_view), name="desk-list"),
    path("admin/language/", admin.site.admin_view(set_editor_language), name="editor-language"),
    path("admin/", admin.site.urls),
    path("api/v1/webhooks/", include("alerts.api_urls")),  # a script owner's webhooks (alerts/api_urls.py)
]

handler400 = "common.api.json_400"  # JSON under /api/, the site's pages elsewhere
handler403 = "common.api.json_403"
handler404 = "common.api.json_404"
handler500 = "common.api.json_500"
