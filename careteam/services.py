"""State changes of the care-team core: starting and ending care-team assignments."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from clients.models import Client

from . import access
from .audit import audit_log
from .errors import DomainError
from .models import AuditAction, CareTeamAssignment, CaseRole, User


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
