"""Scheduling into the outbox. Domain apps call these; outreach reads the record but imports no domain app.

Every function here is idempotent on its key: a save that runs twice, or a
periodic job that recomputes a schedule, never makes a second message.
"""

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from dateutil import rrule
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from careteam import access
from careteam.audit import audit_log
from careteam.errors import DomainError
from careteam.fields import MESSAGE_MAX_LENGTH
from careteam.models import AuditAction, TaskKind, TaskPriority, User
from careteam.services import task_create
from careteam.timezones import client_time_zone
from clients.models import (
    Appointment,
    AppointmentStatus,
    Client,
    ContactChannel,
    MedicationStatus,
    SupportivePerson,
)

from .dispatch import message_failure_task
from .models import (
    Channel,
    ClientReminder,
    InboundKind,
    InboundMessage,
    MessageStatus,
    Recurrence,
    ReminderKind,
    ScheduledMessage,
    SkipReason,
    SourceKind,
)
from .rendering import render_key_for_client
from .rules import client_quiet_hours, quiet_hours_end, text_refusal
from .sending import send_after_commit
from .states import MESSAGE_STATES


def default_channel(client: Client) -> str:
    """The channel the client prefers, falling back to what we have an address for."""
    if client.preferred_channel == ContactChannel.SMS and client.phone and client.text_consent_on_file:
        return Channel.SMS
    if client.preferred_channel == ContactChannel.EMAIL and client.email:
        return Channel.EMAIL
    if client.preferred_channel == ContactChannel.PHONE and client.phone:
        return Channel.VOICE
    if client.text_consent_on_file and client.phone:
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
    to_address: str = "",
    to_name: str = "",
) -> ScheduledMessage:
    """Put one message in the outbox, due at ``due_at``; the same key returns the existing row.

    Rules about whether it may go (opt-outs, consent, quiet hours, discharge) are
    applied at send time, when they are current, not here.

    ``to_address`` (with the organisation's ``to_name``) emails an organisation about the client —
    a referral partner — instead of the client: the client's preferences and quiet hours do not
    apply to it, only the source's check at send time.
    """
    existing = ScheduledMessage.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    source_type, source_id = _source_ref(source)
    channel = Channel.EMAIL if to_address else (channel or default_channel(client))
    send_at, detail = due_at, ""
    if channel != Channel.VOICE and not to_address:
        # Known quiet hours move the send time now, so the chart shows when it will really go;
        # the send-time rule checks again (the client may change them meanwhile).
        quiet_start, quiet_end = client_quiet_hours(client)
        moved = quiet_hours_end(
            start=quiet_start, end=quiet_end, time_zone=client_time_zone(client), at=due_at
        )
        if moved is not None:
            send_at, detail = moved, "Due in the client's quiet hours; sends when they end."
    try:
        with transaction.atomic():
            message = ScheduledMessage.objects.create(
                client=client,
                supportive_person=supportive_person,
                channel=channel,
                template_key=template_key,
                context=context or {},
                essential=essential,
                due_at=due_at,
                send_at=send_at,
                status_detail=detail,
                idempotency_key=idempotency_key,
                source_kind=source_kind,
                source_type=source_type,
                source_id=source_id,
                signed_by=signed_by,
                created_by=acting_user,
                to_address=to_address,
                to_name=to_name[:200],
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
    source_kind: str = "",
) -> int:
    """Cancel the pending messages a source scheduled (e.g. a stopped plan, a cancelled appointment).

    Rows already being sent are left to finish; the send-time check of the source
    catches any that race with this. ``source_kind`` narrows it to one kind of message when a
    source schedules several (a referral: the client's reminder, and the partner's email, which a
    changed appointment must not cancel). Returns how many were cancelled.
    """
    source_type, source_id = _source_ref(source)
    pending = ScheduledMessage.objects.filter(
        source_type=source_type,
        source_id=source_id,
        status__in=MESSAGE_STATES.sources(MessageStatus.CANCELLED),
    )
    if after is not None:
        pending = pending.filter(due_at__gte=after)
    if source_kind:
        pending = pending.filter(source_kind=source_kind)
    rows = list(pending.select_for_update().values_list("pk", "client_id"))
    if not rows:
        return 0
    MESSAGE_STATES.move_all(
        ScheduledMessage.objects.filter(pk__in=[pk for pk, _client in rows]),
        MessageStatus.CANCELLED,
        also={"status_reason": reason, "status_detail": detail[:300], "updated_at": timezone.now()},
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


# --- Staff actions on the Messages tab -----------------------------------------------------------


@transaction.atomic
def message_send_manual(*, client: Client, acting_user: User, channel: str, text: str) -> ScheduledMessage:
    """A message a staff member wrote, sent as written (through the same rules as every other)."""
    text = text.strip()
    if not text:
        raise DomainError("Write the message first.", field="text")
    if channel not in (Channel.SMS, Channel.EMAIL):
        raise DomainError("Send a text message or an email.", field="channel")
    if channel == Channel.SMS and (problem := text_refusal(client)):
        raise DomainError(problem, field="channel")
    message = message_schedule(
        client=client,
        template_key="manual",
        due_at=timezone.now(),
        source_kind=SourceKind.MANUAL,
        idempotency_key=f"manual-{uuid.uuid4()}",
        channel=channel,
        context={"text": text},
        signed_by=acting_user,
        acting_user=acting_user,
    )
    if message.send_at <= timezone.now():
        # Straight away instead of at the next tick; the dispatcher's claim still guards the row.
        send_after_commit(message.pk)
    return message


@transaction.atomic
def message_cancel(*, message: ScheduledMessage, acting_user: User, reason: str) -> ScheduledMessage:
    """Cancel one pending message. One already being sent (or sent) cannot be called back."""
    message.refresh_from_db()  # its status now, not as the page read it; the move is still a compare-and-set
    try:
        MESSAGE_STATES.move(
            message,
            MessageStatus.CANCELLED,
            also={
                "status_reason": SkipReason.STAFF_CANCELLED,
                "status_detail": (reason or "Cancelled by staff")[:300],
                "updated_at": timezone.now(),
            },
        )
    except DomainError as exc:  # not pending (any more): the table only cancels what waits to be sent
        raise DomainError(
            _("This message is no longer waiting to be sent, so it cannot be cancelled.")
        ) from exc
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=message.client_id,
        obj=message,
        changed_fields=["status", "status_reason", "status_detail"],
        reason=reason,
    )
    return message


@transaction.atomic
def message_retry(*, message: ScheduledMessage, acting_user: User | None) -> ScheduledMessage:
    """Put a failed message back in the queue, attempts reset (admin's "retry")."""
    refused = DomainError(_("Only failed messages can be retried."))
    message.refresh_from_db()  # its status now, not as the page read it; the move is still a compare-and-set
    # Pending is reachable from sending too (the dispatcher's own retries): staff retry failures only.
    if message.status != MessageStatus.FAILED:
        raise refused
    now = timezone.now()
    try:
        MESSAGE_STATES.move(
            message,
            MessageStatus.PENDING,
            also={
                "attempts": 0,
                "send_at": now,
                "claimed_at": None,
                "status_detail": "Retried by staff.",
                "updated_at": now,
            },
        )
    except DomainError as exc:  # it moved on since it was read
        raise refused from exc
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=message.client_id,
        obj=message,
        changed_fields=["status", "attempts", "send_at"],
        detail={"retry": True},
    )
    return message


# --- Inbound SMS: STOP / START / HELP and replies ------------------------------------------------

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "UNSTOP", "YES"}  # carriers' opt-in keywords; "YES" only counts after a STOP
HELP_WORDS = {"HELP", "INFO"}


def risk_words_in(text: str) -> list[str]:
    """The configured risk words or phrases found in ``text`` (whole words, case-insensitive)."""
    lowered = " " + re.sub(r"[^\w']+", " ", text.lower()) + " "
    return [w for w in settings.OUTREACH_RISK_WORDS if f" {w.lower()} " in lowered]


def client_for_phone(number: str) -> Client | None:
    """The client texting from ``number`` (E.164): the most recently updated open record using it."""
    return (
        Client.objects.not_archived()
        .filter(phone=number)
        .select_related("primary_team")
        .order_by("-updated_at", "-id")
        .first()
    )


@dataclass(frozen=True)
class InboundResult:
    inbound: InboundMessage
    reply: str = ""
    duplicate: bool = False


def inbound_sms_receive(*, from_number: str, body: str, provider_message_id: str = "") -> InboundResult:
    """Handle one text from a client, once per provider MessageSid.

    STOP (and its synonyms) stops texts and cancels pending ones; START restores them; HELP answers;
    anything else is a reply the care team must see — one urgent task, with any risk words named.
    """
    if provider_message_id:
        existing = InboundMessage.objects.filter(provider_message_id=provider_message_id).first()
        if existing is not None:
            return InboundResult(existing, duplicate=True)
    with transaction.atomic():
        client = client_for_phone(from_number)
        word = body.strip().upper().rstrip(".!")
        if client is None:
            kind = InboundKind.UNMATCHED
        elif word in STOP_WORDS:
            kind = InboundKind.STOP
        elif word in START_WORDS and (word != "YES" or client.sms_opted_out_at is not None):
            # "Yes!" to a caring contact from someone who never said stop is a reply the team must see.
            kind = InboundKind.START
        elif word in HELP_WORDS:
            kind = InboundKind.HELP
        else:
            kind = InboundKind.REPLY
        try:
            with transaction.atomic():
                inbound = InboundMessage.objects.create(
                    from_number=from_number[:40],
                    client=client,
                    # A reply is kept even when it is over the limit (an SMS is at most 1,600 characters).
                    body=body[:MESSAGE_MAX_LENGTH],
                    kind=kind,
                    provider_message_id=provider_message_id or None,
                    risk_words=risk_words_in(body) if kind == InboundKind.REPLY else [],
                )
        except IntegrityError:  # the provider retried the webhook concurrently
            return InboundResult(
                InboundMessage.objects.get(provider_message_id=provider_message_id), duplicate=True
            )
        reply = ""
        if kind == InboundKind.STOP:
            _sms_opt_out(client, inbound)
            reply = render_key_for_client("sms-stop-confirmation", client)
        elif kind == InboundKind.START:
            if client.sms_opted_out_at is not None:
                Client.objects.filter(pk=client.pk).update(sms_opted_out_at=None)
                audit_log(
                    user=None,
                    action=AuditAction.CHANGE,
                    client=client,
                    obj=client,
                    changed_fields=["sms_opted_out_at"],
                    detail={"via": "sms", "keyword": word},
                )
            reply = render_key_for_client("sms-start-confirmation", client)
        elif kind == InboundKind.HELP:
            reply = render_key_for_client("sms-help", client)
        elif kind == InboundKind.REPLY:
            _reply_task(client, inbound)
        else:
            audit_log(user=None, action=AuditAction.CREATE, obj=inbound, detail={"unmatched": True})
    return InboundResult(inbound, reply)


def _sms_opt_out(client: Client, inbound: InboundMessage) -> None:
    now = timezone.now()
    if client.sms_opted_out_at is None:
        Client.objects.filter(pk=client.pk).update(sms_opted_out_at=now)
    cancelled = MESSAGE_STATES.move_all(
        ScheduledMessage.objects.filter(client=client, channel=Channel.SMS),
        MessageStatus.CANCELLED,
        also={
            "status_reason": SkipReason.OPTED_OUT_CHANNEL,
            "status_detail": "Client texted STOP.",
            "updated_at": now,
        },
    )
    audit_log(
        user=None,
        action=AuditAction.CHANGE,
        client=client,
        obj=client,
        changed_fields=["sms_opted_out_at"],
        detail={"via": "sms", "keyword": inbound.body.strip()[:20], "cancelled_messages": cancelled},
    )


def _reply_task(client: Client, inbound: InboundMessage) -> None:

    last_sent = (
        ScheduledMessage.objects.filter(
            client=client, channel=Channel.SMS, status__in=[MessageStatus.SENT, MessageStatus.DELIVERED]
        )
        .order_by("-sent_at", "-id")
        .first()
    )
    name = client.preferred_name or client.legal_first_name
    if inbound.risk_words:
        title = f"Urgent: reply from {name} with risk words"
        detail = f"Risk words: {', '.join(inbound.risk_words)}\n\n{inbound.body}"
    else:
        title = f"Reply from {name}"
        detail = inbound.body
    if last_sent is not None:
        detail += (
            f"\n\n(In reply to: {last_sent.get_source_kind_display().lower()}, {last_sent.template_key})"
        )
    task = task_create(
        kind=TaskKind.CLIENT_REPLY,
        title=title,
        detail=detail,
        acting_user=None,
        client=client,
        priority=TaskPriority.URGENT,
        due_at=timezone.now(),
        source=inbound,
        dedupe_key=f"inbound-{inbound.pk}",
        **access.task_owner(client),
    )
    InboundMessage.objects.filter(pk=inbound.pk).update(task=task, in_reply_to=last_sent)
    inbound.task, inbound.in_reply_to = task, last_sent
    audit_log(user=None, action=AuditAction.CREATE, client=client, obj=inbound, detail={"kind": inbound.kind})


# --- Client reminders ------------------------------------------------------------------------------

_RRULE_FREQ = {
    Recurrence.DAILY: rrule.DAILY,
    Recurrence.WEEKLY: rrule.WEEKLY,
    Recurrence.MONTHLY: rrule.MONTHLY,
}


@transaction.atomic
def reminder_create(*, client: Client, acting_user: User, data: dict) -> ClientReminder:
    """A reminder the client asked for. ``first_at`` is aware (entered in the client's zone);
    the next week of occurrences is scheduled at once."""
    first_at = data["first_at"]
    recurrence = data.get("recurrence") or Recurrence.ONCE
    until = data.get("until")
    if recurrence == Recurrence.ONCE and first_at <= timezone.now():
        raise DomainError("Pick a time in the future.", field="first_at")
    if until is not None and until < first_at.astimezone(client_time_zone(client)).date():
        raise DomainError("The last day cannot come before the first reminder.", field="until")
    if data.get("channel") not in (Channel.SMS, Channel.EMAIL):
        raise DomainError("Choose text message or email.", field="channel")
    if data["channel"] == Channel.SMS and (problem := text_refusal(client)):
        raise DomainError(problem, field="channel")
    medication = data.get("medication")
    if medication is not None:
        # A medication reminder may name one of this client's current medications, nothing else.
        if data["kind"] != ReminderKind.MEDICATION:
            raise DomainError(_("Only a medication reminder names a medication."), field="medication")
        if medication.client_id != client.pk or medication.status != MedicationStatus.ACTIVE:
            raise DomainError(_("Pick one of this client's current medications."), field="medication")
    reminder = ClientReminder(
        client=client,
        kind=data["kind"],
        label=data["label"].strip(),
        channel=data["channel"],
        first_at=first_at,
        recurrence=recurrence,
        until=until if recurrence != Recurrence.ONCE else None,
        medication=medication,
        created_by=acting_user,
    )
    reminder.full_clean()
    reminder.save()
    audit_log(user=acting_user, action=AuditAction.CREATE, client=client, obj=reminder)
    client_reminders_expand(reminder=reminder)
    return reminder


@transaction.atomic
def reminder_stop(*, reminder: ClientReminder, acting_user: User, reason: str = "") -> ClientReminder:
    """Stop a reminder: nothing more is scheduled and what is pending is cancelled."""
    reminder = ClientReminder.objects.select_for_update().get(pk=reminder.pk)
    if reminder.stopped_at is not None:
        raise DomainError("This reminder is already stopped.")
    reminder.stopped_at = timezone.now()
    reminder.stopped_reason = (reason or "Stopped by staff")[:200]
    reminder.save(update_fields=["stopped_at", "stopped_reason"])
    messages_cancel_for_source(
        source=reminder,
        acting_user=acting_user,
        reason=SkipReason.SOURCE_CANCELLED,
        detail="Reminder stopped.",
    )
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=reminder.client_id,
        obj=reminder,
        changed_fields=["stopped_at", "stopped_reason"],
        reason=reason,
    )
    return reminder


def reminder_occurrences(reminder: ClientReminder, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Occurrences in [start, end), computed in the client's wall-clock time so a 9:00 reminder stays
    at 9:00 across daylight-saving changes."""
    tz = client_time_zone(reminder.client)
    first_local = reminder.first_at.astimezone(tz).replace(tzinfo=None)
    if reminder.recurrence == Recurrence.ONCE:
        naive = [first_local]
    else:
        until = dt.datetime.combine(reminder.until, dt.time.max) if reminder.until else None
        rule = rrule.rrule(_RRULE_FREQ[reminder.recurrence], dtstart=first_local, until=until)
        start_local = start.astimezone(tz).replace(tzinfo=None) - dt.timedelta(days=1)
        end_local = end.astimezone(tz).replace(tzinfo=None) + dt.timedelta(days=1)
        naive = rule.between(start_local, end_local, inc=True)
    out = []
    for local in naive:
        aware = local.replace(tzinfo=tz).astimezone(dt.UTC)
        if start <= aware < end:
            out.append(aware)
    return out


def client_reminders_expand(*, now: dt.datetime | None = None, reminder: ClientReminder | None = None) -> int:
    """Schedule the next ``OUTREACH_REMINDER_HORIZON_DAYS`` of every active reminder (idempotent)."""
    now = now or timezone.now()
    end = now + dt.timedelta(days=settings.OUTREACH_REMINDER_HORIZON_DAYS)
    reminders = (
        [reminder]
        if reminder is not None
        else ClientReminder.objects.filter(stopped_at__isnull=True, client__archived_at__isnull=True)
        .exclude(client__status="discharged")
        .select_related("client")
    )
    scheduled = 0
    for r in reminders:
        for occurrence in reminder_occurrences(r, now, end):
            local = occurrence.astimezone(client_time_zone(r.client)).replace(tzinfo=None)
            message_schedule(
                client=r.client,
                template_key="client-reminder",
                due_at=occurrence,
                source_kind=SourceKind.CLIENT_REMINDER,
                idempotency_key=f"reminder-{r.pk}-{local.isoformat(timespec='minutes')}",
                channel=r.channel,
                source=r,
                context={"label": r.label, "kind": r.kind},
                acting_user=None,
            )
            scheduled += 1
    return scheduled


# --- Appointment reminders ---------------------------------------------------------------------------


def appointment_reminders_schedule(*, now: dt.datetime | None = None, horizon_hours: int = 48) -> int:
    """Schedule reminders for booked appointments in the next ``horizon_hours`` (idempotent: the key
    carries the appointment, the offset and its start time, so a rescheduled time gets new ones)."""
    now = now or timezone.now()
    appointments = (
        Appointment.objects.filter(
            status=AppointmentStatus.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=now + dt.timedelta(hours=horizon_hours),
            client__archived_at__isnull=True,
        )
        .exclude(client__status="discharged")
        .select_related("client")
    )
    offsets = settings.OUTREACH_APPOINTMENT_REMINDER_HOURS
    scheduled = 0
    for appointment in appointments:
        client = appointment.client
        channel = default_channel(client)
        for hours in offsets.get(channel, [24]):
            due_at = appointment.starts_at - dt.timedelta(hours=hours)
            if due_at < now - dt.timedelta(minutes=30):
                continue  # booked after this reminder would have gone: a later offset covers it
            message_schedule(
                client=client,
                template_key="appointment-reminder",
                due_at=max(due_at, now),
                source_kind=SourceKind.APPOINTMENT,
                idempotency_key=f"appt-{appointment.pk}-{hours}h-{appointment.starts_at.isoformat()}",
                channel=channel,
                source=appointment,
                context={"starts_at": appointment.starts_at.isoformat(), "location": appointment.location},
            )
            scheduled += 1
    return scheduled


def message_delivery_report(*, provider_message_id: str, status: str, error_code: str = "") -> None:
    """The provider says a sent message was delivered, or finally was not (then the team gets a task)."""
    if not provider_message_id:
        return
    message = (
        ScheduledMessage.objects.filter(provider_message_id=provider_message_id, status=MessageStatus.SENT)
        .select_related("client")
        .first()
    )
    if message is None:
        return
    now = timezone.now()
    if status == "delivered":
        MESSAGE_STATES.move(
            message, MessageStatus.DELIVERED, also={"delivered_at": now, "updated_at": now}, quiet=True
        )
    elif status in ("undelivered", "failed"):
        error = f"Provider reported {status}" + (f" (error {error_code})" if error_code else "")
        with transaction.atomic():
            task = message_failure_task(
                message, title=f"A message to {message.client.display_name} was not delivered", error=error
            )
            MESSAGE_STATES.move(
                message,
                MessageStatus.FAILED,
                also={"last_error": error, "task": task, "updated_at": now},
                quiet=True,
            )
