"""Request-scoped context for the audit trail (client address and path)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.utils.ipv6 import clean_ipv6_address

from .audit import RequestContext, reset_request_context, set_request_context


def _canonical_ip(value: str | None) -> str | None:
    """The address spelled as the database stores it (the audit hash covers that spelling), or None."""
    if not value:
        return None
    try:
        validate_ipv46_address(value)
    except ValidationError:
        return None
    return clean_ipv6_address(value) if ":" in value else value


def client_ip(request) -> str | None:
    """The caller's address, trusting only as many X-Forwarded-For hops as we have proxies."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops and (address := _canonical_ip(forwarded[-hops])):
            return address
    return _canonical_ip(request.META.get("REMOTE_ADDR"))


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_request_context(
            RequestContext(
                ip_address=client_ip(request), path=request.path, user=getattr(request, "user", None)
            )
        )
        try:
            return self.get_response(request)
        finally:
            reset_request_context(token)
