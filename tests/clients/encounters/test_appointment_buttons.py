"""The appointment rows offer exactly the moves the status table and the service allow.

The buttons are worked out from ``APPOINTMENT_STATES`` less what ``services._move`` refuses
(``states.appointment_move_refusal``), so a change to either shows on the page; these tests walk
every status and press every button the page offers.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from careteam.errors import DomainError
from careteam.timezones import user_time_zone
from clients.encounters import services
from clients.encounters.states import APPOINTMENT_STATES
from clients.models import AppointmentStatus
from tests.conftest import login
from tests.factories import AppointmentFactory, EncounterNoteFactory

S = AppointmentStatus
ATTENDANCE = (S.ATTENDED, S.NO_SHOW)


@pytest.fixture
def midday(counselor):
    """Noon where the counselor is, so "today" is the same day whichever way an hour goes."""
    noon = dt.datetime(2031, 3, 12, 12, 0, tzinfo=user_time_zone(counselor))
    with time_machine.travel(noon, tick=False):
        yield noon


def _row(alice, counselor, appointment) -> str:
    page = login(counselor).get(reverse("clients:encounters:tab", args=[alice.pk])).content.decode()
    start = page.index(f'id="appt-tab-{appointment.pk}"')
    return page[start : page.index("</tr>", start)]


def _offered(row: str, appointment) -> set[str]:
    offered = {to for to in ATTENDANCE if f'name="status" value="{to}"' in row}
    if (
        reverse("clients:encounters:appointment-reschedule", args=[appointment.client_id, appointment.pk])
        in row
    ):
        offered.add(S.RESCHEDULED)
    if reverse("clients:encounters:appointment-cancel", args=[appointment.client_id, appointment.pk]) in row:
        offered |= {S.CANCELLED_CLIENT, S.CANCELLED_PROGRAM}
    return offered


@pytest.mark.parametrize("status", S.values)
def test_a_row_of_today_recorded_today_offers_exactly_the_tables_moves(status, alice, counselor, midday):
    """GIVEN an appointment this morning in ``status``, recorded today, with no note
    WHEN her counselor opens the Appointments tab
    THEN its row offers exactly ``APPOINTMENT_STATES.targets(status)`` (the same-day correction
    included): nothing the table forbids, nothing it allows left out."""
    appointment = AppointmentFactory(
        client=alice,
        staff=counselor,
        starts_at=midday - dt.timedelta(hours=2),
        status=status,
        status_changed_at=midday - dt.timedelta(hours=1),
    )
    assert _offered(_row(alice, counselor, appointment), appointment) == set(
        APPOINTMENT_STATES.targets(status)
    )


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("to", ATTENDANCE)
@pytest.mark.parametrize(
    "when",
    ["today, recorded today", "today, recorded yesterday", "tomorrow", "with a note"],
)
def test_every_attendance_button_offered_is_one_the_service_accepts(
    status, to, when, alice, counselor, midday
):
    """GIVEN an appointment in any status, on any day, with or without a note
    WHEN the tab offers (or does not offer) an attendance button
    THEN pressing it succeeds exactly when it was offered: the page and ``services._move`` agree."""
    starts_at = midday + dt.timedelta(days=1) if when == "tomorrow" else midday - dt.timedelta(hours=2)
    changed = midday - dt.timedelta(days=1) if when == "today, recorded yesterday" else midday
    appointment = AppointmentFactory(
        client=alice, staff=counselor, starts_at=starts_at, status=status, status_changed_at=changed
    )
    if when == "with a note":
        EncounterNoteFactory(client=alice, author=counselor, appointment=appointment)

    offered = to in _offered(_row(alice, counselor, appointment), appointment)

    try:
        services.appointment_set_status(appointment=appointment, status=to, acting_user=counselor)
    except DomainError:
        accepted = False
    else:
        accepted = True
    assert offered is accepted


def test_the_row_swapped_in_after_a_click_offers_the_same_day_correction(alice, counselor, midday):
    """GIVEN a scheduled appointment this morning WHEN it is marked attended from Today (htmx)
    THEN the new row shows it attended and offers the one correction the service allows today."""
    appointment = AppointmentFactory(client=alice, staff=counselor, starts_at=midday - dt.timedelta(hours=1))
    url = reverse("clients:encounters:appointment-status", args=[alice.pk, appointment.pk])

    row = login(counselor).post(url, {"status": "attended", "row": "today"}, HTTP_HX_REQUEST="true")

    html = row.content.decode()
    assert 'name="status" value="no_show"' in html and 'name="status" value="attended"' not in html
