"""Reads of referrals, already scoped to the clients the user may see.

A referral is visible to whoever may see its client and holds ``referrals.view_referral`` (peer
specialists do not: referral packets carry clinical information). Missing and hidden are both 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from careteam import access
from careteam.models import Team, User
from clients.models import Client, Need
from outreach import selectors as outreach_selectors
from outreach.models import MessageStatus, ScheduledMessage, SourceKind

from . import states
from .models import Referral, ReferralEvent, ReferralStatus

VIEW_PERMISSION = "referrals.view_referral"
CHANGE_PERMISSION = "referrals.change_referral"
ADD_PERMISSION = "referrals.add_referral"
SOON_DAYS = 7

WORKLIST_SCOPES = {"mine": "Mine", "team": "My team"}
WORKLIST_BUCKETS = {
    "open": "All open",
    "awaiting": "Awaiting response",
    "overdue": "Overdue / flagged",
    "soon": "Appointment soon",
    "outcome": "Needs outcome",
    "drafts": "Drafts",
    "closed": "Closed",
}
WORKLIST_SORTS = {
    "requested": ("requested_at", "id"),
    "-requested": ("-requested_at", "-id"),
    "client": ("client__legal_last_name", "client__legal_first_name", "id"),
    "-client": ("-client__legal_last_name", "-client__legal_first_name", "-id"),
    "organization": ("organization__name", "id"),
    "-organization": ("-organization__name", "-id"),
    "status": ("status", "id"),
    "-status": ("-status", "-id"),
    "appointment": ("appointment_at", "id"),
    "-appointment": ("-appointment_at", "-id"),
    "activity": ("last_activity_at", "id"),
    "-activity": ("-last_activity_at", "-id"),
}


def referrals_can_read(user: User) -> bool:
    """The role reads referrals (peer specialists do not: a referral packet carries clinical detail)."""
    return user.is_authenticated and user.has_perm(VIEW_PERMISSION)


def referrals_can_refer(user: User, client: Client) -> bool:
    """Refers this client: the role creates referrals and the user may change the client's record."""
    return user.has_perm(ADD_PERMISSION) and access.client_can_access(user, client, access.CHANGE)


def referrals_can_change(user: User, client: Client) -> bool:
    """Moves, schedules and closes this client's referrals: the role changes referrals and the user
    may change the client's record (a view-only place on the care team is not enough)."""
    return user.has_perm(CHANGE_PERMISSION) and access.client_can_access(user, client, access.CHANGE)


def referral_list_for_user(user: User) -> QuerySet[Referral]:
    if not referrals_can_read(user):
        return Referral.objects.none()
    return Referral.objects.filter(client__in=access.clients_visible_to(user).values("pk")).select_related(
        "client", "service", "organization", "need", "referred_by", "consent"
    )


def referral_get_for_user(user: User, pk) -> Referral:
    try:
        return referral_list_for_user(user).get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404("No such referral.") from None


def events_for_referral(referral: Referral) -> QuerySet[ReferralEvent]:
    return referral.events.select_related("actor").order_by("occurred_at", "id")


def partner_emails_for_referral(referral: Referral) -> list[ScheduledMessage]:
    """The partner's link emails in the outbox, newest first: whether each was sent, is waiting or
    retrying, failed, or was skipped and why — what the case manager needs when a partner says it
    never got the link. ``referral`` is already scoped to the user; one query."""
    emails = list(outreach_selectors.messages_for_source(referral, source_kind=SourceKind.REFERRAL_PARTNER))
    for m in emails:
        m.retrying = m.status == MessageStatus.PENDING and m.attempts > 0
        m.state_label = _partner_email_state(m)
    return emails


def _partner_email_state(message: ScheduledMessage) -> str:
    """The partner email's state in a case manager's words (the card on the referral page)."""
    if message.status == MessageStatus.PENDING:
        return _("Retrying") if message.attempts else _("Waiting to send")
    if message.status == MessageStatus.SENDING:
        return _("Sending")
    if message.status in (MessageStatus.SENT, MessageStatus.DELIVERED):
        return _("Sent")
    if message.status == MessageStatus.FAILED:
        return _("Failed")
    return _("Not sent")


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a referral's timeline: something that happened, when, and who did it."""

    occurred_at: dt.datetime
    label: str
    actor_kind: str  # "staff", "partner" or "system"
    actor_label: str
    note: str = ""


def _event_entry(event: ReferralEvent, referral: Referral) -> TimelineEntry:
    if event.kind == "status":
        moved = event.get_to_status_display()
        label = f"{event.get_from_status_display()} → {moved}" if event.from_status else moved
    else:
        label = event.get_kind_display()
    if event.actor_kind == "partner":
        actor = referral.organization.name
    else:
        actor = str(event.actor) if event.actor else _("System")
    return TimelineEntry(event.occurred_at, label, event.actor_kind, actor, event.note)


def _email_entry(message: ScheduledMessage) -> TimelineEntry | None:
    """What became of a partner email, once it has an outcome (a queued one is an event already)."""
    to = _("to %(address)s") % {"address": message.to_address}
    if message.sent_at is not None:
        return TimelineEntry(message.sent_at, _("Partner email sent"), "system", _("Outbox"), to)
    if message.status == MessageStatus.FAILED:
        return TimelineEntry(message.updated_at, _("Partner email failed"), "system", _("Outbox"), to)
    if message.status in (MessageStatus.SKIPPED, MessageStatus.CANCELLED):
        why = message.status_detail or message.get_status_reason_display()
        return TimelineEntry(message.updated_at, _("Partner email not sent"), "system", _("Outbox"), why)
    return None


def timeline_for_referral(
    referral: Referral, events: list[ReferralEvent], partner_emails: list[ScheduledMessage]
) -> list[TimelineEntry]:
    """The referral's events and what became of each partner email, oldest first: the case manager
    reads in one place that the link was queued, sent (or why not) and what the partner did."""
    entries = [_event_entry(e, referral) for e in events]
    entries += [entry for m in partner_emails if (entry := _email_entry(m)) is not None]
    return sorted(entries, key=lambda entry: entry.occurred_at)


# Open and taken on by the partner (accepted, in progress, on hold): there is an appointment there to
# have passed, and the partner's "did the client attend?" can be recorded.
def attendance_reportable(referral: Referral) -> bool:
    """Whether attendance at the partner may be recorded now (``services.referral_report_attendance``
    refuses it otherwise), so the detail page offers the form only then."""
    return referral.status in states.TAKEN_ON


def appointment_passed_q(now: dt.datetime | None = None) -> Q:
    """The appointment at the partner has gone by and the loop is still open with the partner
    (accepted, in progress, on hold): the referral waits for an outcome (DESIGN "Deadlines":
    appointment date passed with no outcome → a follow-up with the client).

    A closed referral — cancelled, failed, rejected, completed, entered in error — already has its
    answer, and a draft or a request the partner has not taken on has no appointment yet to have
    passed. The worklist's "passed" badge (``worklist_for_user`` annotates ``appointment_passed``),
    its "Needs outcome" bucket and the Today section all read this one condition.
    """
    now = now or timezone.now()
    return Q(status__in=states.TAKEN_ON, appointment_at__lt=now)


def bucket_q(bucket: str, now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    open_q = Q(status__in=states.OPEN)
    return {
        "open": open_q,
        "awaiting": Q(status=ReferralStatus.REQUESTED),
        "overdue": open_q & Q(flagged_at__isnull=False),
        "soon": open_q & Q(appointment_at__gte=now, appointment_at__lt=now + dt.timedelta(days=SOON_DAYS)),
        "outcome": appointment_passed_q(now),
        "drafts": Q(status=ReferralStatus.DRAFT),
        "closed": Q(status__in=states.TERMINAL),
    }.get(bucket, open_q)


def _scope(qs: QuerySet[Referral], user: User, scope: str) -> QuerySet[Referral]:
    if scope == "team":
        teams = Team.objects.filter(Q(members=user) | Q(supervisors=user)).values("pk")
        return qs.filter(Q(client__primary_team__in=teams) | Q(referred_by=user))
    return qs.filter(referred_by=user)


def worklist_for_user(
    user: User,
    *,
    scope: str = "mine",
    bucket: str = "open",
    status: str = "",
    urgency: str = "",
    sort: str = "-requested",
) -> QuerySet[Referral]:
    """The referral worklist: mine or my team's, one bucket, filtered and sorted; each row carries
    ``appointment_passed`` (``appointment_passed_q``), so the page shows the rule rather than redoing it."""
    now = timezone.now()
    qs = (
        _scope(referral_list_for_user(user), user, scope)
        .filter(bucket_q(bucket, now))
        .annotate(
            appointment_passed=ExpressionWrapper(appointment_passed_q(now), output_field=BooleanField())
        )
    )
    if status:
        qs = qs.filter(status=status)
    if urgency:
        qs = qs.filter(urgency=urgency)
    return qs.order_by(*WORKLIST_SORTS.get(sort, WORKLIST_SORTS["-requested"]))


def worklist_counts(user: User, *, scope: str = "mine") -> dict[str, int]:
    """How many referrals sit in each bucket (one query)."""
    now = timezone.now()
    qs = _scope(referral_list_for_user(user), user, scope)
    return qs.aggregate(**{key: Count("pk", filter=bucket_q(key, now)) for key in WORKLIST_BUCKETS})


def referrals_for_client(client: Client) -> QuerySet[Referral]:
    return client.referrals.select_related("service", "organization", "need", "referred_by").order_by(
        "-created_at", "-id"
    )


def needs_for_client(client: Client) -> QuerySet[Need]:
    return Need.objects.filter(client=client, archived_at__isnull=True).order_by("-identified_at", "id")


def referrals_needing_user(user: User, *, limit: int = 10) -> list[Referral]:
    """The Today section: the user's own open referrals that are flagged or waiting for an outcome."""
    now = timezone.now()
    return list(
        referral_list_for_user(user)
        .filter(referred_by=user)
        .filter(bucket_q("overdue", now) | bucket_q("outcome", now))
        .order_by("flagged_at", "appointment_at", "id")[:limit]
    )
