"""Which consent, if any, lets information go to a recipient (42 CFR Part 2 gate)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from clients.models import Client, Consent, ConsentKind, InformationCategory

# Categories that are Part 2 information: they never leave without a covering Part 2 consent.
PART2_CATEGORIES = frozenset({InformationCategory.SUD})


def consents_active_on(client: Client, day: dt.date | None = None) -> QuerySet[Consent]:
    day = day or timezone.localdate()
    return Consent.objects.filter(client=client, signed_on__lte=day).filter(
        Q(revoked_on__isnull=True) | Q(revoked_on__gt=day),
        Q(expires_on__isnull=True) | Q(expires_on__gte=day),
    )


@dataclass(frozen=True)
class ConsentCheck:
    """The answer to "may this go?": the consent to use, or why not."""

    consent: Consent | None
    required: bool
    problem: str = ""

    @property
    def allowed(self) -> bool:
        return not self.required or self.consent is not None


def consent_covering(
    *,
    client: Client,
    categories: list[str] | set[str],
    organization=None,
    recipient_name: str = "",
    on: dt.date | None = None,
) -> ConsentCheck:
    """Find an active, unrevoked Part 2 consent naming this recipient and covering every category.

    Only substance-use information needs one; without it in ``categories`` the
    check passes with no consent required. The problem text says precisely what
    is missing, so a page can show it and link to recording one.
    """
    categories = set(categories)
    if not categories & PART2_CATEGORIES:
        return ConsentCheck(consent=None, required=False)
    day = on or timezone.localdate()
    recipient = str(organization) if organization is not None else recipient_name
    candidates = Consent.objects.filter(client=client, kind=ConsentKind.PART2)
    if organization is not None:
        candidates = candidates.filter(recipient_organization=organization)
    else:
        candidates = candidates.filter(
            recipient_organization__isnull=True, recipient_name__iexact=recipient_name
        )
    candidates = list(candidates.order_by("-signed_on", "-id"))
    if not candidates:
        return ConsentCheck(None, True, f"There is no Part 2 consent naming {recipient} as a recipient.")
    active = [c for c in candidates if c.is_active_on(day)]
    if not active:
        latest = candidates[0]
        if latest.revoked_on and latest.revoked_on <= day:
            why = f"was revoked on {latest.revoked_on:%b %-d, %Y}"
        elif latest.expires_on and latest.expires_on < day:
            why = f"expired on {latest.expires_on:%b %-d, %Y}"
        else:
            why = f"only takes effect on {latest.signed_on:%b %-d, %Y}"
        return ConsentCheck(None, True, f"The Part 2 consent for {recipient} {why}.")
    for consent in active:
        if categories <= set(consent.categories):
            return ConsentCheck(consent, True)
    labels = dict(InformationCategory.choices)
    missing = sorted(categories - set(active[0].categories))
    return ConsentCheck(
        None,
        True,
        f"The Part 2 consent for {recipient} does not cover: {', '.join(labels.get(m, m) for m in missing)}.",
    )


def has_text_consent(client: Client, on: dt.date | None = None) -> bool:
    """May we text this person: an active text-messaging consent on file."""
    return consents_active_on(client, on).filter(kind=ConsentKind.TEXT_MESSAGING).exists()
