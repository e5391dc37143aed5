"""Changes to how someone signs in: API tokens, ending sessions, resetting MFA, lifting a lockout.

Every change writes an audit row; none touches client records.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken
from knox.settings import knox_settings

from ..audit import audit_log
from ..errors import DomainError
from ..models import AuditAction, User
from .selectors import api_tokens_for_user, mfa_enrolled


@transaction.atomic
def api_token_create(*, user: User, via: str) -> tuple[AuthToken, str]:
    """Issue a token; the key is returned once and only its SHA-512 digest is kept.

    Refused for an account without a second factor while CARETEAM_MFA_REQUIRED (a token must not be
    a way round it) and once the account holds knox's TOKEN_LIMIT_PER_USER live tokens.
    """
    if settings.CARETEAM_MFA_REQUIRED and not mfa_enrolled(user):
        raise DomainError(_("Set up two-factor authentication before creating an API token."))
    User.objects.select_for_update().filter(pk=user.pk).first()  # two requests cannot both pass the limit
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    if limit is not None and api_tokens_for_user(user).count() >= limit:
        raise DomainError(
            _("You already have %(limit)d API tokens that work. Revoke one you no longer use first.")
            % {"limit": limit}
        )
    instance, key = AuthToken.objects.create(user=user)
    audit_log(user=user, action=AuditAction.API_TOKEN, detail={"issued": instance.token_key, "via": via})
    return instance, key


@transaction.atomic
def api_tokens_revoke(
    *, user: User, acting_user: User | None, reason: str, token_key: str | None = None
) -> int:
    """Revoke one token (by its shown prefix) or, without ``token_key``, every token of ``user``."""
    tokens = AuthToken.objects.filter(user=user)
    if token_key is not None:
        tokens = tokens.filter(token_key=token_key)
    keys = sorted(tokens.values_list("token_key", flat=True))
    if keys:
        tokens.delete()
        audit_log(
            user=acting_user,
            action=AuditAction.API_TOKEN,
            obj=user,
            detail={"revoked": keys, "reason": reason},
        )
    return len(keys)


@transaction.atomic
def sessions_end_everywhere(*, user: User, acting_user: User | None, reason: str) -> None:
    """End every web session of ``user`` (checked on their next request) and revoke their API tokens."""
    user.sessions_valid_after = timezone.now()
    user.save(update_fields=["sessions_valid_after"])
    api_tokens_revoke(user=user, acting_user=acting_user, reason=reason)
    audit_log(user=acting_user, action=AuditAction.LOGOUT, obj=user, detail={"everywhere": reason})


@transaction.atomic
def mfa_reset(*, user: User, acting_user: User) -> int:
    """Remove every authenticator of ``user`` (a lost phone): they enrol again at their next sign-in.

    Their sessions and tokens end too, so nothing signed in with the old factor lives on.
    """
    authenticators = Authenticator.objects.filter(user=user)
    types = sorted(authenticators.values_list("type", flat=True))
    authenticators.delete()
    audit_log(user=acting_user, action=AuditAction.MFA_CHANGE, obj=user, detail={"reset": types})
    sessions_end_everywhere(user=user, acting_user=acting_user, reason="mfa-reset")
    return len(types)


@transaction.atomic
def lockout_lift(*, kind: str, value: str, acting_user: User) -> int:
    """Clear the failed sign-ins counted against a username or an address, so sign-in works at once."""
    if kind == "username":
        cleared = axes_reset(username=value)
    elif kind == "ip_address":
        cleared = axes_reset(ip=value)
    else:
        raise ValueError(kind)
    audit_log(
        user=acting_user,
        action=AuditAction.UNLOCK,
        username=acting_user.get_username(),
        detail={kind: value, "attempts_cleared": cleared},
    )
    return cleared
