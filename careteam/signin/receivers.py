"""Audit rows and follow-ups for sign-in events raised by Django, allauth and axes."""

import time

from allauth.mfa import signals as mfa_signals
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver

from ..audit import audit_log, request_user
from ..models import AuditAction, User
from . import services
from .middleware import AUTH_AT, MFA_OK, SEEN


@receiver(user_logged_in)
def _session_clock_starts(sender, request, user, **kwargs):
    if getattr(request, "session", None) is not None:
        now = time.time()
        request.session[AUTH_AT] = now
        request.session[SEEN] = now


@receiver(post_save, sender=User)
def _password_or_access_changed(sender, instance: User, created: bool, **kwargs):
    if created:
        return
    # AbstractBaseUser keeps the raw password in _password from set_password() until save() ends.
    if instance._password is not None:
        audit_log(user=request_user() or instance, action=AuditAction.PASSWORD_CHANGE, obj=instance)
        services.api_tokens_revoke(user=instance, acting_user=request_user(), reason="password-change")
    if not instance.is_active:
        services.api_tokens_revoke(user=instance, acting_user=request_user(), reason="account-disabled")


def _mfa_changed(change: str):
    def audit(sender, request, user, authenticator, **kwargs):
        audit_log(user=user, action=AuditAction.MFA_CHANGE, obj=user, detail={change: authenticator.type})
        if change == "removed" and request is not None and hasattr(request, "session"):
            # Ask MFARequiredMiddleware to look again: this may have been the last second factor.
            request.session.pop(MFA_OK, None)

    return audit


mfa_signals.authenticator_added.connect(_mfa_changed("added"), weak=False, dispatch_uid="ct-mfa-added")
mfa_signals.authenticator_removed.connect(_mfa_changed("removed"), weak=False, dispatch_uid="ct-mfa-removed")
mfa_signals.authenticator_reset.connect(_mfa_changed("renewed"), weak=False, dispatch_uid="ct-mfa-reset")


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit_log(
        user=None,
        action=AuditAction.LOCKOUT,
        username=str(username or "")[:150],
        detail={"ip_address": ip_address},
    )
