"""Read-side questions about sign-in: is MFA set up, which tokens are live, who is locked out."""

from dataclasses import dataclass
from datetime import datetime

from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone
from knox.models import AuthToken

from ..models import User

# The factors that count as a second factor; recovery codes only stand in for a lost one.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def mfa_enrolled(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


def api_tokens_for_user(user: User):
    """The user's tokens that still work, newest first (expired ones are shown nowhere and purged)."""
    now = timezone.now()
    return AuthToken.objects.filter(user=user, expiry__gt=now).order_by("-created")


@dataclass(frozen=True)
class Lockout:
    kind: str  # "username" or "ip_address": what the lock is on
    value: str
    failures: int
    last_failure: datetime
    lifts_at: datetime


def lockouts_current() -> list[Lockout]:
    """Usernames and addresses refused sign-in right now, by the rule axes applies.

    axes counts an attempt while ``attempt_time`` is within AXES_COOLOFF_TIME, summing the
    failures per lockout parameter; at AXES_FAILURE_LIMIT the parameter is locked.
    """
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    found = []
    for kind in ("username", "ip_address"):
        rows = (
            recent.exclude(**{f"{kind}__isnull": True})
            .values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by("-last")
        )
        found += [
            Lockout(
                kind=kind,
                value=row[kind],
                failures=row["failures"],
                last_failure=row["last"],
                lifts_at=row["last"] + settings.AXES_COOLOFF_TIME,
            )
            for row in rows
        ]
    return found
