"""Logging a contact with a client. A reached contact meets a crisis follow-up checkpoint."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from careteam.audit import audit_log
from careteam.models import AuditAction, User
from clients.models import Client, ClientContact

CONTACT_FIELDS = ("contacted_at", "mode", "purpose", "reached", "summary")
# Clocks drift and people type "now" a minute ahead; anything later is a mistake, not a contact.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
# A contact logged long after the fact is usually a typo in the year.
OLDEST_ALLOWED = dt.timedelta(days=366)


@transaction.atomic
def contact_log(*, client: Client, acting_user: User, data: dict) -> ClientContact:
    """Record a call, text, visit or attempt by ``acting_user``; audited as a CREATE."""
    contact = ClientContact(
        client=client, staff=acting_user, **{k: v for k, v in data.items() if k in CONTACT_FIELDS}
    )
    now = timezone.now()
    if contact.contacted_at is None:
        contact.contacted_at = now
    contact.summary = (contact.summary or "").strip()
    if contact.contacted_at > now + FUTURE_TOLERANCE:
        raise ValidationError(
            {"contacted_at": "A contact cannot be logged in the future; schedule a reminder instead."}
        )
    if contact.contacted_at < now - OLDEST_ALLOWED:
        raise ValidationError({"contacted_at": "That is more than a year ago; check the date."})
    contact.full_clean()
    contact.save()
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=contact,
        detail={"mode": contact.mode, "purpose": contact.purpose, "reached": contact.reached},
    )
    return contact
