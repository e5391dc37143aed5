"""Request-scoped context for the audit trail (client address and path)."""

from django.conf import settings

from .audit import RequestContext, reset_request_context, set_request_context


def client_ip(request) -> str | None:
    """The caller's address, trusting only as many X-Forwarded-For hops as we have proxies."""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR") or None


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
