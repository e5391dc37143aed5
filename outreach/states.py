"""The status table of an outbox message: every move a ``ScheduledMessage`` may make, and why.

Written down from what the outbox does (``services``, ``dispatch``, the provider's status callback),
so a new code path cannot invent a move — a sent message put back to pending would be sent twice:

- pending → sending: a worker claims the row to send it (``dispatch.send_one``). Always a
  compare-and-set: the worker that loses the race does nothing.
- pending → cancelled: staff cancel it on the Messages tab, what scheduled it is stopped or
  cancelled (a caring-contact plan, a reminder, a referral, an appointment), or the client texts STOP.
- sending → sent: the provider took it (or, for a phone call, the call task exists).
- sending → skipped: a send-time rule said no (opt-out, no consent, discharged, source cancelled…).
- sending → failed: a permanent provider error, or the last retry failed; the care team gets a task.
- sending → pending: back in the queue — a retry after a transient error, quiet hours moved it
  later, or its worker died and the lease ran out (``dispatch.recover_stale``).
- sent → delivered: the provider reports delivery.
- sent → failed: the provider reports it finally was not delivered; the care team gets a task.
- failed → pending: staff retry it (admin), attempts start again.

Cancelled, skipped and delivered are final. Rows being sent cannot be cancelled (the send-time check
of the source catches a stop that races the send), and nothing is ever sent again once it was sent.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from careteam.statemachine import StateMachine

from .models import MessageStatus

MESSAGE_STATES = StateMachine(
    name=_("message"),
    statuses=MessageStatus,
    moves={
        MessageStatus.PENDING: frozenset({MessageStatus.SENDING, MessageStatus.CANCELLED}),
        MessageStatus.SENDING: frozenset(
            {MessageStatus.SENT, MessageStatus.SKIPPED, MessageStatus.FAILED, MessageStatus.PENDING}
        ),
        MessageStatus.SENT: frozenset({MessageStatus.DELIVERED, MessageStatus.FAILED}),
        MessageStatus.FAILED: frozenset({MessageStatus.PENDING}),
        MessageStatus.DELIVERED: frozenset(),
        MessageStatus.CANCELLED: frozenset(),
        MessageStatus.SKIPPED: frozenset(),
    },
)
