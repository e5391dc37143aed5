"""Identifying a need and moving its status. Referrals move it too, through ``need_set_status``."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from careteam.audit import audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction, User
from clients.models import Client, Need, NeedStatus

NEED_FIELDS = ("category", "description", "urgency")


@transaction.atomic
def need_create(*, client: Client, acting_user: User, data: dict) -> Need:
    need = Need(
        client=client, identified_by=acting_user, **{k: v for k, v in data.items() if k in NEED_FIELDS}
    )
    if not need.description.strip():
        raise ValidationError({"description": "Describe the need, in the client's words where possible."})
    need.full_clean()
    need.save()
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=need,
        detail={"category": need.category},
    )
    return need


@transaction.atomic
def need_update(*, need: Need, acting_user: User, data: dict) -> Need:
    changed = [f for f in NEED_FIELDS if f in data and getattr(need, f) != data[f]]
    for field in changed:
        setattr(need, field, data[field])
    need.full_clean()
    need.save()
    if changed:
        audit_log(
            user=acting_user,
            action=AuditAction.CHANGE,
            client=need.client_id,
            obj=need,
            changed_fields=changed,
        )
    return need


@transaction.atomic
def need_set_status(*, need: Need, status: str, acting_user: User | None, note: str = "") -> Need:
    if status not in NeedStatus.values:
        raise DomainError(f"'{status}' is not a need status.", field="status")
    if status == need.status:
        return need
    need.status = status
    need.status_changed_at = timezone.now()
    if note:
        need.closed_note = note[:300]
    need.save(update_fields=["status", "status_changed_at", "closed_note"])
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=need.client_id,
        obj=need,
        changed_fields=["status"],
        detail={"status": status},
    )
    return need
