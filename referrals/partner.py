"""Signed, expiring links that let a receiving organisation answer a referral without an account.

A token is ``django.core.signing.dumps({"r": referral id, "v": partner_link_version})`` with its own
salt; ``signing.loads`` checks the signature and the timestamp (``CARETEAM_PARTNER_LINK_DAYS``).
Revoking or re-sending bumps ``partner_link_version``, so older tokens stop working; closing the
referral ends the link too. A token names one referral and nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from clients.consents.selectors import consent_covering

from .models import Referral
from .states import OPEN

SALT = "careteam.referrals.partner-link"


@dataclass
class PartnerLinkError(Exception):
    """Why a partner link does not work. ``status`` is the HTTP status the partner page answers with."""

    kind: str  # "tampered", "expired", "revoked", "closed", "consent"
    message: str
    status: int

    def __str__(self) -> str:
        return self.message


def link_max_age() -> dt.timedelta:
    return dt.timedelta(days=settings.CARETEAM_PARTNER_LINK_DAYS)


def partner_token(referral: Referral) -> str:
    return signing.dumps({"r": referral.pk, "v": referral.partner_link_version}, salt=SALT, compress=True)


def partner_path(referral: Referral) -> str:
    return reverse("referrals:partner", args=[partner_token(referral)])


def partner_url(referral: Referral) -> str:
    return settings.SITE_URL.rstrip("/") + partner_path(referral)


def link_is_live(referral: Referral) -> bool:
    """Whether a link for this referral can work at all (sent, not closed, not revoked)."""
    return referral.status in OPEN and referral.partner_link_revoked_at is None


def referral_from_token(token: str, *, for_update: bool = False) -> Referral:
    """The referral a token opens, or ``PartnerLinkError`` saying plainly why not."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=link_max_age())
    except signing.SignatureExpired:
        raise PartnerLinkError(
            "expired",
            "This link has expired. Please ask the referring program to send a new one.",
            410,
        ) from None
    except signing.BadSignature:
        raise PartnerLinkError(
            "tampered",
            "This link is not valid. Check that it was copied completely, or ask the referring "
            "program to send it again.",
            400,
        ) from None
    qs = Referral.objects.select_related("client", "service", "organization", "referred_by")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    referral = qs.filter(pk=payload.get("r")).first() if isinstance(payload, dict) else None
    if referral is None:
        raise PartnerLinkError("tampered", "This link is not valid.", 400)
    if payload.get("v") != referral.partner_link_version or referral.partner_link_revoked_at is not None:
        raise PartnerLinkError(
            "revoked",
            "This link has been withdrawn by the referring program. If you still need to answer, "
            "please contact them for a new link.",
            410,
        )
    if referral.status not in OPEN:
        raise PartnerLinkError(
            "closed",
            "This referral is closed, so the link no longer works. Thank you — no further answer is needed.",
            410,
        )
    if not link_consent_holds(referral):
        raise PartnerLinkError(
            "consent",
            "The consent that allowed this referral to be shared with you is no longer in force, so the "
            "link no longer works. Please contact the referring program.",
            410,
        )
    return referral


def link_consent_holds(referral: Referral) -> bool:
    """Whether the consent the referral went out under still covers it (42 CFR 2.31: a revoked or
    expired consent allows no further disclosure, and every view of the link discloses again)."""
    return consent_covering(
        client=referral.client, categories=referral.shared_categories, organization=referral.organization
    ).allowed
