"""The appointments and notes API: scoping, the status table, the lock, restricted notes, peers."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.encounters import services
from clients.models import Appointment, AppointmentStatus, EncounterNote, NoteAddendum
from tests.concurrency import etag_of
from tests.conftest import api_login
from tests.factories import AppointmentFactory, EncounterNoteFactory

from .conftest import dap

APPTS = "/api/v1/appointments/"
NOTES = "/api/v1/notes/"


@pytest.fixture
def signed_note(alice, counselor, attended):
    note = services.note_create(client=alice, acting_user=counselor, data=dap(), appointment=attended)
    return services.note_sign(note=note, acting_user=counselor)


def new_appointment(alice, counselor, **changes):
    return {
        "client": alice.pk,
        "staff": counselor.pk,
        "kind": "individual",
        "starts_at": "2031-04-02T15:00:00Z",
        "duration_minutes": 50,
        "location": "Room 2",
        **changes,
    }


def test_a_counselor_books_through_the_api_and_a_double_booking_needs_book_anyway(alice, counselor):
    api = api_login(counselor)
    assert api.post(APPTS, new_appointment(alice, counselor), format="json").status_code == 201

    clash = api.post(
        APPTS, new_appointment(alice, counselor, starts_at="2031-04-02T15:20:00Z"), format="json"
    )
    assert clash.status_code == 400 and "already booked" in clash.json()["book_anyway"][0]
    assert Appointment.objects.count() == 1

    ok = api.post(
        APPTS,
        new_appointment(alice, counselor, starts_at="2031-04-02T15:20:00Z", book_anyway=True),
        format="json",
    )
    assert ok.status_code == 201 and Appointment.objects.count() == 2


def test_bad_appointment_input_answers_400_with_field_messages(alice, counselor):
    response = api_login(counselor).post(
        APPTS,
        new_appointment(alice, counselor, kind="party", duration_minutes=0, starts_at="soon"),
        format="json",
    )
    body = response.json()
    assert response.status_code == 400 and {"kind", "duration_minutes", "starts_at"} <= set(body)
    assert not Appointment.objects.exists()


def test_the_status_action_follows_the_status_table(alice, counselor):
    appointment = AppointmentFactory(client=alice, staff=counselor, starts_at=timezone.now())
    api = api_login(counselor)
    url = f"{APPTS}{appointment.pk}/status/"

    assert api.post(url, {"status": "attended"}, format="json").json()["status"] == "attended"
    refused = api.post(url, {"status": "cancelled_client"}, format="json")
    assert refused.status_code == 400 and "cannot be marked" in refused.json()["status"][0]


def test_the_reschedule_action_links_old_and_new(alice, counselor, scheduled):
    response = api_login(counselor).post(
        f"{APPTS}{scheduled.pk}/reschedule/", {"starts_at": "2031-06-01T14:00:00Z"}, format="json"
    )
    scheduled.refresh_from_db()
    assert response.status_code == 201 and scheduled.rescheduled_to_id == response.json()["id"]
    assert scheduled.status == AppointmentStatus.RESCHEDULED


def test_a_signed_note_update_is_refused_with_a_400_naming_why(signed_note, counselor):
    response = api_login(counselor).patch(f"{NOTES}{signed_note.pk}/", {"plan": "changed"}, format="json")

    assert response.status_code == 400 and "signed and locked" in str(response.json())
    signed_note.refresh_from_db()
    assert signed_note.plan == dap()["plan"]


def test_a_draft_is_created_updated_signed_and_amended_through_the_api(alice, counselor, attended):
    api = api_login(counselor)
    created = api.post(NOTES, {**dap(), "client": alice.pk, "appointment": attended.pk}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]

    etag = etag_of(api, f"{NOTES}{pk}/")
    patched = api.patch(f"{NOTES}{pk}/", {"plan": "Meet Friday."}, format="json", HTTP_IF_MATCH=etag)
    assert patched.status_code == 200
    signed = api.post(f"{NOTES}{pk}/sign/")
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    addendum = api.post(f"{NOTES}{pk}/addenda/", {"text": "Late entry: phone call."}, format="json")
    assert addendum.status_code == 201 and NoteAddendum.objects.filter(note_id=pk).count() == 1
    assert EncounterNote.objects.get(pk=pk).plan == "Meet Friday."


def test_restricted_notes_are_left_out_of_the_api_for_a_teammate(alice, counselor, supervisor, teammate):
    note = services.note_create(client=alice, acting_user=counselor, data=dap(restricted=True))

    listed = api_login(teammate).get(NOTES).json()["results"]
    assert note.pk not in [n["id"] for n in listed]
    assert api_login(teammate).get(f"{NOTES}{note.pk}/").status_code == 404
    for user in (counselor, supervisor):
        assert api_login(user).get(f"{NOTES}{note.pk}/").status_code == 200


def test_a_peer_gets_the_appointments_they_accompany_and_no_notes(signed_note, alice, peer):
    """Minimum necessary (``careteam.minimum_necessary``): the counsellor's session is not the peer's."""
    accompanied = AppointmentFactory(client=alice, staff=peer, kind="peer")
    api = api_login(peer)

    appointments = api.get(APPTS)
    assert appointments.status_code == 200
    assert [a["id"] for a in appointments.json()["results"]] == [accompanied.pk]
    assert api.get(f"{APPTS}{signed_note.appointment_id}/").status_code == 404
    assert "data" not in str(appointments.json()) or dap()["data"] not in str(appointments.json())
    assert api.get(NOTES).status_code == 403
    assert api.get(f"{NOTES}{signed_note.pk}/").status_code == 403


def test_the_outsider_gets_404_on_every_endpoint(signed_note, outsider, attended):
    api = api_login(outsider)
    assert api.get(APPTS).json()["count"] == 0
    assert api.get(NOTES).json()["count"] == 0
    assert api.get(f"{APPTS}{attended.pk}/").status_code == 404
    assert api.post(f"{APPTS}{attended.pk}/status/", {"status": "no_show"}).status_code == 404
    assert api.get(f"{NOTES}{signed_note.pk}/").status_code == 404
    for action in ("sign", "cosign", "addenda"):
        assert api.post(f"{NOTES}{signed_note.pk}/{action}/", {"text": "x"}).status_code == 404
    assert api.post(NOTES, {**dap(), "client": signed_note.client_id}, format="json").status_code == 400


def _count(api, url) -> int:
    api.get(url)  # warm the permission caches the same way for both runs
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_api_lists_cost_the_same_queries_for_2_or_20_rows(alice, counselor):
    api = api_login(counselor)

    def add(n):
        for i in range(n):
            a = AppointmentFactory(
                client=alice,
                staff=counselor,
                starts_at=timezone.now() - dt.timedelta(days=i + 1),
                status=AppointmentStatus.ATTENDED,
            )
            EncounterNoteFactory(client=alice, author=counselor, appointment=a, signed=True)

    add(2)
    few = (_count(api, APPTS), _count(api, NOTES))
    add(18)
    many = (_count(api, APPTS), _count(api, NOTES))
    assert few == many and max(many) <= 15
