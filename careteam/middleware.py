"""Request-scoped context for the audit trail (client address and path), and the headers every
response carries (no caching of client data, the browser-features policy)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.utils.cache import patch_cache_control
from django.utils.ipv6 import clean_ipv6_address

from .access_report import DENIED_STATUSES, audit_denied_request
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


class DeniedAccessAuditMiddleware:
    """A refused request (404 or 403 from a matched URL pattern, for a signed-in user) leaves a
    ``denied`` row in the audit trail (``careteam.access_report.denied_entry`` says which and what).

    It looks at the answer after the view has made it: the row is written in its own transaction,
    after anything the view rolled back, and at most once per request; the answer itself is passed
    on untouched, so the person refused learns nothing from it. Placed inside
    ``AuditContextMiddleware`` so the row carries the address and path, and after authentication;
    DRF sets ``request.user`` for token-authenticated API calls before the view answers. Only answers
    of a view it let through count: a 403 an earlier middleware gave instead (a failed CSRF check)
    refuses a form, not a record.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in DENIED_STATUSES and getattr(request, "_careteam_view_reached", False):
            audit_denied_request(request, response.status_code)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        request._careteam_view_reached = True


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every response a view makes.

    Almost every page, print, CSV and API answer carries client information, and the ones that do
    not (the sign-in page, redirects, errors) lose nothing by not being cached; the signed links a
    partner or a client opens without an account carry it too. So the rule does not depend on who
    is signed in (DRF authenticates API tokens inside the view, after this middleware has looked):
    nothing a view returns may rest in a browser's or a proxy's cache. Static files never get here
    (WhiteNoise answers them above). A view that already said ``no-store`` (``never_cache``: the
    health check, the sign-in page) keeps exactly what it said; any other directives a view set are
    kept, with ``no-store`` and ``private`` added (``private`` replaces ``public``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "no-store" not in response.get("Cache-Control", "").lower():
            patch_cache_control(response, no_store=True, private=True)
        return response


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "publickey-credentials-get": ["self"]}`` as the header spells it:
    ``camera=(), publickey-credentials-get=(self)``. ``self`` and ``*`` are tokens; origins are quoted."""

    def allow(origin: str) -> str:
        return origin if origin in ("self", "*") else f'"{origin}"'

    return ", ".join(f"{feature}=({' '.join(map(allow, origins))})" for feature, origins in policy.items())


class PermissionsPolicyMiddleware:
    """The ``Permissions-Policy`` header (settings.PERMISSIONS_POLICY) on every response, static files
    included: the browser features no page needs are switched off, so injected or third-party script
    could not reach the camera, the microphone or the person's location."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
