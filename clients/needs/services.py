"""Identifying a need and moving its status. Referrals move it too, through ``need_set_status``."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from careteam.audit import audit_log
from careteam.concurrency import Expected, require_unchanged
from careteam.errors import DomainError
from careteam.models import AuditAction, User
from clients.models import Client, Need, NeedStatus

from .states import NEED_STATES, NOTE_REQUIRED, NOTE_REQUIRED_MESSAGE

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
def need_update(*, need: Need, acting_user: User, data: dict, expected: Expected | None = None) -> Need:
    """Change what the need is (category, description, urgency). ``expected``: the version the
    editor started from; a stale one raises ``StaleEditError``."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    require_unchanged(need, expected)
    changed = [f for f in NEED_FIELDS if f in data and getattr(need, f) != data[f]]
    for field in changed:
        setattr(need, field, data[field])
    need.full_clean()
    if changed:
        # Only the edited fields: a full save would write back a status read before someone moved it.
        need.save(update_fields=changed)
        audit_log(
            user=acting_user,
            action=AuditAction.CHANGE,
            client=need.client_id,
            obj=need,
            changed_fields=changed,
        )
    return need


def need_for_update(need: Need) -> Need:
    """The need as stored, its row locked until the transaction ends.

    Callers that decide a move from a need's status (a referral following its outcome) read it here
    first, so the decision and the move see the same status and a concurrent edit waits instead of
    rolling back the caller's whole change.
    """
    return Need.objects.select_for_update().select_related("client").get(pk=need.pk)


@transaction.atomic
def need_set_status(*, need: Need, status: str, acting_user: User | None, note: str = "") -> Need:
    """Move a need along ``NEED_STATES``: staff on the chart or the API, or a referral following its
    outcome. A move not in the table — the same status included — is refused (field ``status``);
    closing it unmet or declined without a note is refused (field ``note``), whoever the caller is.

    The move is a compare-and-set on the status ``need`` was read with: if someone changed it in
    the meantime, ``StaleStateError`` says so instead of overwriting their change. Code that decides
    a move from the stored status (a referral following its outcome) reads the need with
    ``need_for_update`` first, so it is never stale.
    """
    if status not in NeedStatus.values:
        raise DomainError(gettext("'%(status)s' is not a need status.") % {"status": status}, field="status")
    previous = need.status
    NEED_STATES.check(previous, status)
    note = (note or "").strip()
    if status in NOTE_REQUIRED and not note:
        raise DomainError(str(NOTE_REQUIRED_MESSAGE), field="note")
    also = {"status_changed_at": timezone.now()}
    if note:
        also["closed_note"] = note[:300]
    NEED_STATES.move(need, status, also=also)
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=need.client_id,
        obj=need,
        changed_fields=["status", "closed_note"] if note else ["status"],
        detail={"from": previous, "status": status},
    )
    return need
