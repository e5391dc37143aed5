"""Which consent, if any, lets information go to a recipient (42 CFR Part 2 gate)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from careteam import access
from careteam.minimum_necessary import Section, section_can_see
from careteam.models import User
from clients.models import Client, Consent, ConsentKind, Disclosure, InformationCategory

# Categories that are Part 2 information: they never leave without a covering Part 2 consent.
PART2_CATEGORIES = frozenset({InformationCategory.SUD})

# 42 CFR 2.32(a)(1), Statement 1, as amended by 89 FR 12472 (Feb. 16, 2024): the written notice that
# accompanies every disclosure made with the patient's consent. Kept here once: the partner page, the
# printed accounting of disclosures and each Disclosure row (``Disclosure.notice``) carry this text.
PART2_NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules "
    "(42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony that "
    "describes the information contained in this record, in any civil, criminal, administrative, or "
    "legislative proceedings by any Federal, State, or local authority, against the patient, unless "
    "authorized by the consent of the patient, except as provided at 42 CFR 2.12(c)(5) or as authorized "
    "by a court in accordance with 42 CFR 2.64 or 2.65. In addition, the Federal rules prohibit you from "
    "making any other use or disclosure of this record unless at least one of the following applies: "
    "(i) Further use or disclosure is expressly permitted by the written consent of the individual whose "
    "information is being disclosed in this record or as otherwise permitted by 42 CFR part 2. "
    "(ii) You are a covered entity or business associate and have received the record for treatment, "
    "payment, or health care operations, or (iii) You have received the record from a covered entity or "
    "business associate as permitted by 45 CFR part 164, subparts A and E. A general authorization for "
    "the release of medical or other information is NOT sufficient to meet the required elements of "
    "written consent to further use or redisclose the record (see 42 CFR 2.31)."
)


def consents_active_on(client: Client, day: dt.date | None = None) -> QuerySet[Consent]:
    """The client's consents in effect on ``day`` (``ConsentQuerySet.active_on``, the one definition)."""
    return Consent.objects.active_on(day).filter(client=client)


def from_part2_program(client: Client) -> bool:
    """The client's primary team is a 42 CFR Part 2 program (``Team.is_part2_program``, 42 CFR 2.11)."""
    team = client.primary_team
    return bool(team and team.is_part2_program)


def disclosure_needs_consent(client: Client, categories: list[str] | set[str]) -> bool:
    """Does releasing these categories about ``client`` to an outside party need a Part 2 consent?

    The one rule, for every disclosure path (referral send, partner link):

    * From a Part 2 program (42 CFR 2.11 "program"; ``Team.is_part2_program``): always, whatever is
      shared — even demographics alone, or the reason only. Saying that someone is referred from the
      program reveals that they are its patient, and patient identifying information from a program
      leaves only under 2.12(a)/2.13(a) with a 2.31 consent naming the recipient.
    * Anywhere else: only when substance-use information (``PART2_CATEGORIES``) is shared — it came
      from a Part 2 record and keeps that protection (2.12(d)(2), 2.32).
    """
    return from_part2_program(client) or bool(set(categories) & PART2_CATEGORIES)


def part2_notice_for(client: Client, categories: list[str] | set[str]) -> str:
    """The 42 CFR 2.32 notice a disclosure of these categories must carry, or "" when none is due."""
    return PART2_NOTICE if disclosure_needs_consent(client, categories) else ""


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

    Whether one is needed at all is ``disclosure_needs_consent`` (from a Part 2 program: always;
    elsewhere: only for substance-use information); when it is not, the check passes with no
    consent required. The problem text says precisely what is missing — and, from a Part 2 program,
    why even a demographics-only disclosure needs it — so a page can show it and link to recording one.
    """
    categories = set(categories)
    if not disclosure_needs_consent(client, categories):
        return ConsentCheck(consent=None, required=False)
    day = on or timezone.localdate()
    recipient = str(organization) if organization is not None else recipient_name
    if from_part2_program(client):
        why_program = _(
            "%(program)s is a 42 CFR Part 2 program: telling %(recipient)s that %(client)s is referred "
            "reveals that they are a patient, so a Part 2 consent naming %(recipient)s is needed "
            "(42 CFR 2.12, 2.31), even to share demographics alone. "
        ) % {"program": client.primary_team.name, "recipient": recipient, "client": client.display_name}
    else:
        why_program = ""
    candidates = Consent.objects.filter(client=client, kind=ConsentKind.PART2)
    if organization is not None:
        candidates = candidates.filter(recipient_organization=organization)
    else:
        candidates = candidates.filter(
            recipient_organization__isnull=True, recipient_name__iexact=recipient_name
        )
    candidates = list(candidates.order_by("-signed_on", "-id"))
    if not candidates:
        return ConsentCheck(
            None,
            True,
            why_program
            + _("There is no Part 2 consent naming %(recipient)s as a recipient.") % {"recipient": recipient},
        )
    active = [c for c in candidates if c.is_active_on(day)]
    if not active:
        latest = candidates[0]
        if latest.revoked_on and latest.revoked_on <= day:
            why = _("The Part 2 consent for %(recipient)s was revoked on %(day)s.")
            when = latest.revoked_on
        elif latest.expires_on and latest.expires_on < day:
            why = _("The Part 2 consent for %(recipient)s expired on %(day)s.")
            when = latest.expires_on
        else:
            why = _("The Part 2 consent for %(recipient)s only takes effect on %(day)s.")
            when = latest.signed_on
        return ConsentCheck(
            None, True, why_program + why % {"recipient": recipient, "day": date_format(when, "DATE_FORMAT")}
        )
    for consent in active:
        if categories <= set(consent.categories):
            return ConsentCheck(consent, True)
    labels = dict(InformationCategory.choices)
    missing = sorted(categories - set(active[0].categories))
    return ConsentCheck(
        None,
        True,
        why_program
        + _("The Part 2 consent for %(recipient)s does not cover: %(missing)s.")
        % {"recipient": recipient, "missing": ", ".join(str(labels.get(m, m)) for m in missing)},
    )


def has_text_consent(client: Client, on: dt.date | None = None) -> bool:
    """May we text this person: an active text-messaging consent on file (today:
    ``Client.text_consent_on_file``, which reads an annotation when the list carries one)."""
    if on is None:
        return client.text_consent_on_file
    return consents_active_on(client, on).filter(kind=ConsentKind.TEXT_MESSAGING).exists()


# --- scoped reads for pages and the API -------------------------------------------------------------


def consents_can_see(user: User) -> bool:
    """Consent details are not for peer specialists (``careteam.minimum_necessary``, 42 CFR 2.13 /
    45 CFR 164.502(b))."""
    return (
        user.is_authenticated
        and user.has_perm("clients.view_consent")
        and section_can_see(user, Section.CONSENTS)
    )


def disclosures_can_see(user: User) -> bool:
    """The accounting of disclosures (42 CFR 2.24): not for minimum-necessary roles either."""
    return (
        user.is_authenticated
        and user.has_perm("clients.view_disclosure")
        and section_can_see(user, Section.CONSENTS)
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
