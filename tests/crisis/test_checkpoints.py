"""Follow-up checkpoints: met by contacts and appointments at the window edges; tasks and escalation."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from careteam.models import Task, TaskKind, TaskStatus
from clients.models import ClientContact
from crisis import checkpoints, services
from crisis.models import FollowUpCheckpoint
from tests.factories.encounters import AppointmentFactory

T0 = dt.datetime(2024, 5, 6, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def disposed(episode, counselor):
    episode.opened_at = T0 - dt.timedelta(hours=1)
    episode.save(update_fields=["opened_at"])
    with time_machine.travel(T0, tick=False):
        services.episode_record_disposition(
            episode=episode, disposition="inpatient", acting_user=counselor, at=T0
        )
    return episode


def state(episode, kind, now):
    cp = checkpoints.with_met(FollowUpCheckpoint.objects.filter(episode=episode, kind=kind)).get()
    return checkpoints.state_of(cp, now)


def contact(client, staff, at, reached=True):
    return ClientContact.objects.create(
        client=client, staff=staff, contacted_at=at, mode="phone", reached=reached
    )


@pytest.mark.parametrize(
    ("offset", "met"),
    [
        (dt.timedelta(0), True),  # the window's first instant
        (dt.timedelta(hours=24), True),  # its last instant: both edges count
        (dt.timedelta(hours=24, seconds=1), False),
        (-dt.timedelta(seconds=1), False),
    ],
)
def test_a_reached_contact_meets_the_24_hour_checkpoint_only_inside_the_window(
    disposed, counselor, offset, met
):
    contact(disposed.client, counselor, T0 + offset)
    s = state(disposed, "contact-24h", T0 + dt.timedelta(days=3))
    assert (s.state == "met") is met
    if met:
        assert s.met_at == T0 + offset and s.met_by.startswith("Contact")
    else:
        assert s.state == "missed"


def test_an_attempt_that_did_not_reach_the_client_does_not_count(disposed, counselor):
    contact(disposed.client, counselor, T0 + dt.timedelta(hours=2), reached=False)
    assert state(disposed, "contact-24h", T0 + dt.timedelta(hours=3)).state == "due"


def test_an_attended_appointment_meets_a_contact_checkpoint(disposed, counselor):
    AppointmentFactory(
        client=disposed.client, staff=counselor, starts_at=T0 + dt.timedelta(hours=72), status="attended"
    )
    assert state(disposed, "contact-72h", T0 + dt.timedelta(days=4)).state == "met"
    assert state(disposed, "contact-24h", T0 + dt.timedelta(days=4)).state == "missed"


@pytest.mark.parametrize(
    ("status", "kind", "offset", "met"),
    [
        ("attended", "individual", dt.timedelta(days=7), True),  # last instant of the 7-day window
        ("attended", "individual", dt.timedelta(days=7, seconds=1), False),
        ("no_show", "individual", dt.timedelta(days=2), False),
        ("scheduled", "individual", dt.timedelta(days=2), False),
        ("attended", "other", dt.timedelta(days=2), False),  # "other" bookings are not outpatient visits
        ("attended", "peer", dt.timedelta(days=2), True),
    ],
)
def test_visit_checkpoints_need_an_attended_outpatient_appointment(
    disposed, counselor, status, kind, offset, met
):
    AppointmentFactory(
        client=disposed.client, staff=counselor, starts_at=T0 + offset, status=status, kind=kind
    )
    assert (state(disposed, "fuh-7d", T0 + dt.timedelta(days=10)).state == "met") is met


def test_a_contact_does_not_meet_a_visit_checkpoint(disposed, counselor):
    contact(disposed.client, counselor, T0 + dt.timedelta(days=1))
    assert state(disposed, "outpatient-7d", T0 + dt.timedelta(days=2)).state == "due"


def test_the_30_day_visit_is_met_on_its_last_day(disposed, counselor):
    AppointmentFactory(
        client=disposed.client, staff=counselor, starts_at=T0 + dt.timedelta(days=30), status="attended"
    )
    assert state(disposed, "fuh-30d", T0 + dt.timedelta(days=31)).state == "met"
    assert state(disposed, "fuh-7d", T0 + dt.timedelta(days=31)).state == "missed"


def test_the_sweep_raises_a_task_when_due_escalates_when_missed_and_closes_when_met(
    disposed, counselor, supervisor
):
    cp24 = FollowUpCheckpoint.objects.get(episode=disposed, kind="contact-24h")
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        services.checkpoints_sweep()
        services.checkpoints_sweep()  # idempotent
    due = Task.objects.get(kind=TaskKind.CRISIS_CHECKPOINT, source_id=str(cp24.pk))
    assert due.assignee == counselor  # opened the episode
    assert due.due_at == cp24.window_end
    # The 7-day visit reminder starts 5 days before its window ends, not yet.
    cp7 = FollowUpCheckpoint.objects.get(episode=disposed, kind="outpatient-7d")
    assert not Task.objects.filter(source_id=str(cp7.pk)).exists()

    with time_machine.travel(T0 + dt.timedelta(hours=25), tick=False):
        services.checkpoints_sweep()
        services.checkpoints_sweep()
    missed = Task.objects.filter(kind=TaskKind.CHECKPOINT_MISSED, source_id=str(cp24.pk))
    assert [t.assignee for t in missed] == [supervisor]
    due.refresh_from_db()
    assert due.status == TaskStatus.DISMISSED

    cp72 = FollowUpCheckpoint.objects.get(episode=disposed, kind="contact-72h")
    task72 = Task.objects.get(kind=TaskKind.CRISIS_CHECKPOINT, source_id=str(cp72.pk))
    contact(disposed.client, counselor, T0 + dt.timedelta(hours=26))
    with time_machine.travel(T0 + dt.timedelta(hours=27), tick=False):
        counts = services.checkpoints_sweep()
    task72.refresh_from_db()
    assert task72.status == TaskStatus.DONE
    assert counts["closed"] >= 1


def test_the_periodic_task_runs_the_sweep(disposed):
    from crisis.tasks import check_checkpoints

    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        result = check_checkpoints.delay().get()
    assert result["raised"] == 2  # contact within 24 h and within 72 h
    assert timezone.now() > T0
