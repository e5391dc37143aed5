"""The dispatcher: claim due rows, recover abandoned ones, send one message. Pure functions, no Celery.

Exactly-once hinges on two guards (healthchecks' ``sendalerts`` pattern):

1. ``claim_due`` takes due pending rows under ``SELECT … FOR UPDATE SKIP LOCKED`` and stamps
   ``claimed_at`` (the "queued" marker) in the same transaction, so two ticks never queue the same
   row twice (until the queue lease runs out, for a task the broker lost).
2. ``send_one`` moves the row pending → sending with a compare-and-set update; a worker that loses
   does nothing. Only the winner calls the provider.

Every status change goes through the outbox's status table (``states.MESSAGE_STATES``); the outcome
of a send is written only while the row is still ``sending``, so a worker whose row was recovered
meanwhile writes nothing.

A worker killed mid-send leaves the row in ``sending``; ``recover_stale`` puts it back to pending
once its lease is over, and the provider gets the same idempotency key again.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from careteam import access
from careteam.fields import COMMENT_MAX_LENGTH
from careteam.models import Task, TaskKind
from careteam.services import task_create

from . import rendering, rules, sources
from .backends import Outgoing, PermanentError, TransientError, get_backend
from .models import Channel, MessageStatus, ScheduledMessage
from .states import MESSAGE_STATES

logger = logging.getLogger(__name__)


def claim_due(batch: int | None = None, *, now: dt.datetime | None = None) -> list[int]:
    """Mark up to ``batch`` due pending rows as queued and return their ids (oldest first)."""
    now = now or timezone.now()
    batch = batch or settings.OUTREACH_BATCH_SIZE
    requeue_before = now - dt.timedelta(seconds=settings.OUTREACH_QUEUE_LEASE_SECONDS)
    with transaction.atomic():
        ids = list(
            ScheduledMessage.objects.filter(
                status__in=MESSAGE_STATES.sources(MessageStatus.SENDING), send_at__lte=now
            )
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=requeue_before))
            .order_by("send_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:batch]
        )
        if ids:
            ScheduledMessage.objects.filter(id__in=ids).update(claimed_at=now)
    return ids


def recover_stale(lease: int | None = None, *, now: dt.datetime | None = None) -> int:
    """Rows stuck in ``sending`` past the lease (their worker died) go back to pending, due now."""
    now = now or timezone.now()
    lease = settings.OUTREACH_LEASE_SECONDS if lease is None else lease
    cutoff = now - dt.timedelta(seconds=lease)
    recovered = MESSAGE_STATES.move_all(
        ScheduledMessage.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=cutoff),
        MessageStatus.PENDING,
        also={
            "claimed_at": None,
            "send_at": now,
            "last_error": "Recovered: the worker sending it stopped before finishing.",
            "updated_at": now,
        },
    )
    if recovered:
        logger.warning("outreach: recovered %s message(s) left in sending", recovered)
    return recovered


def backoff_seconds(attempts: int) -> int:
    """Retry n waits base * 2**(n-1), capped."""
    base = settings.OUTREACH_RETRY_BACKOFF_SECONDS
    return int(min(base * 2 ** max(attempts - 1, 0), settings.OUTREACH_RETRY_BACKOFF_MAX_SECONDS))


@dataclass(frozen=True)
class SendResult:
    outcome: str  # lost | sent | skipped | moved | retry | failed
    detail: str = ""


def message_failure_task(message: ScheduledMessage, *, title: str, error: str) -> Task:
    """The care team's task about a message that failed. Keyed on the send attempt (its claim time), so
    running the failure path twice makes one task, and a retried message that fails again makes a new one."""
    attempt = message.claimed_at.strftime("%Y%m%dT%H%M%S%f") if message.claimed_at else "unclaimed"
    return task_create(
        kind=TaskKind.MESSAGE_FAILED,
        title=title,
        detail=f"{message.get_channel_display()} ({message.template_key}): {error}",
        acting_user=None,
        team=message.client.primary_team,
        client=message.client,
        source=message,
        dedupe_key=f"msg-failed-{message.pk}-{attempt}",
    )


def _finish(message: ScheduledMessage, to: str, **fields) -> bool:
    """Write the outcome of a send, but only if we still hold the row (status sending)."""
    fields.setdefault("updated_at", timezone.now())
    return MESSAGE_STATES.move(message, to, also=fields, quiet=True)


def _fail(message: ScheduledMessage, error: str, now: dt.datetime) -> SendResult:
    if message.to_organization:  # the client is not the recipient: say whom it was for
        title = _("An email to %(organization)s about %(client)s could not be sent") % {
            "organization": message.to_name or message.to_address,
            "client": message.client.display_name,
        }
    else:
        title = _("A message to %(client)s could not be sent") % {"client": message.client.display_name}
    task = message_failure_task(message, title=title, error=error)
    _finish(message, MessageStatus.FAILED, last_error=error[:COMMENT_MAX_LENGTH], task=task, claimed_at=None)
    return SendResult("failed", error)


def _retry_or_fail(message: ScheduledMessage, error: str, now: dt.datetime) -> SendResult:
    """Back to pending after a backoff, or failed (with a task) once the attempts are used up."""
    if message.attempts >= settings.OUTREACH_MAX_ATTEMPTS:
        return _fail(message, f"Gave up after {message.attempts} attempts: {error}", now)
    _finish(
        message,
        MessageStatus.PENDING,
        send_at=now + dt.timedelta(seconds=backoff_seconds(message.attempts)),
        last_error=error[:COMMENT_MAX_LENGTH],
        claimed_at=None,
    )
    return SendResult("retry", error)


def _send_voice(message: ScheduledMessage, now: dt.datetime) -> SendResult:
    """A phone call is a task for the care team; the message counts as sent when the task exists."""
    subject, body, language = rendering.render_message(message)
    task = task_create(
        kind=TaskKind.CALL_CLIENT,
        title=f"Call {message.client.display_name}",
        detail=body,
        acting_user=None,
        client=message.client,
        due_at=message.due_at,
        source=message,
        dedupe_key=f"msg-call-{message.pk}",
        **access.task_owner(message.client),
    )
    _finish(
        message,
        MessageStatus.SENT,
        sent_at=now,
        provider="task",
        provider_message_id=str(task.pk),
        task=task,
        body=body,
        subject=subject,
        language=language,
    )
    return SendResult("sent")


def send_one(pk: int, *, now: dt.datetime | None = None) -> SendResult:
    """Send one message if it is still pending and due, applying the send-time rules first."""
    now = now or timezone.now()
    # The claim is a compare-and-set from the table's sources of "sending" (pending), in one UPDATE.
    claimed = MESSAGE_STATES.move_all(
        ScheduledMessage.objects.filter(pk=pk, send_at__lte=now),
        MessageStatus.SENDING,
        also={"claimed_at": now, "attempts": F("attempts") + 1, "updated_at": now},
    )
    if claimed != 1:
        return SendResult("lost")  # another worker got there first, or it was cancelled / moved
    message = ScheduledMessage.objects.select_related("client", "supportive_person", "signed_by").get(pk=pk)

    decision = rules.evaluate(message, now)
    if decision.skip:
        _finish(
            message,
            MessageStatus.SKIPPED,
            status_reason=decision.reason,
            status_detail=decision.detail[:300],
        )
        return SendResult("skipped", decision.reason)
    if decision.move_to is not None:
        # Quiet hours are not an attempt: back to pending at the allowed time.
        _finish(
            message,
            MessageStatus.PENDING,
            send_at=decision.move_to,
            status_detail=decision.detail[:300],
            attempts=F("attempts") - 1,
            claimed_at=None,
        )
        return SendResult("moved", decision.detail)

    try:
        if message.channel == Channel.VOICE:
            return _send_voice(message, now)
        subject, body, language = rendering.render_message(message)
        # The text as sent is kept before the hand-over, so a crash after it still shows what went
        # (with send-time-only values such as a partner's link left out: see outreach.sources).
        ScheduledMessage.objects.filter(pk=pk, status=MessageStatus.SENDING).update(
            subject=subject, body=body, language=language
        )
        if sources.private_keys(message):
            subject, body, language = rendering.render_message(message, reveal_private=True)
        backend = get_backend(message.channel)
        provider_id = backend.send(
            Outgoing(
                message_id=pk,
                channel=message.channel,
                to=rules.recipient_address(message),
                subject=subject,
                body=body,
                idempotency_key=message.idempotency_key,
            )
        )
    except TransientError as exc:
        return _retry_or_fail(message, str(exc) or exc.__class__.__name__, now)
    except PermanentError as exc:
        return _fail(message, str(exc), now)
    except Exception as exc:  # an unexpected bug: retry like a transient error, but log it loudly
        logger.exception("outreach: sending message %s failed", pk)
        return _retry_or_fail(message, f"{exc.__class__.__name__}: {exc}", now)

    _finish(
        message,
        MessageStatus.SENT,
        sent_at=timezone.now(),
        provider=getattr(backend, "name", "")[:20],
        provider_message_id=str(provider_id)[:100],
        last_error="",
        status_detail="",
    )
    return SendResult("sent")
