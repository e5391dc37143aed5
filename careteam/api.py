"""Core API pieces: token login and the error handler every endpoint shares (the router is ``config.api``)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from .audit import audit_log
from .errors import DomainError
from .models import AuditAction


def api_exception_handler(exc, context):
    """Turn model validation and domain refusals into 400s with field messages."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, DomainError):
        exc = ValidationError({exc.field or "non_field_errors": [exc.message]})
    return exception_handler(exc, context)


class TokenObtainApi(ObtainAuthToken):
    """Exchange a username and password for an API token (audited as a login)."""

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        token, _ = Token.objects.get_or_create(user=user)
        audit_log(user=user, action=AuditAction.LOGIN, detail={"via": "api-token"})
        return Response({"token": token.key})
