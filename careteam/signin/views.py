"""Pages around signing in: one's own security page, the session clock, locked sign-ins."""

import time

from allauth.account.views import LoginView as AllauthLoginView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..access import lockouts_can_lift, lockouts_can_view
from ..errors import DomainError
from . import selectors, services
from .middleware import SEEN


class LoginView(AllauthLoginView):
    """allauth's sign-in (lockout, then password, then the second factor) with the demo's hint."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            demo_hint=settings.DEBUG, mfa_required=settings.CARETEAM_MFA_REQUIRED, **kwargs
        )


def locked_out(request, original_response=None, credentials=None):
    """What axes answers while a username or address is locked (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _(
        "Too many failed sign-in attempts. Signing in is paused for %(minutes)d minutes; try again "
        "then, or ask an administrator to unlock your account now."
    ) % {"minutes": minutes}
    retry = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(request, "account/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = retry
    return response


def _security_page(request, *, new_key: str = "", status: int = 200):
    return render(
        request,
        "account/security.html",
        {
            "mfa_enrolled": selectors.mfa_enrolled(request.user),
            "tokens": selectors.api_tokens_for_user(request.user),
            "token_ttl_hours": int(settings.REST_KNOX["TOKEN_TTL"].total_seconds() // 3600),
            "new_key": new_key,
            "can_view_lockouts": lockouts_can_view(request.user),
            "idle_minutes": settings.CARETEAM_SESSION_IDLE_TIMEOUT // 60,
            "absolute_hours": settings.CARETEAM_SESSION_ABSOLUTE_TIMEOUT // 3600,
        },
        status=status,
    )


@login_required
def security(request):
    return _security_page(request)


@login_required
@require_POST
def api_token_new(request):
    try:
        _instance, key = services.api_token_create(user=request.user, via="web")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("signin:security")
    # Shown once, on this response only; the database keeps a digest.
    return _security_page(request, new_key=key)


@login_required
@require_POST
def api_token_revoke(request):
    token_key = request.POST.get("token_key", "")
    revoked = services.api_tokens_revoke(
        user=request.user, acting_user=request.user, reason="revoked-by-owner", token_key=token_key
    )
    if revoked:
        messages.success(request, _("The token %(key)s… no longer works.") % {"key": token_key})
    else:
        messages.error(request, _("That token was not found: it may have expired or been revoked already."))
    return redirect("signin:security")


@login_required
@require_POST
def sign_out_everywhere(request):
    services.sessions_end_everywhere(
        user=request.user, acting_user=request.user, reason="signed-out-everywhere"
    )
    logout(request)
    messages.success(request, _("You are signed out on every device, and your API tokens are revoked."))
    return redirect(settings.LOGIN_URL)


@require_http_methods(["GET", "POST"])
def session_status(request):
    """How long until the idle sign-out. GET only asks; POST ("Stay signed in") counts as activity."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False, "seconds_left": 0})
    if request.method == "POST":
        request.session[SEEN] = time.time()
    seen = request.session.get(SEEN, time.time())
    left = max(0, int(settings.CARETEAM_SESSION_IDLE_TIMEOUT - (time.time() - seen)))
    return JsonResponse({"signed_in": True, "seconds_left": left})


@login_required
@require_http_methods(["GET", "POST"])
def lockouts(request):
    if not lockouts_can_view(request.user):
        raise PermissionDenied
    if request.method == "POST":
        if not lockouts_can_lift(request.user):
            raise PermissionDenied
        kind, value = request.POST.get("kind", ""), request.POST.get("value", "")
        if kind not in {"username", "ip_address"} or not value:
            return HttpResponseBadRequest(_("Say which username or address to unlock."))
        services.lockout_lift(kind=kind, value=value, acting_user=request.user)
        messages.success(request, _("%(value)s can sign in again.") % {"value": value})
        return redirect("signin:lockouts")
    return render(
        request,
        "account/lockouts.html",
        {
            "lockouts": selectors.lockouts_current(),
            "can_lift": lockouts_can_lift(request.user),
            "now": timezone.now(),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )
