"""State changes of peer support: contacts and accompaniment, group attendance, recovery check-ins,
the first-friend list. Each validates, writes and audits inside one transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from careteam import access
from careteam.audit import audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction, TaskKind, TaskPriority, User
from careteam.services import task_create
from careteam.timezones import client_time_zone, user_local_date, user_today
from clients.models import Client
from plans import selectors as plans_selectors
from plans import services as plans_services

from .models import (
    AttendanceSource,
    ContactKind,
    ContactMode,
    FirstFriend,
    GroupAttendance,
    PeerAssignment,
    PeerContact,
    RecoveryCapitalCheckIn,
    RecoveryDomain,
    SupportGroup,
)

CONTACT_FIELDS = (
    "occurred_at",
    "duration_minutes",
    "mode",
    "kind",
    "accompaniment_to",
    "place",
    "summary",
    "domains",
    "follow_up_needed",
    "follow_up_note",
    "needs_clinical_attention",
)
MIN_DURATION, MAX_DURATION = 1, 720  # one minute to a whole working day (12 h)
RATING_MIN, RATING_MAX = 1, 6  # peer-friendly self-rating, same 1-6 scale as BARC-10 items


def _validate_contact(data: dict, user: User) -> None:
    errors: dict[str, list[str]] = {}
    occurred_at = data.get("occurred_at")
    if occurred_at is None:
        errors["occurred_at"] = ["When did it happen?"]
    elif user_local_date(user, occurred_at) > user_today(user):
        errors["occurred_at"] = ["A contact cannot be logged for a day after today."]
    duration = data.get("duration_minutes")
    if duration is None or not MIN_DURATION <= int(duration) <= MAX_DURATION:
        errors["duration_minutes"] = [f"Between {MIN_DURATION} and {MAX_DURATION} minutes."]
    if data.get("mode") not in ContactMode.values:
        errors["mode"] = ["Choose how you met."]
    if data.get("kind") not in ContactKind.values:
        errors["kind"] = ["Choose what kind of contact it was."]
    if data.get("kind") == ContactKind.ACCOMPANIMENT and not data.get("accompaniment_to"):
        errors["accompaniment_to"] = ["Where did you go with them?"]
    if not (data.get("summary") or "").strip():
        errors["summary"] = ["A few words on what happened."]
    bad_domains = set(data.get("domains") or []) - set(RecoveryDomain.values)
    if bad_domains:
        errors["domains"] = [f"Unknown domain: {', '.join(sorted(bad_domains))}."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def peer_contact_log(*, assignment: PeerAssignment, acting_user: User, data: dict) -> PeerContact:
    """Log a contact (or an accompaniment) with the client; a follow-up becomes a task.

    The follow-up goes to the peer, or, flagged "needs clinical attention", to the client's
    primary counselor as urgent (peers do not triage clinical concerns themselves).
    """
    if assignment.ended_on is not None:
        raise DomainError("This peer assignment has ended.", field="assignment")
    _validate_contact(data, acting_user)
    values = {f: data[f] for f in CONTACT_FIELDS if f in data}
    if values.get("kind") != ContactKind.ACCOMPANIMENT:
        values["accompaniment_to"] = ""
    contact = PeerContact(assignment=assignment, client=assignment.client, peer=assignment.peer, **values)
    contact.full_clean()
    contact.save()
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=assignment.client,
        obj=contact,
        detail={"kind": contact.kind, "mode": contact.mode},
    )
    if contact.needs_clinical_attention:
        counselor = access.primary_counselor(assignment.client)
        task_create(
            kind=TaskKind.FOLLOW_UP,
            title=f"Peer flagged for clinical attention: {assignment.client.display_name}",
            detail=contact.follow_up_note,
            acting_user=acting_user,
            assignee=counselor,
            team=None if counselor else assignment.client.primary_team,
            client=assignment.client,
            priority=TaskPriority.URGENT,
            due_at=timezone.now() + dt.timedelta(days=1),
            source=contact,
            dedupe_key=f"peer-contact-{contact.pk}",
        )
    elif contact.follow_up_needed:
        task_create(
            kind=TaskKind.FOLLOW_UP,
            title=f"Follow up with {assignment.client.display_name}",
            detail=contact.follow_up_note,
            acting_user=acting_user,
            assignee=assignment.peer,
            client=assignment.client,
            due_at=timezone.now() + dt.timedelta(days=3),
            source=contact,
            dedupe_key=f"peer-contact-{contact.pk}",
        )
    return contact


def _attendance_completion_comment(attendance: GroupAttendance) -> str:
    return f"Support group attended (attendance #{attendance.pk})"


def _feed_plan_steps(attendance: GroupAttendance, acting_user: User) -> int:
    """PLAN HOOK: an attended group counts once towards each active-plan step marked
    ``counts_group_attendance`` (e.g. "2 support groups a week"). Idempotent per attendance: plans
    says which steps this attendance has not yet been credited to."""
    comment = _attendance_completion_comment(attendance)
    steps = plans_selectors.group_attendance_steps_uncredited(attendance.client, comment=comment)
    tz = client_time_zone(attendance.client)
    at = min(
        timezone.now(),
        dt.datetime.combine(attendance.date, attendance.group.meets_at or dt.time(12), tzinfo=tz),
    )
    for step in steps:
        plans_services.step_completion_log(
            client=attendance.client, step=step, acting_user=acting_user, completed_at=at, comment=comment
        )
    return len(steps)


@transaction.atomic
def group_attendance_record(
    *,
    client: Client,
    group: SupportGroup,
    date: dt.date,
    attended: bool,
    source: str,
    acting_user: User,
) -> GroupAttendance:
    """Record whether the client went to a group that day (one row per client, group and day:
    recording the same day again changes it). Attended groups feed the plan (see ``_feed_plan_steps``)."""
    errors = {}
    if date > user_today(acting_user):
        errors["date"] = ["Attendance is recorded after the group, not before."]
    if source not in AttendanceSource.values:
        errors["source"] = ["Choose who reported it."]
    if errors:
        raise ValidationError(errors)
    attendance = (
        GroupAttendance.objects.select_for_update().filter(client=client, group=group, date=date).first()
    )
    if attendance is None:
        attendance = GroupAttendance.objects.create(
            client=client, group=group, date=date, attended=attended, source=source, recorded_by=acting_user
        )
        audit_log(user=acting_user, action=AuditAction.CREATE, client=client, obj=attendance)
    else:
        changed = [f for f, v in (("attended", attended), ("source", source)) if getattr(attendance, f) != v]
        if changed:
            attendance.attended, attendance.source, attendance.recorded_by = attended, source, acting_user
            attendance.save(update_fields=[*changed, "recorded_by"])
            audit_log(
                user=acting_user,
                action=AuditAction.CHANGE,
                client=client,
                obj=attendance,
                changed_fields=changed,
            )
    if attendance.attended:
        _feed_plan_steps(attendance, acting_user)
    return attendance


@transaction.atomic
def recovery_checkin_record(
    *, client: Client, ratings: dict, note: str, acting_user: User, recorded_on: dt.date | None = None
) -> RecoveryCapitalCheckIn:
    """A short recovery-capital self-rating, 1 (struggling) to 6 (strong), in each of the six domains.

    Not BARC-10 (no instruments framework for it here): our own peer-friendly check-in on the same
    1-6 scale, total 6-36.
    """
    errors = {}
    clean = {}
    for domain in RecoveryDomain.values:
        try:
            value = int(ratings.get(domain))
        except (TypeError, ValueError):
            value = None
        if value is None or not RATING_MIN <= value <= RATING_MAX:
            errors[domain] = [f"Rate {RecoveryDomain(domain).label.lower()} from 1 to 6."]
        else:
            clean[domain] = value
    recorded_on = recorded_on or user_today(acting_user)
    if recorded_on > user_today(acting_user):
        errors["recorded_on"] = ["A check-in cannot be dated in the future."]
    if errors:
        raise ValidationError(errors)
    checkin = RecoveryCapitalCheckIn.objects.create(
        client=client,
        recorded_by=acting_user,
        recorded_on=recorded_on,
        ratings=clean,
        total=sum(clean.values()),
        note=(note or "")[:300],
    )
    audit_log(user=acting_user, action=AuditAction.CREATE, client=client, obj=checkin)
    return checkin


FIRST_FRIEND_FIELDS = (
    "name",
    "user",
    "phone",
    "email",
    "languages",
    "areas",
    "fellowships",
    "neighborhoods",
    "notes",
    "is_active",
)


@transaction.atomic
def first_friend_save(
    *, acting_user: User | None, data: dict, friend: FirstFriend | None = None
) -> FirstFriend:
    """Add someone to the first-friend list, or change their entry (deactivate rather than delete)."""
    friend = friend or FirstFriend()
    changed = [f for f in FIRST_FRIEND_FIELDS if f in data and getattr(friend, f, None) != data[f]]
    for f in changed:
        setattr(friend, f, data[f])
    creating = friend.pk is None
    friend.full_clean()
    friend.save()
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE if creating else AuditAction.CHANGE,
        obj=friend,
        changed_fields=() if creating else changed,
    )
    return friend


@transaction.atomic
def support_group_save(
    *, acting_user: User | None, data: dict, group: SupportGroup | None = None
) -> SupportGroup:
    group = group or SupportGroup()
    creating = group.pk is None
    for f, v in data.items():
        setattr(group, f, v)
    group.full_clean()
    group.save()
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE if creating else AuditAction.CHANGE,
        obj=group,
        changed_fields=() if creating else list(data),
    )
    return group
