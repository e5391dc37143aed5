"""Reads of peer-support data, scoped to what the user may see (careteam.access)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from careteam import access
from careteam.models import Task, TaskStatus, User
from careteam.roles import Role
from careteam.timezones import user_local_date, user_time_zone, user_today
from clients.models import Appointment, AppointmentKind, AppointmentStatus, Client

from .models import (
    FirstFriend,
    GroupAttendance,
    PeerAssignment,
    PeerContact,
    PeerProfile,
    RecoveryCapitalCheckIn,
    RecoveryDomain,
    SupportGroup,
)

DEFAULT_CAPACITY = PeerProfile._meta.get_field("caseload_capacity").default
TODAY_LIMIT = 10
RECENT_LIMIT = 20


def contact_threshold_days() -> int:
    return settings.CARETEAM_PEER_CONTACT_THRESHOLD_DAYS


def days_since(moment: dt.datetime | None, user: User, *, now: dt.datetime | None = None) -> int | None:
    """Whole calendar days between the contact and today, both taken in the user's time zone."""
    if moment is None:
        return None
    return (user_today(user, now=now) - user_local_date(user, moment)).days


def _visible_assignments(user: User) -> QuerySet[PeerAssignment]:
    return PeerAssignment.objects.filter(client__in=access.clients_visible_to(user))


def peer_work_can_review(user: User) -> bool:
    """The rest of the care team reviews peer work on the chart (assignments, contacts, check-ins);
    peer specialists work from their own client page instead (minimum necessary)."""
    return not access.minimum_necessary_view(user)


def peer_supervision_can_view(user: User) -> bool:
    """The peer supervision page (caseloads against capacity, contact gaps): supervisors and
    administrators. A role check, no query, so the navigation can ask it on every page."""
    return user.is_superuser or user.has_role(Role.SUPERVISOR, Role.ADMIN)


def assignment_for_contact(user: User, client: Client) -> PeerAssignment | None:
    """The active assignment a contact by ``user`` is logged under: their own, or (for a supervisor)
    the client's only active one."""
    active = PeerAssignment.objects.filter(client=client, ended_on__isnull=True).select_related(
        "client", "peer"
    )
    own = active.filter(peer=user).first()
    if own is not None or access.minimum_necessary_view(user):
        return own
    return active.first() if user.has_role(Role.SUPERVISOR, Role.ADMIN) else None


@dataclass
class PersonRow:
    assignment: PeerAssignment
    client: Client
    last_contact: dt.datetime | None
    days_since: int | None
    overdue: bool


def my_people(user: User) -> list[PersonRow]:
    """The peer's active assignments with the last contact (any peer) — two queries whatever the count."""
    threshold = contact_threshold_days()
    qs = (
        _visible_assignments(user)
        .filter(peer=user, ended_on__isnull=True)
        .select_related("client")
        .annotate(last_contact=Max("client__peer_contacts__occurred_at"))
        .order_by("client__legal_last_name", "client__legal_first_name", "id")
    )
    rows = []
    now = timezone.now()
    for a in qs:
        days = days_since(a.last_contact, user, now=now)
        rows.append(PersonRow(a, a.client, a.last_contact, days, days is None or days > threshold))
    return rows


def upcoming_peer_appointments(user: User, *, limit: int = 10) -> list[Appointment]:
    """Accompaniments ahead: the user's upcoming peer-support appointments."""
    return list(
        Appointment.objects.filter(
            staff=user,
            kind=AppointmentKind.PEER,
            starts_at__gte=timezone.now(),
            client__in=access.clients_visible_to(user),
        )
        .filter(status=AppointmentStatus.SCHEDULED)
        .select_related("client")
        .order_by("starts_at")[:limit]
    )


def follow_ups_for_user(user: User, *, limit: int = 20) -> list[Task]:
    return list(
        Task.objects.filter(assignee=user, status=TaskStatus.OPEN, source_type="peers.peercontact")
        .select_related("client")
        .order_by("due_at", "id")[:limit]
    )


def contacts_for_client(client: Client, *, limit: int = RECENT_LIMIT) -> list[PeerContact]:
    return list(PeerContact.objects.filter(client=client).select_related("peer")[:limit])


def attendance_for_client(client: Client, *, limit: int = RECENT_LIMIT) -> list[GroupAttendance]:
    return list(GroupAttendance.objects.filter(client=client).select_related("group")[:limit])


def checkins_for_client(client: Client, *, limit: int = 12) -> list[RecoveryCapitalCheckIn]:
    """The latest check-ins, oldest first (for a trend)."""
    rows = list(RecoveryCapitalCheckIn.objects.filter(client=client)[:limit])
    return rows[::-1]


def assignments_for_client(client: Client) -> list[PeerAssignment]:
    return list(PeerAssignment.objects.filter(client=client).select_related("peer"))


def support_groups_active() -> QuerySet[SupportGroup]:
    return SupportGroup.objects.filter(is_active=True)


def contact_list_for_user(user: User) -> QuerySet[PeerContact]:
    return PeerContact.objects.filter(client__in=access.clients_visible_to(user)).select_related("peer")


def attendance_list_for_user(user: User) -> QuerySet[GroupAttendance]:
    return GroupAttendance.objects.filter(client__in=access.clients_visible_to(user))


def checkin_list_for_user(user: User) -> QuerySet[RecoveryCapitalCheckIn]:
    return RecoveryCapitalCheckIn.objects.filter(client__in=access.clients_visible_to(user))


def trend_points(checkins: list[RecoveryCapitalCheckIn], *, width: int = 300, height: int = 100) -> dict:
    """Coordinates for a server-rendered SVG line of check-in totals (6 to 36)."""
    lo, hi = len(RecoveryDomain.values), len(RecoveryDomain.values) * 6
    if not checkins:
        return {}
    step = width / max(len(checkins) - 1, 1)
    points = []
    for i, c in enumerate(checkins):
        x = round(i * step, 1)
        y = round(height - (c.total - lo) / (hi - lo) * height, 1)
        points.append({"x": x, "y": y, "total": c.total, "on": c.recorded_on})
    return {
        "width": width,
        "height": height,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
    }


# --- supervision -----------------------------------------------------------------------------


def peers_supervised_by(user: User) -> QuerySet[User]:
    qs = User.objects.filter(groups__name=Role.PEER_SPECIALIST, is_active=True)
    if not access.clients_can_see_all(user):
        qs = qs.filter(teams__in=user.supervised_teams.all())
    return qs.distinct()


def supervision_overview(user: User, *, weeks: int = 4) -> dict:
    """Caseloads vs capacity, contacts per client per week, and people past the threshold —
    aggregates only, a fixed number of queries."""
    now = timezone.now()
    visible = access.clients_visible_to(user)
    peers = list(
        peers_supervised_by(user)
        .select_related("peer_profile")
        .annotate(
            active_count=Count(
                "peer_assignments",
                filter=Q(peer_assignments__ended_on__isnull=True, peer_assignments__client__in=visible),
                distinct=True,
            )
        )
        .order_by("last_name", "first_name", "id")
    )
    for p in peers:
        profile = getattr(p, "peer_profile", None)
        p.capacity = profile.caseload_capacity if profile else DEFAULT_CAPACITY
        p.at_capacity = p.active_count >= p.capacity
    peer_ids = [p.pk for p in peers]
    tz = user_time_zone(user)
    today = user_today(user, now=now)
    this_monday = today - dt.timedelta(days=today.weekday())
    week_starts = [this_monday - dt.timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    since = dt.datetime.combine(week_starts[0], dt.time.min, tzinfo=tz)
    assignments = list(
        PeerAssignment.objects.filter(peer_id__in=peer_ids, ended_on__isnull=True, client__in=visible)
        .select_related("client", "peer")
        # Each peer's own contacts: two peers working with one client are supervised separately.
        .annotate(last_contact=Max("contacts__occurred_at"))
        .order_by("peer__last_name", "client__legal_last_name", "id")
    )
    counts = (
        PeerContact.objects.filter(assignment__in=[a.pk for a in assignments], occurred_at__gte=since)
        .annotate(week=TruncWeek("occurred_at", tzinfo=tz))
        .values("assignment_id", "week")
        .annotate(n=Count("id"))
    )
    by_assignment: dict[int, dict[dt.date, int]] = {}
    for row in counts:
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        by_assignment.setdefault(row["assignment_id"], {})[week] = row["n"]
    threshold = contact_threshold_days()
    rows, overdue = [], []
    for a in assignments:
        days = days_since(a.last_contact, user, now=now)
        a.days_since = days
        a.weekly = [by_assignment.get(a.pk, {}).get(w, 0) for w in week_starts]
        rows.append(a)
        if days is None or days > threshold:
            overdue.append(a)
    return {
        "peers": peers,
        "rows": rows,
        "overdue": overdue,
        "week_starts": week_starts,
        "threshold": threshold,
    }


# --- first friends ---------------------------------------------------------------------------


def first_friend_search(*, language: str = "", area: str = "", fellowship: str = "", text: str = "") -> list:
    """Active first friends matching every filter given. The list is a short, admin-kept roster,
    so the JSON list filters run in Python (portable across SQLite and PostgreSQL)."""
    qs = FirstFriend.objects.filter(is_active=True)
    text = text.strip()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(neighborhoods__icontains=text) | Q(notes__icontains=text))
    friends = list(qs[:500])
    if language:
        friends = [f for f in friends if language in (f.languages or [])]
    if area:
        friends = [f for f in friends if area in (f.areas or [])]
    if fellowship:
        friends = [f for f in friends if fellowship in (f.fellowships or [])]
    return friends
