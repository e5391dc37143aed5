"""The core's pages: home, sign-in and sign-out, health and the favicon."""

from allauth.account.views import LogoutView
from django.urls import include, path

from . import views
from .signin.views import LoginView

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon),
    # allauth's sign-in under careteam's names; allauth's own URL names (account_login, mfa_index, …)
    # resolve to the same pages through the include below.
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/", include("careteam.signin.urls")),
    path("accounts/", include("allauth.urls")),
]
