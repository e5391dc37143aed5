"""Session limits and the MFA requirement, checked on every request of a signed-in person.

HIPAA 164.312(a)(2)(iii) (automatic logoff) and OWASP ASVS 5.0 V7.3: a session ends after
CARETEAM_SESSION_IDLE_TIMEOUT seconds without a request, after CARETEAM_SESSION_ABSOLUTE_TIMEOUT
whatever happens, and when its user signs out everywhere (or an administrator resets their MFA).
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

AUTH_AT = "careteam_auth_at"  # when this session signed in (epoch seconds)
SEEN = "careteam_seen"  # the last request that counted as activity
MFA_OK = "careteam_mfa_ok"  # this session's user has a second factor (checked once per session)
# Writing the session on every request would cost a query each; a minute's granularity costs nothing.
SEEN_GRANULARITY = 60

ENDED = {
    "idle": gettext_lazy(
        "You were signed out after %(minutes)d minutes without activity. Sign in again to continue."
    ),
    "absolute": gettext_lazy("Your session reached its %(hours)d-hour limit. Sign in again to continue."),
    "revoked": gettext_lazy(
        "You were signed out because your sessions were ended. Sign in again to continue."
    ),
}


def session_status_path() -> str:
    return reverse("signin:session")


def _wants_json(request) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path.startswith("/api/") or accept.startswith("application/json")


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            reason = self._expired(request, user)
            if reason:
                return self._end(request, reason)
        return self.get_response(request)

    def _expired(self, request, user) -> str | None:
        session, now = request.session, time.time()
        auth_at = session.get(AUTH_AT)
        if auth_at is None:  # a session from before these limits: its clock starts now
            session[AUTH_AT] = auth_at = now
        seen = session.get(SEEN, auth_at)
        if now - seen > settings.CARETEAM_SESSION_IDLE_TIMEOUT:
            return "idle"
        if now - auth_at > settings.CARETEAM_SESSION_ABSOLUTE_TIMEOUT:
            return "absolute"
        if user.sessions_valid_after is not None and auth_at < user.sessions_valid_after.timestamp():
            return "revoked"
        # Asking how long is left (the warning's poll) is not activity.
        passive = request.method == "GET" and request.path == session_status_path()
        if not passive and now - seen >= SEEN_GRANULARITY:
            session[SEEN] = now
        return None

    def _end(self, request, reason: str):
        request.careteam_logout_reason = reason
        logout(request)
        message = ENDED[reason] % {
            "minutes": settings.CARETEAM_SESSION_IDLE_TIMEOUT // 60,
            "hours": settings.CARETEAM_SESSION_ABSOLUTE_TIMEOUT // 3600,
        }
        messages.info(request, message)  # shown on the sign-in page, however the page got there
        if _wants_json(request):
            return JsonResponse({"detail": message, "signed_out": reason}, status=401)
        if request.headers.get("HX-Request"):
            response = JsonResponse({"detail": message}, status=401)
            response["HX-Redirect"] = f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}"
            return response
        return redirect_to_login(request.get_full_path() if request.method == "GET" else request.path)


def _exempt(path: str) -> bool:
    # The sign-in pages themselves (allauth's MFA setup, password change, sign-out, the session clock),
    # static files, health. Not the security page: it issues API tokens, which must not be a way round
    # the second factor, and not the lockout list.
    if path.startswith(("/accounts/security/", "/accounts/locked/")):
        return False
    return path.startswith(("/accounts/", "/static/", "/healthz", "/favicon.ico"))


class MFARequiredMiddleware:
    """With CARETEAM_MFA_REQUIRED, a signed-in person without a second factor sets one up first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.CARETEAM_MFA_REQUIRED
            and request.user.is_authenticated
            and not request.session.get(MFA_OK)
            and not _exempt(request.path)
        ):
            from .selectors import mfa_enrolled

            if not mfa_enrolled(request.user):
                message = _("Set up two-factor authentication to continue: every staff account needs it.")
                if _wants_json(request):
                    return JsonResponse({"detail": message}, status=403)
                messages.warning(request, message)
                return redirect(f"{reverse('mfa_index')}?{urlencode({'next': request.get_full_path()})}")
            request.session[MFA_OK] = True
        return self.get_response(request)
