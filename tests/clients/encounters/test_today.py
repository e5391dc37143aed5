"""Today's sections from appointments and notes: appointments, notes to sign, co-sign queue."""

import datetime as dt
import zoneinfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.encounters import services
from clients.models import AppointmentStatus
from tests.conftest import login
from tests.factories import AppointmentFactory, ClientFactory, EncounterNoteFactory, UserFactory, assign

from .conftest import dap

TODAY = reverse("workspace:today")
LA = zoneinfo.ZoneInfo("America/Los_Angeles")


def test_todays_appointments_have_one_click_attendance(alice, counselor):
    appointment = AppointmentFactory(client=alice, staff=counselor, starts_at=timezone.now())

    html = login(counselor).get(TODAY).content.decode()

    assert "Today&#x27;s appointments" in html or "Today's appointments" in html
    assert alice.display_name in html
    status_url = reverse("clients:encounters:appointment-status", args=[alice.pk, appointment.pk])
    assert f'hx-post="{status_url}"' in html and f'action="{status_url}"' in html


def test_today_uses_the_users_time_zone(alice, counselor):
    """At 20:00 in Los Angeles, a session at 23:30 LA (07:30 UTC tomorrow) is today's."""
    counselor.time_zone = "America/Los_Angeles"
    counselor.save()
    with time_machine.travel(dt.datetime(2031, 1, 15, 20, 0, tzinfo=LA), tick=False):
        AppointmentFactory(
            client=alice, staff=counselor, starts_at=dt.datetime(2031, 1, 15, 23, 30, tzinfo=LA)
        )
        html = login(counselor).get(TODAY).content.decode()
    assert "11:30 PM" in html


def test_notes_to_sign_lists_drafts_and_attended_sessions_without_a_note(alice, counselor, attended):
    draft_session = AppointmentFactory(
        client=alice,
        staff=counselor,
        starts_at=timezone.now() - dt.timedelta(days=3),
        status=AppointmentStatus.ATTENDED,
    )
    services.note_create(client=alice, acting_user=counselor, data=dap(), appointment=draft_session)

    html = login(counselor).get(TODAY).content.decode()

    assert "Notes to sign" in html and "Finish and sign" in html
    assert f"?appointment={attended.pk}" in html


def test_the_cosign_section_is_only_for_supervisors(alice, counselor, supervisor):
    assert "Co-sign queue" not in login(counselor).get(TODAY).content.decode()
    assert "Co-sign queue" in login(supervisor).get(TODAY).content.decode()


def test_a_peer_sees_no_note_sections(alice, peer):
    AppointmentFactory(client=alice, staff=peer, starts_at=timezone.now(), kind="peer")
    html = login(peer).get(TODAY).content.decode()
    assert alice.display_name in html
    assert "Notes to sign" not in html and "Co-sign queue" not in html


def _today_queries(user) -> int:
    http = login(user)
    http.get(TODAY)  # warm the permission caches the same way for both runs
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(TODAY).status_code == 200
    return len(ctx.captured_queries)


def test_today_costs_the_same_queries_for_2_or_20_rows(team, counselor, supervisor):
    trainee = UserFactory(username="trainee", role="counselor", notes_require_cosign=True)
    team.members.add(trainee)
    clients = [ClientFactory(primary_team=team) for _ in range(20)]
    for c in clients:
        assign(c, counselor)
        assign(c, trainee, "other")

    def add(chosen):
        start = timezone.now()
        for c in chosen:
            AppointmentFactory(client=c, staff=counselor, starts_at=start)
            AppointmentFactory(client=c, staff=supervisor, starts_at=start)
            AppointmentFactory(
                client=c,
                staff=counselor,
                starts_at=start - dt.timedelta(days=2),
                status=AppointmentStatus.ATTENDED,
            )
            EncounterNoteFactory(client=c, author=counselor)
            note = EncounterNoteFactory(client=c, author=trainee)
            services.note_sign(note=note, acting_user=trainee)

    add(clients[:2])
    few = (_today_queries(counselor), _today_queries(supervisor))
    add(clients[2:])
    many = (_today_queries(counselor), _today_queries(supervisor))

    assert few == many
    assert max(many) <= 45


def test_the_demo_seed_fills_history_today_and_the_queues(db, monkeypatch):
    """The encounters seeder, run by the demo seed, gives the pages something real to show."""
    from clients.encounters import demo
    from clients.models import Appointment, EncounterNote
    from workspace import demo as workspace_demo

    monkeypatch.setattr(workspace_demo, "DOMAIN_SEEDERS", [demo.seed])
    workspace_demo.seed_demo(password="demo-pass")

    counselor = UserFactory(username="counselor")
    supervisor = UserFactory(username="supervisor")
    notes = EncounterNote.objects.all()
    assert Appointment.objects.filter(status="attended").count() > 50
    assert Appointment.objects.filter(status="no_show").exists()
    assert notes.filter(status="signed", format="soap").exists() and notes.filter(format="dap").exists()
    assert notes.filter(author=counselor, status="draft").count() == 3
    assert notes.filter(restricted=True).count() == 1
    assert (
        notes.filter(requires_cosign=True, cosigned_at__isnull=True, author__username="counselor2").count()
        == 1
    )
    for username in ("counselor", "casemanager", "peer"):
        user = UserFactory(username=username)
        assert len(services_today(user)) >= 2, username
    html = login(supervisor).get(TODAY).content.decode()
    assert "Co-sign queue" in html and "Jordan Ellis" in html


def services_today(user):
    from clients.encounters.selectors import todays_appointments_for_user

    return todays_appointments_for_user(user)
