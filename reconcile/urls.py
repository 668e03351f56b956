from django.urls import path

from . import views

app_name = "reconcile"

urlpatterns = [
    path("", views.ServiceView.as_view(), name="service"),
    path("preview", views.PreviewView.as_view(), name="preview"),
    path("suggest/entity", views.SuggestEntityView.as_view(), name="suggest-entity"),
    path("suggest/property", views.SuggestPropertyView.as_view(), name="suggest-property"),
    path("suggest/type", views.SuggestTypeView.as_view(), name="suggest-type"),
    path("extend/propose", views.ProposeView.as_view(), name="propose"),
    path("entity/<path:entity>", views.EntityView.as_view(), name="entity"),
]
