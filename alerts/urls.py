"""A reader's account under /account/: sign-up, sign-in, follows, their Atom feeds, webhooks."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("", views.AccountView.as_view(), name="account"),
    path("signup/", views.SignUpView.as_view(), name="signup"),
    path("confirm/<str:token>/", views.ConfirmView.as_view(), name="confirm"),
    path("confirm-again/", views.ResendConfirmationView.as_view(), name="confirm-again"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="alerts/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("token/", views.TokenView.as_view(), name="token"),
    path("follow/", views.FollowCreateView.as_view(), name="follow"),
    path("follows/<int:pk>/delete/", views.FollowDeleteView.as_view(), name="follow-delete"),
    path("follows/<str:token>.atom", views.FollowFeed(), name="follow-feed"),
    path("webhooks/new/", views.WebhookCreateView.as_view(), name="webhook-create"),
    path("webhooks/<int:pk>/", views.WebhookDetailView.as_view(), name="webhook-detail"),
    path("webhooks/<int:pk>/<str:action>/", views.WebhookActionView.as_view(), name="webhook-action"),
]
