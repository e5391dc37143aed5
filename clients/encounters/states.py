"""The status tables of appointments and session notes: every move each may make, and why.

Written down from what ``clients.encounters.services`` does, so a new code path cannot invent a
move — a signed note put back to draft could be rewritten after the fact.

Appointments (``appointment_set_status``, ``appointment_reschedule``):

- scheduled → attended | no-show: attendance, recorded on or after the day of the appointment.
- scheduled → cancelled by client | cancelled by program: one click, with an optional reason.
- scheduled → rescheduled: only by booking the new time; the old row points at the new one.
- attended ↔ no-show: a mis-click fix. The table allows it; the service adds the rule that it is
  made on the day the status was recorded, and never to no-show once a note is written on it.

Cancelled and rescheduled are final: a new appointment is booked instead, so the history keeps both.

Session notes (``note_sign``): draft → signed, once, by the author. A signed note is locked for good
— corrections are addenda (``note_addendum_add``). Co-signing is not a status: a signed note that
needs a supervisor's co-signature carries ``requires_cosign`` and, once co-signed, ``cosigned_at``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from careteam.statemachine import StateMachine
from clients.models import AppointmentStatus, NoteStatus

A = AppointmentStatus

APPOINTMENT_STATES = StateMachine(
    name=_("appointment"),
    statuses=AppointmentStatus,
    moves={
        A.SCHEDULED: frozenset(
            {A.ATTENDED, A.NO_SHOW, A.CANCELLED_CLIENT, A.CANCELLED_PROGRAM, A.RESCHEDULED}
        ),
        A.ATTENDED: frozenset({A.NO_SHOW}),
        A.NO_SHOW: frozenset({A.ATTENDED}),
        A.CANCELLED_CLIENT: frozenset(),
        A.CANCELLED_PROGRAM: frozenset(),
        A.RESCHEDULED: frozenset(),
    },
    # The pages and the API have always said it this way (and "A appointment" would not read).
    refusal_text=_("An appointment that is %(current)s cannot be marked %(to)s."),
)
# The moves that correct a recorded attendance; the service allows them on the same day only.
CORRECTIONS = frozenset({(A.ATTENDED, A.NO_SHOW), (A.NO_SHOW, A.ATTENDED)})

NOTE_STATES = StateMachine(
    name=_("session note"),
    statuses=NoteStatus,
    moves={
        NoteStatus.DRAFT: frozenset({NoteStatus.SIGNED}),
        NoteStatus.SIGNED: frozenset(),
    },
)
