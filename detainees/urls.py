from django.urls import path

from . import views

app_name = "detainees"

urlpatterns = [
    path("", views.DetaineeListView.as_view(), name="detainee-list"),
    path("<slug:slug>/", views.DetaineeDetailView.as_view(), name="detainee-detail"),
    path("<slug:slug>/cite.<str:fmt>", views.DetaineeCitationView.as_view(), name="detainee-cite"),
]
