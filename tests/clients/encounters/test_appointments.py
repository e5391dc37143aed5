"""Appointments: the status table, double booking, booking forms, time zones and attendance."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careteam.errors import DomainError
from careteam.models import AuditAction, AuditEvent
from clients.encounters import services
from clients.encounters.services import DoubleBookingError
from clients.encounters.states import APPOINTMENT_STATES
from clients.models import Appointment, AppointmentStatus
from tests.conftest import login
from tests.factories import AppointmentFactory, ClientFactory, EncounterNoteFactory, assign

S = AppointmentStatus
LA = zoneinfo.ZoneInfo("America/Los_Angeles")


def tab_url(client):
    return reverse("clients:encounters:tab", args=[client.pk])


def create_url(client):
    return reverse("clients:encounters:appointment-create", args=[client.pk])


def status_url(appointment):
    return reverse("clients:encounters:appointment-status", args=[appointment.client_id, appointment.pk])


def booking(staff, **changes) -> dict:
    return {
        "staff": staff.pk,
        "kind": "individual",
        "starts_at": "2031-03-10T10:00",
        "duration_minutes": "50",
        "location": "Room 2",
        "telehealth_url": "",
        "notes": "",
        **changes,
    }


# --- the status table -----------------------------------------------------------------------


LEGAL = [(S.SCHEDULED, to) for to in (S.ATTENDED, S.NO_SHOW, S.CANCELLED_CLIENT, S.CANCELLED_PROGRAM)]
ILLEGAL = [
    (frm, to)
    for frm in (S.CANCELLED_CLIENT, S.CANCELLED_PROGRAM, S.RESCHEDULED)
    for to in (S.ATTENDED, S.NO_SHOW, S.CANCELLED_CLIENT, S.CANCELLED_PROGRAM)
] + [(S.ATTENDED, S.CANCELLED_CLIENT), (S.NO_SHOW, S.CANCELLED_PROGRAM)]


@pytest.mark.parametrize(("frm", "to"), LEGAL)
def test_it_allows_every_move_out_of_scheduled(alice, counselor, frm, to):
    appointment = AppointmentFactory(client=alice, staff=counselor, starts_at=timezone.now(), status=frm)

    moved = services.appointment_set_status(appointment=appointment, status=to, acting_user=counselor)

    assert moved.status == to and moved.status_changed_by == counselor
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_type="clients.appointment", object_id=str(appointment.pk)
    ).exists()


@pytest.mark.parametrize(("frm", "to"), ILLEGAL)
def test_it_refuses_moves_out_of_terminal_states(alice, counselor, frm, to):
    appointment = AppointmentFactory(
        client=alice, staff=counselor, starts_at=timezone.now(), status=frm, status_changed_at=timezone.now()
    )

    with pytest.raises(DomainError, match="cannot be marked"):
        services.appointment_set_status(appointment=appointment, status=to, acting_user=counselor)

    appointment.refresh_from_db()
    assert appointment.status == frm


def test_the_table_has_no_exits_from_cancelled_or_rescheduled():
    assert {S.CANCELLED_CLIENT, S.CANCELLED_PROGRAM, S.RESCHEDULED} == APPOINTMENT_STATES.terminal


def test_attended_and_no_show_may_be_swapped_on_the_same_day_only(alice, counselor):
    appointment = AppointmentFactory(client=alice, staff=counselor, starts_at=timezone.now())
    services.appointment_mark_no_show(appointment=appointment, acting_user=counselor)

    fixed = services.appointment_mark_attended(appointment=appointment, acting_user=counselor)
    assert fixed.status == S.ATTENDED

    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=2)),
        pytest.raises(DomainError, match="on the day it was recorded"),
    ):
        services.appointment_mark_no_show(appointment=appointment, acting_user=counselor)


def test_it_refuses_a_no_show_on_an_appointment_with_a_note(alice, counselor, attended):
    EncounterNoteFactory(client=alice, author=counselor, appointment=attended)

    with pytest.raises(DomainError, match="note"):
        services.appointment_mark_no_show(appointment=attended, acting_user=counselor)


def test_it_refuses_attendance_for_a_future_day(alice, counselor, scheduled):
    with pytest.raises(DomainError, match="once it has started"):
        services.appointment_mark_attended(appointment=scheduled, acting_user=counselor)


def test_rescheduling_books_the_new_time_and_links_the_old_one(alice, counselor, scheduled):
    new_start = scheduled.starts_at + dt.timedelta(days=1)

    new = services.appointment_reschedule(appointment=scheduled, starts_at=new_start, acting_user=counselor)

    scheduled.refresh_from_db()
    assert scheduled.status == S.RESCHEDULED and scheduled.rescheduled_to == new
    assert new.status == S.SCHEDULED and new.starts_at == new_start and new.location == scheduled.location


def test_cancelling_records_who_cancelled(alice, counselor, scheduled):
    services.appointment_cancel(appointment=scheduled, by_client=False, acting_user=counselor, reason="snow")

    scheduled.refresh_from_db()
    assert scheduled.status == S.CANCELLED_PROGRAM
    assert AuditEvent.objects.filter(object_id=str(scheduled.pk), reason="snow").exists()


# --- double booking ---------------------------------------------------------------------------


def test_a_double_booking_is_refused_until_explicitly_allowed(alice, counselor, scheduled):
    """GIVEN a 50-minute session WHEN another starts 30 minutes into it THEN the service refuses,
    naming the clash, and books it only when the double booking is allowed."""
    overlap = scheduled.starts_at + dt.timedelta(minutes=30)
    kwargs = {"client": alice, "staff": counselor, "kind": "individual", "duration_minutes": 50}

    with pytest.raises(DoubleBookingError) as refused:
        services.appointment_schedule(starts_at=overlap, location="Room 3", acting_user=counselor, **kwargs)
    assert refused.value.clashes == [scheduled]

    booked = services.appointment_schedule(
        starts_at=overlap, location="Room 3", acting_user=counselor, allow_double_booking=True, **kwargs
    )
    assert booked.pk and Appointment.objects.filter(staff=counselor).count() == 2


def test_back_to_back_appointments_do_not_clash(alice, counselor, scheduled):
    services.appointment_schedule(
        client=alice,
        staff=counselor,
        kind="individual",
        starts_at=scheduled.ends_at,
        duration_minutes=50,
        location="Room 2",
        acting_user=counselor,
    )


def test_the_form_warns_of_a_double_booking_then_books_with_the_tick(alice, counselor):
    counselor.time_zone = "America/New_York"
    counselor.save()
    http = login(counselor)
    first = http.post(create_url(alice), booking(counselor))
    assert first.status_code == 302

    warned = http.post(create_url(alice), booking(counselor, starts_at="2031-03-10T10:30"))
    html = warned.content.decode()
    assert warned.status_code == 400
    assert "Double booking" in html and "already booked" in html and 'name="book_anyway"' in html
    assert Appointment.objects.count() == 1

    booked = http.post(create_url(alice), booking(counselor, starts_at="2031-03-10T10:30", book_anyway="on"))
    assert booked.status_code == 302 and Appointment.objects.count() == 2


# --- forms: bad input, time zones ---------------------------------------------------------------


def test_bad_booking_input_is_refused_with_field_errors_and_nothing_saved(alice, counselor):
    response = login(counselor).post(
        create_url(alice), booking(counselor, starts_at="next tuesday", duration_minutes="0", location="")
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert html.count('aria-invalid="true"') >= 3
    assert 'value="next tuesday"' in html
    assert not Appointment.objects.exists()


def test_times_are_typed_in_the_users_time_zone_and_stored_utc(alice, counselor):
    counselor.time_zone = "America/Los_Angeles"
    counselor.save()

    login(counselor).post(create_url(alice), booking(counselor, starts_at="2031-03-10T23:30"))

    stored = Appointment.objects.get().starts_at
    assert stored == dt.datetime(2031, 3, 11, 6, 30, tzinfo=dt.UTC)  # PDT is UTC-7 from March 9, 2031


def test_an_appointment_at_2330_in_los_angeles_shows_on_its_own_day(alice, counselor):
    """23:30 in Los Angeles is the next morning in UTC: the chart must still show the LA date."""
    counselor.time_zone = "America/Los_Angeles"
    counselor.save()
    AppointmentFactory(client=alice, staff=counselor, starts_at=dt.datetime(2031, 1, 15, 23, 30, tzinfo=LA))

    html = login(counselor).get(tab_url(alice)).content.decode()

    assert "Wed Jan 15, 2031" in html and "11:30 PM" in html
    assert "Jan 16, 2031" not in html


def test_a_peer_may_book_but_the_outsider_gets_404_everywhere(alice, peer, outsider, scheduled):
    http = login(outsider)
    urls = [
        tab_url(alice),
        create_url(alice),
        reverse("clients:encounters:appointment-reschedule", args=[alice.pk, scheduled.pk]),
        reverse("clients:encounters:appointment-cancel", args=[alice.pk, scheduled.pk]),
    ]
    for url in urls:
        assert http.get(url).status_code == 404, url
    assert http.post(status_url(scheduled), {"status": "attended"}).status_code == 404

    assert login(peer).get(create_url(alice)).status_code == 200


def test_an_appointment_of_another_client_is_404_under_alices_chart(alice, counselor):
    other = ClientFactory(primary_team=alice.primary_team)
    assign(other, counselor)
    theirs = AppointmentFactory(client=other, staff=counselor)

    url = reverse("clients:encounters:appointment-cancel", args=[alice.pk, theirs.pk])
    assert login(counselor).get(url).status_code == 404


# --- attendance: one click ------------------------------------------------------------------


def test_one_click_attendance_with_htmx_swaps_the_row(alice, counselor):
    appointment = AppointmentFactory(client=alice, staff=counselor, starts_at=timezone.now())

    response = login(counselor).post(
        status_url(appointment), {"status": "attended", "row": "today"}, HTTP_HX_REQUEST="true"
    )

    appointment.refresh_from_db()
    assert response.status_code == 200 and appointment.status == S.ATTENDED
    html = response.content.decode()
    assert html.strip().startswith("<li") and f'id="appt-today-{appointment.pk}"' in html
    assert "Attended" in html


def test_attendance_without_javascript_posts_and_redirects_back(alice, counselor):
    appointment = AppointmentFactory(client=alice, staff=counselor, starts_at=timezone.now())

    response = login(counselor).post(status_url(appointment), {"status": "no_show", "next": tab_url(alice)})

    appointment.refresh_from_db()
    assert response.status_code == 302 and response["Location"] == tab_url(alice)
    assert appointment.status == S.NO_SHOW


def test_an_illegal_move_on_the_page_says_why_and_changes_nothing(alice, counselor):
    appointment = AppointmentFactory(
        client=alice, staff=counselor, starts_at=timezone.now(), status=S.CANCELLED_CLIENT
    )

    response = login(counselor).post(
        status_url(appointment), {"status": "attended", "row": "tab"}, HTTP_HX_REQUEST="true"
    )

    appointment.refresh_from_db()
    assert "cannot be marked attended" in response.content.decode()
    assert appointment.status == S.CANCELLED_CLIENT


def test_cancel_and_reschedule_pages_work(alice, counselor, scheduled):
    http = login(counselor)
    resched = reverse("clients:encounters:appointment-reschedule", args=[alice.pk, scheduled.pk])
    assert http.get(resched).status_code == 200
    assert http.post(resched, {"starts_at": "2031-05-01T09:00", "duration_minutes": "50"}).status_code == 302
    new = Appointment.objects.get(status=S.SCHEDULED)

    cancel = reverse("clients:encounters:appointment-cancel", args=[alice.pk, new.pk])
    assert http.post(cancel, {}).status_code == 400  # who cancelled is required
    assert http.post(cancel, {"by": "client"}).status_code == 302
    new.refresh_from_db()
    assert new.status == S.CANCELLED_CLIENT


# --- the tab: query counts ----------------------------------------------------------------------


def _tab_queries(http, client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(tab_url(client))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_tab_costs_the_same_queries_for_2_or_20_appointments_and_notes(alice, counselor):
    http = login(counselor)

    def add(n):
        for i in range(n):
            a = AppointmentFactory(
                client=alice,
                staff=counselor,
                starts_at=timezone.now() - dt.timedelta(days=i + 1),
                status=S.ATTENDED,
            )
            EncounterNoteFactory(client=alice, author=counselor, appointment=a, signed=i % 2 == 0)
            AppointmentFactory(
                client=alice, staff=counselor, starts_at=timezone.now() + dt.timedelta(days=i + 1)
            )

    add(2)
    few = _tab_queries(http, alice)
    add(18)
    many = _tab_queries(http, alice)

    assert few == many
    assert many <= 30


# --- who is offered what: the tab's buttons follow the predicates the pages ask --------------------


@pytest.mark.parametrize(
    ("persona", "case_role", "may_change"),
    [
        ("counselor", None, True),  # her primary counselor
        ("case_manager", "other", True),  # a view-only place on the care team
        ("peer", None, True),  # view-only too: peers book and move the appointments they go to (their own)
        ("admin_role_user", None, False),  # sees every client, reads appointments, changes none
    ],
)
def test_the_tab_offers_appointment_changes_exactly_to_those_the_change_pages_let_in(
    persona, case_role, may_change, alice, scheduled, request
):
    """GIVEN Alice's booked appointment and someone who may open her chart
    WHEN they open the Appointments tab and then the reschedule page
    THEN the tab shows Reschedule / Cancel exactly when the page lets them in
    (``selectors.appointments_can_change``: the role's permission on a client the user may see)."""
    user = request.getfixturevalue(persona)
    if case_role:
        assign(alice, user, case_role)
    if persona == "peer":  # a peer sees only the appointments they accompany (careteam.minimum_necessary)
        scheduled.staff = user
        scheduled.save(update_fields=["staff"])
    http = login(user)
    reschedule = reverse("clients:encounters:appointment-reschedule", args=[alice.pk, scheduled.pk])

    tab = http.get(tab_url(alice))

    assert tab.status_code == 200
    assert (reschedule in tab.content.decode()) is may_change
    assert http.get(reschedule).status_code == (200 if may_change else 403)


def test_a_view_only_place_on_the_care_team_is_not_offered_a_note_it_may_not_write(
    alice, counselor, case_manager
):
    """GIVEN a case manager on Alice's care team in the view-only "other" role (their role writes notes)
    WHEN they mark her appointment attended from the tab (htmx swaps the row)
    THEN the new row offers no "Write note", which the note page would refuse (403);
    her counselor, who may change her record, is offered it."""
    assign(alice, case_manager, "other")
    note_create = reverse("clients:encounters:note-create", args=[alice.pk])
    for user, offered in ((case_manager, False), (counselor, True)):
        appointment = AppointmentFactory(client=alice, staff=counselor, starts_at=timezone.now())
        http = login(user)

        row = http.post(status_url(appointment), {"status": "attended", "row": "tab"}, HTTP_HX_REQUEST="true")

        appointment.refresh_from_db()
        assert row.status_code == 200 and appointment.status == S.ATTENDED
        assert (f"{note_create}?appointment={appointment.pk}" in row.content.decode()) is offered
        assert http.get(note_create).status_code == (200 if offered else 403)
