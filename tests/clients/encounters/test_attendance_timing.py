"""Attendance is recorded once the appointment has started, and a same-day slip is corrected with a
labelled "Correct" button (issue 18: "one click, no confirm, no undo").

The rule has one source (``states.appointment_move_refusal``), so the chart tab, the Today page's
one-click buttons and the API refuse alike.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from careteam.timezones import user_time_zone
from clients.models import AppointmentStatus
from tests.conftest import api_login, login
from tests.factories import AppointmentFactory

S = AppointmentStatus
TODAY = reverse("workspace:today")


@pytest.fixture
def morning(counselor):
    """9:20 where the counselor is."""
    at = dt.datetime(2031, 3, 12, 9, 20, tzinfo=user_time_zone(counselor))
    with time_machine.travel(at, tick=False):
        yield at


@pytest.fixture
def at_one(alice, counselor, morning):
    """Alice's session at 1 pm today."""
    return AppointmentFactory(client=alice, staff=counselor, starts_at=morning.replace(hour=13, minute=0))


def _status_url(appointment) -> str:
    return reverse("clients:encounters:appointment-status", args=[appointment.client_id, appointment.pk])


def test_the_page_refuses_attended_at_9_20_for_a_1_pm_appointment(alice, counselor, at_one):
    """GIVEN Alice's session at 1 pm WHEN her counselor posts "attended" at 9:20
    THEN it stays scheduled and the message says when attendance may be recorded."""
    response = login(counselor).post(_status_url(at_one), {"status": "attended"}, follow=True)

    at_one.refresh_from_db()
    assert at_one.status == S.SCHEDULED
    html = response.content.decode()
    assert "1:00 PM" in html and "once it has started" in html


@pytest.mark.parametrize("to", [S.ATTENDED, S.NO_SHOW])
def test_the_today_one_click_refuses_before_the_start_and_offers_no_button(to, alice, counselor, at_one):
    http = login(counselor)
    page = http.get(TODAY).content.decode()
    assert alice.display_name in page and _status_url(at_one) not in page
    assert "from 1:00 PM" in page

    row = http.post(_status_url(at_one), {"status": to, "row": "today"}, HTTP_HX_REQUEST="true")

    at_one.refresh_from_db()
    assert at_one.status == S.SCHEDULED
    assert "once it has started" in row.content.decode()


def test_the_api_refuses_attendance_before_the_start(alice, counselor, at_one):
    response = api_login(counselor).post(
        f"/api/v1/appointments/{at_one.pk}/status/", {"status": "attended"}, format="json"
    )

    assert response.status_code == 400 and "once it has started" in response.json()["status"][0]
    at_one.refresh_from_db()
    assert at_one.status == S.SCHEDULED


def test_attendance_is_recorded_once_the_appointment_has_started(alice, counselor, at_one, morning):
    with time_machine.travel(morning.replace(hour=13, minute=5), tick=False):
        login(counselor).post(_status_url(at_one), {"status": "attended"})

    at_one.refresh_from_db()
    assert at_one.status == S.ATTENDED


def _tab_row(alice, counselor, appointment) -> str:
    page = login(counselor).get(reverse("clients:encounters:tab", args=[alice.pk])).content.decode()
    start = page.index(f'id="appt-tab-{appointment.pk}"')
    return page[start : page.index("</tr>", start)]


def test_a_same_day_slip_gets_a_correct_button_that_swaps_attended_and_no_show(
    alice, counselor, at_one, morning
):
    """GIVEN a session marked no-show by mistake this afternoon
    WHEN the counselor opens the tab THEN the row offers "Correct to attended", and pressing it
    records the session attended; the row then offers the way back."""
    with time_machine.travel(morning.replace(hour=13, minute=20), tick=False):
        http = login(counselor)
        http.post(_status_url(at_one), {"status": "no_show"})
        row = _tab_row(alice, counselor, at_one)
        assert "Correct to attended" in row and 'value="attended"' in row

        swapped = http.post(
            _status_url(at_one), {"status": "attended", "row": "tab"}, HTTP_HX_REQUEST="true"
        ).content.decode()

    at_one.refresh_from_db()
    assert at_one.status == S.ATTENDED
    assert "Correct to no-show" in swapped


def test_no_correct_button_once_the_day_it_was_recorded_has_passed(alice, counselor, at_one, morning):
    with time_machine.travel(morning.replace(hour=13, minute=20), tick=False):
        login(counselor).post(_status_url(at_one), {"status": "no_show"})
    with time_machine.travel(morning + dt.timedelta(days=1), tick=False):
        row = _tab_row(alice, counselor, at_one)
    assert "Correct to" not in row
