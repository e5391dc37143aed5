"""Signals apps above ``clients`` listen to, so the record never imports them."""

from django.dispatch import Signal

# Sent inside consent_revoke's transaction. kwargs: consent, acting_user.
# Referrals listen to flag open referrals that relied on the consent.
consent_revoked = Signal()
