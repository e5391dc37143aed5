"""The status tables of appointments and session notes: every move each may make, and why.

Written down from what ``clients.encounters.services`` does, so a new code path cannot invent a
move — a signed note put back to draft could be rewritten after the fact.

Appointments (``appointment_set_status``, ``appointment_reschedule``):

- scheduled → attended | no-show: attendance, recorded once the appointment has started (a session at
  1 pm is not "attended" at 9:20, and not a no-show either until the client has had the chance to come).
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

import datetime as dt

from django.utils import dateformat, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from careteam.statemachine import StateMachine
from careteam.timezones import user_local_date, user_time_zone, user_today
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


def appointment_move_refusal(
    *,
    current: str,
    to: str,
    starts_at: dt.datetime,
    status_changed_at: dt.datetime | None,
    has_note: bool,
    user,
    now: dt.datetime | None = None,
) -> str:
    """Why a move the table allows is still refused, or "" when it may be made: the rules the service
    adds on top of ``APPOINTMENT_STATES`` (attendance not before the appointment starts; a correction
    only on the day it was recorded, in the user's time zone, and never to no-show once a note is
    written on it).

    ``services._move`` refuses with this message and the pages offer only the moves it leaves, so the
    buttons and the service cannot disagree. Pure: the caller passes ``has_note``.
    """
    now = now or timezone.now()
    today = user_today(user, now=now)
    if to in (A.ATTENDED, A.NO_SHOW) and now < starts_at:
        local = starts_at.astimezone(user_time_zone(user))
        return gettext(
            "This appointment starts %(day)s at %(time)s; attendance is recorded once it has started."
        ) % {"day": dateformat.format(local, "D M j"), "time": dateformat.format(local, "g:i A")}
    if (current, to) in CORRECTIONS:
        if status_changed_at is None or user_local_date(user, status_changed_at) != today:
            return gettext("Attendance can only be corrected on the day it was recorded.")
        if to == A.NO_SHOW and has_note:
            return gettext("A session note is written on this appointment; it was attended.")
    return ""


def appointment_moves_offered(appointment, user, *, now: dt.datetime | None = None) -> frozenset[str]:
    """The statuses the pages offer to move ``appointment`` to: the table's targets the service would
    not refuse. Reads ``has_note`` from the row's annotation (the selectors add it); a row without it
    is taken to have a note, so no correction to no-show is offered on a guess."""
    return frozenset(
        to
        for to in APPOINTMENT_STATES.targets(appointment.status)
        if not appointment_move_refusal(
            current=appointment.status,
            to=to,
            starts_at=appointment.starts_at,
            status_changed_at=appointment.status_changed_at,
            has_note=getattr(appointment, "has_note", True),
            user=user,
            now=now,
        )
    )


NOTE_STATES = StateMachine(
    name=_("session note"),
    statuses=NoteStatus,
    moves={
        NoteStatus.DRAFT: frozenset({NoteStatus.SIGNED}),
        NoteStatus.SIGNED: frozenset(),
    },
)
