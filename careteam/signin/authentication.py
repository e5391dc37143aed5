"""API token authentication that holds a token to the same second-factor rule as a web session."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from .selectors import mfa_enrolled


class MFATokenAuthentication(TokenAuthentication):
    """knox's hashed, expiring tokens; with CARETEAM_MFA_REQUIRED a token of an account that has no
    second factor (never enrolled, or removed it since) is refused, as its web session would be."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if settings.CARETEAM_MFA_REQUIRED and not mfa_enrolled(user):
            raise exceptions.AuthenticationFailed(
                _("Set up two-factor authentication on the sign-in page: every staff account needs it.")
            )
        return user, token


class MFATokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of these tokens: knox's ``Authorization: Token <key>``."""

    target_class = MFATokenAuthentication
