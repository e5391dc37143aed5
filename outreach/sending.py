"""The send tasks, and the one way to queue a message for sending once the transaction commits.

They live apart from ``tasks`` so that ``services`` can queue a send (a message staff wrote goes at
once) without importing ``tasks``, which calls ``services``: the imports point one way —
``tasks`` → ``sending`` → ``dispatch``, and ``services`` → ``sending``. The tasks keep their names
under ``outreach.tasks`` so sends already waiting in the broker still find them.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from . import dispatch

logger = logging.getLogger(__name__)


@shared_task(name="outreach.tasks.send_message", ignore_result=True)
def send_message(pk: int) -> str:
    """Send one message now (a staff member's manual send); a no-op when another worker has it."""
    return _send(pk)


@shared_task(name="outreach.tasks.send_messages", ignore_result=True)
def send_messages(pks: list[int]) -> int:
    """Send a chunk of claimed messages one after the other; returns how many this worker sent."""
    return sum(_send(pk) == "sent" for pk in pks)


def _send(pk: int) -> str:
    result = dispatch.send_one(pk)
    if result.outcome not in ("lost", "sent"):
        logger.info("outreach: message %s %s %s", pk, result.outcome, result.detail)
    return result.outcome


def send_after_commit(pk: int) -> None:
    """Queue one message for sending when the current transaction commits (the claim still guards it)."""
    transaction.on_commit(lambda: send_message.delay(pk))


def send_chunk_after_commit(pks: list[int]) -> None:
    """Queue a chunk of claimed messages as one send task when the current transaction commits."""
    transaction.on_commit(lambda: send_messages.delay(pks))
