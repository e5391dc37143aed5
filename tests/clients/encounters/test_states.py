"""The appointment and session-note status tables, each walked pair by pair through the services that
move them: every legal move is made, every illegal one is refused with the table's message."""

import datetime as dt

import pytest
from django.utils import timezone

from careteam.errors import DomainError
from careteam.statemachine import StaleStateError
from clients.encounters import services
from clients.encounters.states import APPOINTMENT_STATES, CORRECTIONS, NOTE_STATES
from clients.models import AppointmentStatus, EncounterNote, NoteStatus
from tests.factories import AppointmentFactory, EncounterNoteFactory

A = AppointmentStatus
N = NoteStatus


def legal(machine):
    return [pair for pair in machine.all_pairs() if machine.can_move(*pair)]


def illegal(machine):
    return [pair for pair in machine.all_pairs() if not machine.can_move(*pair)]


# --- appointments -------------------------------------------------------------------------------


def move_appointment(appointment, to, user):
    """The service a person uses to make the move: rescheduling books a new time, the rest is a click."""
    if to == A.RESCHEDULED:
        return services.appointment_reschedule(
            appointment=appointment, starts_at=timezone.now() + dt.timedelta(days=3), acting_user=user
        )
    return services.appointment_set_status(appointment=appointment, status=to, acting_user=user)


def test_an_appointment_leaves_scheduled_once_and_only_attendance_may_be_corrected():
    assert {a: set(APPOINTMENT_STATES.targets(a)) for a in A.values} == {
        A.SCHEDULED: {A.ATTENDED, A.NO_SHOW, A.CANCELLED_CLIENT, A.CANCELLED_PROGRAM, A.RESCHEDULED},
        A.ATTENDED: {A.NO_SHOW},
        A.NO_SHOW: {A.ATTENDED},
        A.CANCELLED_CLIENT: set(),
        A.CANCELLED_PROGRAM: set(),
        A.RESCHEDULED: set(),
    }
    assert all(APPOINTMENT_STATES.can_move(*pair) for pair in CORRECTIONS)


@pytest.mark.parametrize(("start", "to"), legal(APPOINTMENT_STATES))
def test_every_legal_appointment_move_is_made(start, to, alice, counselor):
    """GIVEN an appointment that started an hour ago, its status recorded just now (so attendance
    may be recorded and corrected today) WHEN the move is made through the service THEN it is."""
    appointment = AppointmentFactory(
        client=alice,
        staff=counselor,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        status=start,
        status_changed_at=timezone.now(),
    )

    move_appointment(appointment, to, counselor)

    appointment.refresh_from_db()
    assert appointment.status == to and appointment.status_changed_by == counselor


@pytest.mark.parametrize(("start", "to"), illegal(APPOINTMENT_STATES))
def test_every_illegal_appointment_move_is_refused_and_nothing_changes(start, to, alice, counselor):
    appointment = AppointmentFactory(
        client=alice,
        staff=counselor,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        status=start,
        status_changed_at=timezone.now(),
    )

    with pytest.raises(DomainError) as exc:
        move_appointment(appointment, to, counselor)

    assert (exc.value.message, exc.value.field) == (APPOINTMENT_STATES.refusal(start, to), "status")
    appointment.refresh_from_db()
    assert appointment.status == start


def test_a_correction_the_table_allows_is_still_refused_on_a_later_day(alice, counselor):
    """The same-day rule is the service's, on top of the table."""
    appointment = AppointmentFactory(
        client=alice,
        staff=counselor,
        starts_at=timezone.now() - dt.timedelta(days=3),
        status=A.ATTENDED,
        status_changed_at=timezone.now() - dt.timedelta(days=2),
    )

    with pytest.raises(DomainError, match="on the day it was recorded"):
        services.appointment_mark_no_show(appointment=appointment, acting_user=counselor)


# --- session notes ------------------------------------------------------------------------------


def test_a_note_is_signed_once_and_never_goes_back_to_draft():
    assert {a: set(NOTE_STATES.targets(a)) for a in N.values} == {N.DRAFT: {N.SIGNED}, N.SIGNED: set()}
    assert NOTE_STATES.terminal == {N.SIGNED}


@pytest.mark.parametrize(("start", "to"), legal(NOTE_STATES))
def test_every_legal_note_move_is_made_by_signing(start, to, alice, counselor):
    note = EncounterNoteFactory(client=alice, author=counselor, signed=start == N.SIGNED)

    services.note_sign(note=note, acting_user=counselor)

    note.refresh_from_db()
    assert note.status == to and note.signed_by == counselor and note.is_locked


@pytest.mark.parametrize(("start", "to"), illegal(NOTE_STATES))
def test_every_illegal_note_move_is_refused_and_nothing_changes(start, to, alice, counselor):
    """No service takes a note back to draft; the machine the services move notes with refuses it."""
    note = EncounterNoteFactory(client=alice, author=counselor, signed=start == N.SIGNED)

    with pytest.raises(DomainError) as exc:
        NOTE_STATES.move(note, to)

    assert exc.value.message == NOTE_STATES.refusal(start, to)
    note.refresh_from_db()
    assert note.status == start


def test_signing_a_signed_note_again_is_refused(alice, counselor):
    note = EncounterNoteFactory(client=alice, author=counselor, signed=True)

    with pytest.raises(DomainError, match="signed and locked"):
        services.note_sign(note=note, acting_user=counselor)


def test_a_note_signed_from_a_stale_read_is_refused(alice, counselor):
    note = EncounterNoteFactory(client=alice, author=counselor)
    stale = EncounterNote.objects.get(pk=note.pk)
    services.note_sign(note=note, acting_user=counselor)

    with pytest.raises(StaleStateError):
        NOTE_STATES.move(stale, N.SIGNED)
