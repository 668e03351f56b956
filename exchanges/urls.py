from django.urls import path

from . import views

app_name = "exchanges"

urlpatterns = [
    path("", views.ExchangeListView.as_view(), name="exchange-list"),
    path("<slug:slug>/", views.ExchangeDetailView.as_view(), name="exchange-detail"),
    path("<slug:slug>/cite.<str:fmt>", views.ExchangeCitationView.as_view(), name="exchange-cite"),
]
