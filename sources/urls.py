from django.urls import path

from . import views

app_name = "sources"

urlpatterns = [
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<int:pk>/", views.SourceDetailView.as_view(), name="source-detail"),
    path("sources/<int:pk>/cite.<str:fmt>", views.SourceCitationView.as_view(), name="source-cite"),
    path("statements/", views.StatementListView.as_view(), name="statement-list"),
    path("officials/", views.OfficialListView.as_view(), name="official-list"),
    path("officials/<slug:slug>/", views.OfficialDetailView.as_view(), name="official-detail"),
]
