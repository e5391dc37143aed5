"""Which consent, if any, lets information go to a recipient (42 CFR Part 2 gate)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from careteam import access
from careteam.models import User
from clients.models import Client, Consent, ConsentKind, Disclosure, InformationCategory

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


# --- scoped reads for pages and the API -------------------------------------------------------------


def consents_can_see(user: User) -> bool:
    """Consent details are not for peer specialists (minimum necessary, 42 CFR 2.13 / 45 CFR 164.502(b))."""
    return (
        user.is_authenticated
        and user.has_perm("clients.view_consent")
        and not access.minimum_necessary_view(user)
    )


def disclosures_can_see(user: User) -> bool:
    """The accounting of disclosures (42 CFR 2.24): not for minimum-necessary roles either."""
    return (
        user.is_authenticated
        and user.has_perm("clients.view_disclosure")
        and not access.minimum_necessary_view(user)
    )


def consents_can_record(user: User, client: Client) -> bool:
    """Records a consent for this client: the role adds consents and the user may change the
    client's record (a view-only place on the care team records none)."""
    return user.has_perm("clients.add_consent") and access.client_can_access(user, client, access.CHANGE)


def consents_can_revoke(user: User, client: Client) -> bool:
    """Revokes this client's consents (42 CFR 2.31(a)(8)): the role changes consents and the user may
    change the client's record."""
    return user.has_perm("clients.change_consent") and access.client_can_access(user, client, access.CHANGE)


def consent_list_for_user(user: User) -> QuerySet[Consent]:
    """Consents of the clients the user may see; none at all for minimum-necessary roles."""
    if not consents_can_see(user):
        return Consent.objects.none()
    return Consent.objects.filter(client__in=access.clients_visible_to(user).values("pk")).select_related(
        "client", "recipient_organization", "recorded_by"
    )


def consent_get_for_user(user: User, pk, *, client_pk=None) -> Consent:
    qs = consent_list_for_user(user)
    if client_pk is not None:
        qs = qs.filter(client_id=client_pk)
    try:
        return qs.get(pk=pk)
    except (Consent.DoesNotExist, ValueError, TypeError):
        raise Http404("No such consent.") from None


@dataclass(frozen=True)
class ConsentGroups:
    active: list[Consent]
    upcoming: list[Consent]
    expired: list[Consent]
    revoked: list[Consent]


def consents_for_client(client: Client, on: dt.date | None = None) -> ConsentGroups:
    """The client's consents for the chart: active, not yet in effect, expired, revoked (one query)."""
    day = on or timezone.localdate()
    groups: dict[str, list[Consent]] = {"active": [], "upcoming": [], "expired": [], "revoked": []}
    rows = Consent.objects.filter(client=client).select_related("recipient_organization", "recorded_by")
    for consent in rows.order_by("-signed_on", "-id"):
        if consent.revoked_on and consent.revoked_on <= day:
            groups["revoked"].append(consent)
        elif consent.expires_on and consent.expires_on < day:
            groups["expired"].append(consent)
        elif consent.signed_on > day:
            groups["upcoming"].append(consent)
        else:
            groups["active"].append(consent)
    return ConsentGroups(**groups)


def disclosure_list_for_user(user: User) -> QuerySet[Disclosure]:
    if not disclosures_can_see(user):
        return Disclosure.objects.none()
    return Disclosure.objects.filter(client__in=access.clients_visible_to(user).values("pk")).select_related(
        "client", "recipient_organization", "consent", "disclosed_by"
    )


def disclosures_for_client(
    client: Client, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[Disclosure]:
    """The accounting of disclosures (42 CFR 2.24), newest first, optionally within local dates."""
    qs = Disclosure.objects.filter(client=client).select_related(
        "recipient_organization", "consent", "disclosed_by"
    )
    tz = timezone.get_current_timezone()
    if start:
        qs = qs.filter(disclosed_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if end:
        qs = qs.filter(
            disclosed_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    return qs.order_by("-disclosed_at", "-id")
