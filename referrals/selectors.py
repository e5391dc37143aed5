"""Reads of referrals, already scoped to the clients the user may see.

A referral is visible to whoever may see its client and holds ``referrals.view_referral`` (peer
specialists do not: referral packets carry clinical information). Missing and hidden are both 404.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from careteam import access
from careteam.models import Team, User
from clients.models import Client, Need

from . import states
from .models import Referral, ReferralEvent, ReferralStatus

VIEW_PERMISSION = "referrals.view_referral"
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


def may_view_referrals(user: User) -> bool:
    return user.is_authenticated and user.has_perm(VIEW_PERMISSION)


def referral_list_for_user(user: User) -> QuerySet[Referral]:
    if not may_view_referrals(user):
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


def bucket_q(bucket: str, now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    open_q = Q(status__in=states.OPEN)
    return {
        "open": open_q,
        "awaiting": Q(status=ReferralStatus.REQUESTED),
        "overdue": open_q & Q(flagged_at__isnull=False),
        "soon": open_q & Q(appointment_at__gte=now, appointment_at__lt=now + dt.timedelta(days=SOON_DAYS)),
        "outcome": Q(status__in=states.OPEN - {ReferralStatus.REQUESTED}, appointment_at__lt=now),
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
    """The referral worklist: mine or my team's, one bucket, filtered and sorted."""
    qs = _scope(referral_list_for_user(user), user, scope).filter(bucket_q(bucket))
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
