"""Celery tasks of the outbox: the beat tick, the per-message send, and the schedule builders.

Thin: they take ids, call ``dispatch`` or ``services``, and log. Nothing is queued with a
far-future ETA; the database holds every message until it falls due. The send tasks live in
``sending`` (so ``services`` can queue one without importing this module) and are re-exported here,
where Celery's autodiscovery and the beat schedule look for them.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction

from . import dispatch, sending, services
from .sending import send_message, send_messages

__all__ = [
    "dispatch_tick",
    "expand_client_reminders",
    "queue_due",
    "schedule_appointment_reminders",
    "send_message",
    "send_messages",
]

logger = logging.getLogger(__name__)


def queue_due() -> int:
    """Claim every due row (in batches) and queue it for sending, several rows per send task.

    Rows are queued only once their claim is committed, so a worker never sees a row unclaimed.
    A task carries ``OUTREACH_SEND_CHUNK`` ids: the broker round trip is paid once per chunk rather
    than once per message, and the compare-and-set in ``dispatch.send_one`` still guards each row.
    """
    queued = 0
    chunk = settings.OUTREACH_SEND_CHUNK
    for _ in range(settings.OUTREACH_MAX_BATCHES_PER_TICK):
        with transaction.atomic():
            ids = dispatch.claim_due(settings.OUTREACH_BATCH_SIZE)
            for start in range(0, len(ids), chunk):
                sending.send_chunk_after_commit(ids[start : start + chunk])
        queued += len(ids)
        if len(ids) < settings.OUTREACH_BATCH_SIZE:
            break
    return queued


@shared_task(name="outreach.tasks.dispatch_tick", ignore_result=True)
def dispatch_tick() -> int:
    """Every minute: return abandoned rows to pending, then queue a send for every due row."""
    dispatch.recover_stale()
    queued = queue_due()
    if queued:
        logger.info("outreach: queued %s message(s)", queued)
    return queued


@shared_task(name="outreach.tasks.schedule_appointment_reminders", ignore_result=True)
def schedule_appointment_reminders() -> int:
    return services.appointment_reminders_schedule()


@shared_task(name="outreach.tasks.expand_client_reminders", ignore_result=True)
def expand_client_reminders() -> int:
    return services.client_reminders_expand()
