"""Logging peer contacts and accompaniments: validation, follow-up routing, days since contact."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent, Task, TaskPriority
from peers import selectors
from peers.models import ContactKind, ContactMode, PeerContact
from peers.services import peer_contact_log
from tests.conftest import login

NY = zoneinfo.ZoneInfo("America/New_York")


def contact_data(**changes):
    data = {
        "occurred_at": timezone.now() - dt.timedelta(hours=1),
        "duration_minutes": 30,
        "mode": ContactMode.IN_PERSON,
        "kind": ContactKind.CHECK_IN,
        "summary": "Coffee after her shift.",
    }
    data.update(changes)
    return data


def test_a_peer_logs_a_contact_and_it_is_audited(alice_peer, peer):
    contact = peer_contact_log(assignment=alice_peer, acting_user=peer, data=contact_data())
    assert contact.client == alice_peer.client and contact.peer == peer
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(contact.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"occurred_at": timezone.now() + dt.timedelta(days=2)}, "occurred_at"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 721}, "duration_minutes"),
        ({"kind": ContactKind.ACCOMPANIMENT, "accompaniment_to": ""}, "accompaniment_to"),
        ({"summary": "  "}, "summary"),
    ],
)
def test_it_refuses_an_invalid_contact(alice_peer, peer, changes, field):
    with pytest.raises(ValidationError) as exc:
        peer_contact_log(assignment=alice_peer, acting_user=peer, data=contact_data(**changes))
    assert field in exc.value.message_dict
    assert not PeerContact.objects.exists()


def test_a_contact_later_today_in_the_users_time_zone_is_allowed(alice_peer, peer):
    """GIVEN 22:00 in New York (03:00 UTC the next day) WHEN the peer logs 23:30 local THEN it is today."""
    with time_machine.travel(dt.datetime(2025, 3, 4, 22, 0, tzinfo=NY), tick=False):
        at = dt.datetime(2025, 3, 4, 23, 30, tzinfo=NY)
        peer_contact_log(assignment=alice_peer, acting_user=peer, data=contact_data(occurred_at=at))
    assert PeerContact.objects.count() == 1


def test_an_accompaniment_records_where_they_went(alice_peer, peer):
    contact = peer_contact_log(
        assignment=alice_peer,
        acting_user=peer,
        data=contact_data(kind=ContactKind.ACCOMPANIMENT, accompaniment_to="court", place="County court"),
    )
    assert contact.get_accompaniment_to_display() == "Court"


def test_a_follow_up_becomes_a_task_for_the_peer(alice_peer, peer):
    contact = peer_contact_log(
        assignment=alice_peer,
        acting_user=peer,
        data=contact_data(follow_up_needed=True, follow_up_note="Call about the bus pass"),
    )
    task = Task.objects.get(source_type="peers.peercontact", source_id=str(contact.pk))
    assert task.assignee == peer and task.priority == TaskPriority.NORMAL


def test_needs_clinical_attention_goes_to_the_primary_counselor_as_urgent(alice_peer, peer, counselor):
    peer_contact_log(
        assignment=alice_peer,
        acting_user=peer,
        data=contact_data(
            follow_up_needed=True, needs_clinical_attention=True, follow_up_note="Talked of using"
        ),
    )
    task = Task.objects.get(source_type="peers.peercontact")
    assert task.assignee == counselor and task.priority == TaskPriority.URGENT


def test_no_task_without_a_follow_up(alice_peer, peer):
    peer_contact_log(assignment=alice_peer, acting_user=peer, data=contact_data())
    assert not Task.objects.exists()


def test_the_contact_page_keeps_the_input_on_error_and_saves_nothing(alice_peer, peer):
    url = reverse("peers:contact-create", args=[alice_peer.client.pk])
    response = login(peer).post(
        url,
        {
            "occurred_at": "2099-01-01T10:00",
            "duration_minutes": "30",
            "mode": "phone",
            "kind": "accompaniment",
            "summary": "Went to the benefits office together",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Went to the benefits office together" in html
    assert 'aria-invalid="true"' in html
    assert not PeerContact.objects.exists()


def test_the_contact_page_defaults_to_now_thirty_minutes_in_person_check_in(alice_peer, peer):
    response = login(peer).get(reverse("peers:contact-create", args=[alice_peer.client.pk]))
    form = response.context["form"]
    assert form["duration_minutes"].value() == 30
    assert form["mode"].value() == ContactMode.IN_PERSON
    assert form["kind"].value() == ContactKind.CHECK_IN
    assert form["occurred_at"].value() is not None


def test_a_contact_logged_on_the_page_is_saved_in_the_users_time_zone(alice_peer, peer):
    with time_machine.travel(dt.datetime(2025, 3, 4, 12, 0, tzinfo=NY), tick=False):
        response = login(peer).post(
            reverse("peers:contact-create", args=[alice_peer.client.pk]),
            {
                "occurred_at": "2025-03-04T09:15",
                "duration_minutes": "30",
                "mode": "in_person",
                "kind": "check_in",
                "summary": "Walk",
            },
        )
    assert response.status_code == 302
    assert PeerContact.objects.get().occurred_at == dt.datetime(2025, 3, 4, 9, 15, tzinfo=NY)


def test_days_since_contact_counts_calendar_days_in_the_users_time_zone(alice_peer, peer):
    """GIVEN a contact at 23:30 New York time (04:30 UTC the next day) WHEN the peer looks at 08:00
    the next morning local THEN it was 1 day ago (UTC dates would say 0)."""
    late = dt.datetime(2025, 3, 4, 23, 30, tzinfo=NY)
    with time_machine.travel(late + dt.timedelta(minutes=5), tick=False):
        peer_contact_log(assignment=alice_peer, acting_user=peer, data=contact_data(occurred_at=late))
    with time_machine.travel(dt.datetime(2025, 3, 5, 8, 0, tzinfo=NY), tick=False):
        [row] = selectors.my_people(peer)
        assert row.days_since == 1
    peer.time_zone = "Asia/Tokyo"  # 13:30 on Mar 5 there, and 22:00 on Mar 5 at the later moment
    with time_machine.travel(dt.datetime(2025, 3, 5, 8, 0, tzinfo=NY), tick=False):
        [row] = selectors.my_people(peer)
        assert row.days_since == 0


def test_my_people_marks_red_past_the_threshold(alice_peer, peer, settings):
    settings.CARETEAM_PEER_CONTACT_THRESHOLD_DAYS = 7
    peer_contact_log(
        assignment=alice_peer,
        acting_user=peer,
        data=contact_data(occurred_at=timezone.now() - dt.timedelta(days=8)),
    )
    html = login(peer).get(reverse("peers:home")).content.decode()
    assert "8 days since contact" in html and "text-bg-danger days-since" in html
