"""Core API pieces: token login and the error handler every endpoint shares (the router is ``config.api``)."""

from allauth.mfa.models import Authenticator
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView, exception_handler

from .audit import audit_log
from .errors import DomainError
from .models import AuditAction
from .signin.selectors import mfa_enrolled
from .signin.services import api_token_create
from .signin.views import locked_out


def api_exception_handler(exc, context):
    """Turn model validation and domain refusals into 400s with field messages."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, DomainError):
        exc = ValidationError({exc.field or "non_field_errors": [exc.message]})
    return exception_handler(exc, context)


class TokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, style={"input_type": "password"}, trim_whitespace=False)
    code = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="The current code from the authenticator app (or a recovery code), required once "
        "two-factor authentication is set up.",
    )


class TokenObtainApi(APIView):
    """Exchange a username, password and second-factor code for an API token (audited as a login).

    The token is shown once and kept as a SHA-512 digest; it expires after API_TOKEN_TTL_HOURS.
    Failed attempts count towards the same lockout as the sign-in page.
    """

    authentication_classes = []
    permission_classes = []
    serializer_class = TokenObtainSerializer

    @extend_schema(
        request=TokenObtainSerializer,
        responses={
            200: inline_serializer(
                "TokenObtained", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
            )
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = TokenObtainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        credentials = {"username": data["username"]}
        if AxesProxyHandler.is_locked(request._request, credentials):
            return locked_out(request._request)
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            if AxesProxyHandler.is_locked(request._request, credentials):
                return locked_out(request._request)
            refused = _("Unable to sign in with that username and password.")
            raise ValidationError({"non_field_errors": [refused]})
        if not _second_factor_ok(user, data.get("code", "")):
            user_login_failed.send(
                sender=__name__, credentials={"username": data["username"]}, request=request._request
            )
            if AxesProxyHandler.is_locked(request._request, credentials):
                return locked_out(request._request)
            message = (
                _(
                    "Enter the current code from your authenticator app (or a recovery code). With a "
                    "passkey only, create a token on your Sign-in and security page instead."
                )
                if mfa_enrolled(user)
                else _("Set up two-factor authentication on the sign-in page before asking for an API token.")
            )
            raise ValidationError({"code": [message]})
        try:
            instance, key = api_token_create(user=user, via="api")
        except DomainError as exc:
            raise ValidationError({"non_field_errors": [exc.message]}) from None
        audit_log(user=user, action=AuditAction.LOGIN, detail={"via": "api-token"})
        return Response({"token": key, "expiry": instance.expiry})


def _second_factor_ok(user, code: str) -> bool:
    """Whether ``user`` passes the second factor the API can check: a TOTP or a recovery code.

    Someone who never enrolled needs no code unless CARETEAM_MFA_REQUIRED; someone who did always
    does (a passkey cannot be used here: they create a token on their security page instead).
    """
    if not mfa_enrolled(user):
        return not settings.CARETEAM_MFA_REQUIRED
    code = code.strip()
    return bool(code) and any(
        authenticator.wrap().validate_code(code)
        for authenticator in Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.WEBAUTHN)
    )
