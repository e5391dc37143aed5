"""Where a form goes after it is saved: back to the page that sent the user, if that page is ours."""

from __future__ import annotations

from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request) -> str:
    """The ``next`` the page was given (POST, then GET), if it stays on this site; else ""."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


def redirect_next_or(request, fallback: str):
    """Redirect to the safe ``next``, or to ``fallback`` (a URL or a URL name)."""
    return redirect(safe_next_url(request) or fallback)
