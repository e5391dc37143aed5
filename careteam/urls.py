"""The core's pages: home, sign-in and sign-out, health, the favicon and break-the-glass access."""

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
    path("emergency-access/", views.EmergencyAccessSearchView.as_view(), name="emergency-search"),
    path(
        "emergency-access/clients/<int:pk>/create/",
        views.EmergencyAccessCreateView.as_view(),
        name="emergency-open",
    ),
    path("emergency-access/<int:pk>/end/", views.EmergencyAccessEndView.as_view(), name="emergency-end"),
    path("emergency-access/review/", views.EmergencyAccessReviewListView.as_view(), name="emergency-review"),
    path(
        "emergency-access/<int:pk>/review/",
        views.EmergencyAccessReviewView.as_view(),
        name="emergency-review-detail",
    ),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/", include("careteam.signin.urls")),
    path("accounts/", include("allauth.urls")),
]
