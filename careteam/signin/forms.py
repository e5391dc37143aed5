"""allauth's second-factor form, with wrong codes counted by the same lock as wrong passwords.

allauth limits code guesses with its ``login_failed`` rate limit, which careteam turns off so that
django-axes is the one lock on the sign-in form (ASVS 6.3.1). Without this form a person holding the
password could guess codes without limit: here every wrong code is a failed sign-in for axes, and a
locked account is refused before the code is even checked, so a right code during the lock fails too.
"""

from __future__ import annotations

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _

LOCKED = _(
    "Too many failed sign-in attempts. Sign-in is paused for this account; try again later or ask "
    "an administrator to lift the lock."
)


class AuthenticateForm(AllauthAuthenticateForm):
    def clean_code(self) -> str:
        request = context.request
        credentials = {"username": self.user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            raise forms.ValidationError(LOCKED, code="locked")
        try:
            return super().clean_code()
        except forms.ValidationError:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if AxesProxyHandler.is_locked(request, credentials):
                raise forms.ValidationError(LOCKED, code="locked") from None
            raise
