"""careteam's own sign-in pages; allauth's (password, two-factor) are mounted beside them."""

from django.urls import path

from . import views

app_name = "signin"

urlpatterns = [
    path("security/", views.security, name="security"),
    path("security/tokens/new/", views.api_token_new, name="token-new"),
    path("security/tokens/revoke/", views.api_token_revoke, name="token-revoke"),
    path("security/sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    path("session/", views.session_status, name="session"),
    path("locked/", views.lockouts, name="lockouts"),
]
