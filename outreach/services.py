"""Scheduling into the outbox. Domain apps call these; outreach never imports a domain app.

Every function here is idempotent on its key: a save that runs twice, or a
periodic job that recomputes a schedule, never makes a second message.
"""

import datetime as dt

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from careteam.audit import audit_log
from careteam.models import AuditAction, User
from clients.models import Client, ContactChannel, SupportivePerson

from .models import Channel, MessageStatus, ScheduledMessage, SkipReason


def default_channel(client: Client) -> str:
    """The channel the client prefers, falling back to what we have an address for."""
    if client.preferred_channel == ContactChannel.SMS and client.phone:
        return Channel.SMS
    if client.preferred_channel == ContactChannel.EMAIL and client.email:
        return Channel.EMAIL
    if client.preferred_channel == ContactChannel.PHONE and client.phone:
        return Channel.VOICE
    if client.may_text and client.phone:
        return Channel.SMS
    if client.email:
        return Channel.EMAIL
    return Channel.VOICE


def _source_ref(source: models.Model | None) -> tuple[str, str]:
    return (source._meta.label_lower, str(source.pk)) if source is not None else ("", "")


def message_schedule(
    *,
    client: Client,
    template_key: str,
    due_at: dt.datetime,
    source_kind: str,
    idempotency_key: str,
    channel: str | None = None,
    source: models.Model | None = None,
    context: dict | None = None,
    supportive_person: SupportivePerson | None = None,
    essential: bool = False,
    signed_by: User | None = None,
    acting_user: User | None = None,
) -> ScheduledMessage:
    """Put one message in the outbox, due at ``due_at``; the same key returns the existing row.

    Rules about whether it may go (opt-outs, consent, quiet hours, discharge) are
    applied at send time, when they are current, not here.
    """
    existing = ScheduledMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    source_type, source_id = _source_ref(source)
    try:
        with transaction.atomic():
            message = ScheduledMessage.objects.create(
                client=client,
                supportive_person=supportive_person,
                channel=channel or default_channel(client),
                template_key=template_key,
                context=context or {},
                essential=essential,
                due_at=due_at,
                send_at=due_at,
                idempotency_key=idempotency_key,
                source_kind=source_kind,
                source_type=source_type,
                source_id=source_id,
                signed_by=signed_by,
                created_by=acting_user,
            )
    except IntegrityError:  # scheduled concurrently under the same key
        return ScheduledMessage.objects.get(idempotency_key=idempotency_key)
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=message,
        detail={"template": template_key, "source": source_kind},
    )
    return message


@transaction.atomic
def messages_cancel_for_source(
    *,
    source: models.Model,
    acting_user: User | None,
    reason: str = SkipReason.SOURCE_CANCELLED,
    detail: str = "",
    after: dt.datetime | None = None,
) -> int:
    """Cancel the pending messages a source scheduled (e.g. a stopped plan, a cancelled appointment).

    Rows already being sent are left to finish; the send-time check of the source
    catches any that race with this. Returns how many were cancelled.
    """
    source_type, source_id = _source_ref(source)
    pending = ScheduledMessage.objects.filter(
        source_type=source_type, source_id=source_id, status=MessageStatus.PENDING
    )
    if after is not None:
        pending = pending.filter(due_at__gte=after)
    rows = list(pending.select_for_update().values_list("pk", "client_id"))
    if not rows:
        return 0
    ScheduledMessage.objects.filter(pk__in=[pk for pk, _ in rows]).update(
        status=MessageStatus.CANCELLED,
        status_reason=reason,
        status_detail=detail[:300],
        updated_at=timezone.now(),
    )
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=rows[0][1],
        obj=source,
        changed_fields=["scheduled_messages"],
        detail={"cancelled": len(rows), "reason": reason},
    )
    return len(rows)
