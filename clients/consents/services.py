"""Recording and revoking consents; recording disclosures. Each audited in one transaction."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from careteam.audit import audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction, User
from clients.models import Client, Consent, ConsentKind, Disclosure, InformationCategory

from .selectors import part2_notice_for
from .signals import consent_revoked

CONSENT_FIELDS = (
    "kind",
    "recipient_organization",
    "recipient_name",
    "purpose",
    "categories",
    "signed_on",
    "signature_method",
    "expires_on",
    "expires_on_event",
)


@transaction.atomic
def consent_record(*, client: Client, acting_user: User, data: dict) -> Consent:
    """Record a consent the client signed (on paper, electronically or verbally, witnessed).

    A Part 2 or general release names one recipient (a directory organisation or a named
    person or class), a purpose and the information categories; a Part 2 consent also needs an
    expiry date or event (42 CFR 2.31(a)).
    """
    consent = Consent(
        client=client, recorded_by=acting_user, **{k: v for k, v in data.items() if k in CONSENT_FIELDS}
    )
    errors = {}
    unknown = set(consent.categories) - set(InformationCategory.values)
    if unknown:
        errors["categories"] = f"Unknown information categories: {', '.join(sorted(unknown))}."
    if consent.kind in {ConsentKind.PART2, ConsentKind.GENERAL}:
        if not consent.recipient_organization_id and not consent.recipient_name.strip():
            errors["recipient_name"] = (
                "Name the recipient: a directory organisation, or a person or class of recipients."
            )
        if not consent.purpose.strip():
            errors["purpose"] = "Say what the information may be used for."
        if not consent.categories:
            errors["categories"] = "Tick the kinds of information the client agreed to share."
    if consent.recipient_organization_id and consent.recipient_name.strip():
        errors["recipient_name"] = "Choose a directory organisation or name a recipient, not both."
    if not consent.expires_on and not consent.expires_on_event.strip() and consent.kind == ConsentKind.PART2:
        errors["expires_on"] = "A Part 2 consent needs an expiry date or event."
    if consent.expires_on and consent.signed_on and consent.expires_on < consent.signed_on:
        errors["expires_on"] = "The consent cannot expire before it was signed."
    if errors:
        raise ValidationError(errors)
    consent.full_clean()
    consent.save()
    audit_log(
        user=acting_user, action=AuditAction.CREATE, client=client, obj=consent, detail={"kind": consent.kind}
    )
    return consent


@transaction.atomic
def consent_revoke(*, consent: Consent, acting_user: User, reason: str, on: dt.date | None = None) -> Consent:
    """Revoke from ``on`` (default today): disclosures stop, open referrals relying on it get flagged."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.revoked_on:
        raise DomainError(f"This consent was already revoked on {consent.revoked_on:%b %-d, %Y}.")
    if not reason.strip():
        raise DomainError("Say why the consent is revoked (e.g. the client's request).", field="reason")
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise DomainError("A revocation takes effect when it is made; the date cannot be later.", field="on")
    if on < consent.signed_on:
        raise DomainError("The consent cannot be revoked before the day it was signed.", field="on")
    consent.revoked_on = on
    consent.revoked_reason = reason.strip()[:300]
    consent.save(update_fields=["revoked_on", "revoked_reason"])
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=consent.client_id,
        obj=consent,
        changed_fields=["revoked_on", "revoked_reason"],
    )
    consent_revoked.send(sender=Consent, consent=consent, acting_user=acting_user)
    return consent


@transaction.atomic
def disclosure_record(
    *,
    client: Client,
    acting_user: User,
    categories: list[str],
    description: str,
    purpose: str,
    consent: Consent | None,
    recipient_organization=None,
    recipient_name: str = "",
    source: models.Model | None = None,
) -> Disclosure:
    """One line in the accounting of disclosures, and a DISCLOSE audit row.

    A disclosure the Part 2 rule covers (``selectors.disclosure_needs_consent``: anything from a Part 2
    program, substance-use information from anywhere) carries the 42 CFR 2.32 notice, word for word.
    """
    source_type, source_id = (source._meta.label_lower, str(source.pk)) if source is not None else ("", "")
    notice = part2_notice_for(client, categories)
    disclosure = Disclosure.objects.create(
        client=client,
        recipient_organization=recipient_organization,
        recipient_name=recipient_name,
        categories=sorted(set(categories)),
        description=description[:500],
        purpose=purpose[:300],
        consent=consent,
        disclosed_by=acting_user,
        source_type=source_type,
        source_id=source_id,
        notice=notice,
    )
    audit_log(
        user=acting_user,
        action=AuditAction.DISCLOSE,
        client=client,
        obj=source or disclosure,
        detail={
            "disclosure": disclosure.pk,
            "categories": disclosure.categories,
            "part2_notice": bool(notice),
        },
    )
    return disclosure
