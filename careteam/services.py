"""State changes of the care-team core: care-team assignments, staff tasks and break-the-glass access."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client

from . import access
from .audit import Entry, audit_client_ids_listed, audit_log, audit_log_many
from .errors import DomainError
from .models import (
    AuditAction,
    CareTeamAssignment,
    CaseRole,
    EmergencyAccess,
    EmergencyAccessReason,
    Task,
    TaskKind,
    TaskPriority,
    TaskStatus,
    User,
)
from .signals import assignment_ended
from .states import TASK_STATES


@transaction.atomic
def assignment_start(
    *,
    client: Client,
    staff: User,
    role: str,
    acting_user: User | None,
    started_on: dt.date | None = None,
) -> CareTeamAssignment:
    """Put ``staff`` on the client's care team in ``role`` and grant them access to the record."""
    if not staff.is_active:
        raise DomainError(f"{staff} is not an active user.", field="staff")
    existing = CareTeamAssignment.objects.active().filter(client=client)
    if existing.filter(staff=staff, role=role).exists():
        raise DomainError(
            f"{staff} is already on the care team as {CaseRole(role).label.lower()}.", field="staff"
        )
    if role == CaseRole.PRIMARY_COUNSELOR:
        current = existing.filter(role=role).select_related("staff").first()
        if current is not None:
            raise DomainError(
                f"{current.staff} is the primary counselor. End that assignment first.", field="role"
            )
    try:
        with transaction.atomic():
            assignment = CareTeamAssignment.objects.create(
                client=client,
                staff=staff,
                role=role,
                started_on=started_on or timezone.localdate(),
                created_by=acting_user,
            )
    except IntegrityError as exc:  # a concurrent request got there first
        raise DomainError("That care-team role was just filled by someone else; reload the page.") from exc
    granted, _ = access.sync_object_permissions(client=client, staff=staff)
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=assignment,
        detail={"staff": staff.username, "role": role},
    )
    if granted:
        audit_log(
            user=acting_user,
            action=AuditAction.PERMISSION_CHANGE,
            client=client,
            obj=staff,
            detail={"granted": sorted(granted)},
        )
    return assignment


@transaction.atomic
def assignment_end(
    *,
    assignment: CareTeamAssignment,
    acting_user: User | None,
    reason: str = "",
    ended_on: dt.date | None = None,
) -> CareTeamAssignment:
    """Take ``staff`` off the care team; their access ends now unless another active role keeps it."""
    assignment = CareTeamAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.ended_on is not None:
        raise DomainError("This assignment has already ended.")
    ended_on = ended_on or timezone.localdate()
    if ended_on < assignment.started_on:
        raise DomainError("An assignment cannot end before it started.", field="ended_on")
    assignment.ended_on = ended_on
    assignment.end_reason = reason
    assignment.save(update_fields=["ended_on", "end_reason"])
    _, revoked = access.sync_object_permissions(client=assignment.client, staff=assignment.staff)
    assignment_ended.send(
        sender=CareTeamAssignment, assignment=assignment, acting_user=acting_user, reason=reason
    )
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=assignment.client,
        obj=assignment,
        changed_fields=["ended_on", "end_reason"],
        reason=reason,
    )
    if revoked:
        audit_log(
            user=acting_user,
            action=AuditAction.PERMISSION_CHANGE,
            client=assignment.client,
            obj=assignment.staff,
            detail={"revoked": sorted(revoked)},
        )
    return assignment


@transaction.atomic
def task_create(
    *,
    kind: str,
    title: str,
    acting_user: User | None,
    assignee: User | None = None,
    team=None,
    client: Client | None = None,
    detail: str = "",
    due_at: dt.datetime | None = None,
    priority: str = TaskPriority.NORMAL,
    source: models.Model | None = None,
    dedupe_key: str | None = None,
) -> Task:
    """Put a task on a worklist; raised again under the same ``dedupe_key`` it returns the first one."""
    if assignee is None and team is None:
        raise DomainError("A task needs a person or a team to do it.")
    if dedupe_key:
        existing = Task.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    source_type, source_id = (source._meta.label_lower, str(source.pk)) if source is not None else ("", "")
    try:
        with transaction.atomic():
            task = Task.objects.create(
                kind=kind,
                title=title[:200],
                detail=detail,
                assignee=assignee,
                team=team,
                client=client,
                due_at=due_at,
                priority=priority,
                source_type=source_type,
                source_id=source_id,
                dedupe_key=dedupe_key or None,
            )
    except IntegrityError:  # raised concurrently under the same key
        return Task.objects.get(dedupe_key=dedupe_key)
    audit_log(user=acting_user, action=AuditAction.CREATE, client=client, obj=task, detail={"kind": kind})
    return task


@transaction.atomic
def task_close(*, task: Task, acting_user: User | None, status: str = TaskStatus.DONE) -> Task:
    """Mark a task done (or dismissed), as the task table allows (``careteam.states``).

    Closing a closed task changes nothing and is no error: two people on a team may click "Done" at
    once, and what raised a task may close it after someone did. Any other move the table refuses.
    """
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status in TASK_STATES.terminal:
        return task
    TASK_STATES.move(task, status, also={"done_by": acting_user, "done_at": timezone.now()})
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=task.client_id,
        obj=task,
        changed_fields=["status", "done_by", "done_at"],
    )
    return task


@transaction.atomic
def tasks_close_for_source(*, source: models.Model, acting_user: User | None, kind: str | None = None) -> int:
    """Close (done) the open tasks a record raised (a risk screen done, a note co-signed, a checkpoint
    met), in one UPDATE through the task table, with one audit row per task. Returns how many closed."""
    qs = Task.objects.filter(
        source_type=source._meta.label_lower,
        source_id=str(source.pk),
        status__in=TASK_STATES.sources(TaskStatus.DONE),
    )
    if kind:
        qs = qs.filter(kind=kind)
    rows = list(qs.select_for_update().values_list("pk", "client_id"))
    if not rows:
        return 0
    closed = TASK_STATES.move_all(
        Task.objects.filter(pk__in=[pk for pk, _client in rows]),
        TaskStatus.DONE,
        also={"done_by": acting_user, "done_at": timezone.now()},
    )
    audit_log_many(
        user=acting_user,
        entries=[
            Entry(
                action=AuditAction.CHANGE,
                client_id=client_id,
                object_type=Task._meta.label_lower,
                object_id=str(pk),
                changed_fields=("status", "done_by", "done_at"),
            )
            for pk, client_id in rows
        ],
    )
    return closed


# --- break the glass ------------------------------------------------------------------------------
# DESIGN "Access": a reason, a time limit, an audit row, the client's supervisors told, a review after.
# The reasons are the emergencies HIPAA 164.510(j) and 42 CFR 2.51 allow (``EmergencyAccessReason``).

EMERGENCY_JUSTIFICATION_MIN_LENGTH = 20


def emergency_access_hours() -> int:
    """How long a grant lasts (``CARETEAM_EMERGENCY_ACCESS_HOURS``, default 4)."""
    return settings.CARETEAM_EMERGENCY_ACCESS_HOURS


@transaction.atomic
def emergency_access_open(*, user: User, client: Client, reason: str, justification: str) -> EmergencyAccess:
    """``user`` breaks the glass on ``client``: they may open the record (VIEW) until the time limit.

    Audited (``emergency_access``, the justification as the reason); every supervisor of the client's
    primary team gets an urgent task (the team itself when it has none).
    """
    if not access.emergency_access_can_open(user):
        raise DomainError(_("Your role may not open records in an emergency."))
    if access.client_can_access(user, client):
        raise DomainError(_("You can already open this record; emergency access is not needed."))
    Client.objects.select_for_update().filter(pk=client.pk).first()  # a double submit makes one grant
    if access.emergency_access_current(user, client) is not None:
        raise DomainError(_("You already have emergency access to this record."))
    if reason not in EmergencyAccessReason.values:
        raise DomainError(_("Choose the reason."), field="reason")
    justification = justification.strip()
    if len(justification) < EMERGENCY_JUSTIFICATION_MIN_LENGTH:
        raise DomainError(
            _("Say why in at least %(n)d characters.") % {"n": EMERGENCY_JUSTIFICATION_MIN_LENGTH},
            field="justification",
        )
    now = timezone.now()
    grant = EmergencyAccess.objects.create(
        user=user,
        client=client,
        reason=reason,
        justification=justification,
        started_at=now,
        expires_at=now + dt.timedelta(hours=emergency_access_hours()),
    )
    audit_log(
        user=user,
        action=AuditAction.EMERGENCY_ACCESS,
        client=client,
        obj=grant,
        reason=justification,
        detail={"reason": reason, "expires": grant.expires_at.isoformat()},
    )
    title = _("Emergency access: %(user)s opened %(client)s's record") % {
        "user": user.get_full_name() or user.get_username(),
        "client": client.display_name,
    }
    detail = _("Reason: %(reason)s. Justification: %(justification)s Access until %(expires)s UTC.") % {
        "reason": EmergencyAccessReason(reason).label,
        "justification": justification,
        "expires": f"{grant.expires_at:%Y-%m-%d %H:%M}",
    }
    team = client.primary_team
    supervisors = list(team.supervisors.filter(is_active=True).exclude(pk=user.pk))
    owners = [{"assignee": s} for s in supervisors] or [{"team": team}]
    for owner in owners:
        who = owner.get("assignee") or team
        task_create(
            kind=TaskKind.EMERGENCY_ACCESS,
            title=title,
            detail=detail,
            acting_user=user,
            client=client,
            priority=TaskPriority.URGENT,
            due_at=now,
            source=grant,
            dedupe_key=f"emergency-access:{grant.pk}:{who._meta.model_name}:{who.pk}",
            **owner,
        )
    return grant


@transaction.atomic
def emergency_access_end(*, grant: EmergencyAccess, acting_user: User) -> EmergencyAccess:
    """End a grant before its time limit (the emergency is over). Ending an ended one changes nothing."""
    grant = EmergencyAccess.objects.select_for_update().get(pk=grant.pk)
    now = timezone.now()
    if grant.ended_at is not None or grant.expires_at <= now:
        return grant
    grant.ended_at = now
    grant.save(update_fields=["ended_at"])
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=grant.client_id,
        obj=grant,
        changed_fields=["ended_at"],
        reason=grant.justification,
    )
    return grant


@transaction.atomic
def emergency_access_review(*, grant: EmergencyAccess, acting_user: User, note: str) -> EmergencyAccess:
    """A supervisor (or administrator) marks a break-glass access reviewed, with a note; closes its tasks."""
    grant = EmergencyAccess.objects.select_for_update().get(pk=grant.pk)
    if grant.user_id == acting_user.pk:
        raise DomainError(_("Someone else must review your own emergency access."))
    if grant.reviewed_at is not None:
        raise DomainError(_("This emergency access has already been reviewed."))
    note = note.strip()
    if not note:
        raise DomainError(_("Write what the review found."), field="note")
    grant.reviewed_by = acting_user
    grant.reviewed_at = timezone.now()
    grant.review_note = note
    grant.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    audit_log(
        user=acting_user,
        action=AuditAction.EMERGENCY_REVIEW,
        client=grant.client_id,
        obj=grant,
        changed_fields=["reviewed_by", "reviewed_at", "review_note"],
        reason=note,
        detail={"grantee": grant.user.get_username()},
    )
    tasks_close_for_source(source=grant, acting_user=acting_user, kind=TaskKind.EMERGENCY_ACCESS)
    return grant


def client_search_audit(*, user: User, page: str, client_ids: list[int]) -> None:
    """Record a search that reached beyond the care team: one LIST row per client shown, each with how
    many were shown; a search that found nobody still leaves one row. The term is not kept (it is a
    name or a birth date: the rows already say whom it found)."""
    detail = {"page": page, "search": True, "results": len(set(client_ids))}
    if client_ids:
        audit_client_ids_listed(user=user, client_ids=client_ids, detail=detail)
    else:
        audit_log(user=user, action=AuditAction.LIST, detail=detail)
