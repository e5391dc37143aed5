"""What referrals plug into the chart, the Today page and the consent record."""

from __future__ import annotations

from . import selectors, services


def on_consent_revoked(sender, *, consent, acting_user, **kwargs) -> None:
    """``clients.consents.signals.consent_revoked``: flag open referrals that relied on the consent."""
    services.referrals_flag_for_revoked_consent(consent=consent, acting_user=acting_user)


def today_section_context(request) -> dict | None:
    user = request.user
    if not selectors.referrals_can_read(user):
        return None
    referrals = selectors.referrals_needing_user(user)
    if not referrals:
        return None
    return {"referrals": referrals, "clients_shown": {r.client_id for r in referrals}}
