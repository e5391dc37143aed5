"""Support-group attendance (and the plan hook it feeds), recovery check-ins, the first-friend list."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from peers.models import AttendanceSource, GroupAttendance, RecoveryCapitalCheckIn
from peers.selectors import first_friend_search
from peers.services import group_attendance_record, recovery_checkin_record
from plans.models import ActionStep, ActionStepCompletion
from tests.conftest import login
from tests.factories import FirstFriendFactory, active_plan

YESTERDAY = timezone.localdate() - dt.timedelta(days=1)


def record(client, group, user, *, date=YESTERDAY, attended=True):
    return group_attendance_record(
        client=client,
        group=group,
        date=date,
        attended=attended,
        source=AttendanceSource.PEER_VERIFIED,
        acting_user=user,
    )


def test_recording_the_same_day_again_changes_the_one_row(alice, group, peer):
    record(alice, group, peer, attended=True)
    record(alice, group, peer, attended=False)
    row = GroupAttendance.objects.get()
    assert row.attended is False


def test_attendance_cannot_be_recorded_for_a_future_day(alice, group, peer):
    with pytest.raises(ValidationError) as exc:
        record(alice, group, peer, date=timezone.localdate() + dt.timedelta(days=3))
    assert "date" in exc.value.message_dict


@pytest.fixture
def group_step(alice, counselor):
    """Alice's active plan has '2 support groups a week', marked as fed by group attendance."""
    plan = active_plan(alice, counselor, goals=1, steps=2)
    steps = list(ActionStep.objects.filter(goal__problem__plan=plan).order_by("id"))
    ActionStep.objects.filter(pk=steps[0].pk).update(
        counts_group_attendance=True,
        description="2 support groups a week",
        frequency_count=2,
        frequency_period="week",
    )
    return steps[0], steps[1]


def test_an_attended_group_counts_once_towards_a_group_attendance_step(alice, group, peer, group_step):
    counted, other = group_step
    record(alice, group, peer)
    record(alice, group, peer)  # recorded again the same day: still one
    assert ActionStepCompletion.objects.filter(step_lineage=counted.lineage).count() == 1
    assert not ActionStepCompletion.objects.filter(step_lineage=other.lineage).exists()


def test_a_missed_group_does_not_count(alice, group, peer, group_step):
    record(alice, group, peer, attended=False)
    assert not ActionStepCompletion.objects.exists()


def test_each_attended_day_counts_separately(alice, group, peer, group_step):
    record(alice, group, peer, date=YESTERDAY)
    record(alice, group, peer, date=YESTERDAY - dt.timedelta(days=3))
    assert ActionStepCompletion.objects.filter(step_lineage=group_step[0].lineage).count() == 2


def test_attendance_without_a_plan_is_just_recorded(alice, group, peer):
    record(alice, group, peer)
    assert GroupAttendance.objects.count() == 1 and not ActionStepCompletion.objects.exists()


RATINGS = {"housing": 3, "employment": 2, "relationships": 4, "health": 5, "community": 3, "purpose": 4}


def test_a_recovery_checkin_totals_six_ratings(alice, peer):
    checkin = recovery_checkin_record(
        client=alice, ratings=RATINGS, note="Feeling steadier", acting_user=peer
    )
    assert checkin.total == 21


@pytest.mark.parametrize("bad", [{**RATINGS, "housing": 7}, {**RATINGS, "purpose": 0}, {"housing": 3}])
def test_a_recovery_checkin_needs_each_domain_from_1_to_6(alice, peer, bad):
    with pytest.raises(ValidationError):
        recovery_checkin_record(client=alice, ratings=bad, note="", acting_user=peer)
    assert not RecoveryCapitalCheckIn.objects.exists()


def test_the_checkin_page_records_and_the_trend_shows_on_the_client_page(alice, alice_peer, peer):
    http = login(peer)
    response = http.post(reverse("peers:checkin-create", args=[alice.pk]), {**RATINGS, "note": "ok"})
    assert response.status_code == 302
    html = http.get(reverse("peers:client", args=[alice.pk])).content.decode()
    assert "<svg" in html and "<polyline" in html and "21" in html


def test_the_attendance_page_records_a_group(alice, alice_peer, peer, group):
    response = login(peer).post(
        reverse("peers:attendance-create", args=[alice.pk]),
        {"group": group.pk, "date": YESTERDAY.isoformat(), "attended": "on", "source": "peer_verified"},
    )
    assert response.status_code == 302
    assert GroupAttendance.objects.get().client == alice


def test_the_attendance_page_refuses_a_future_day_and_keeps_the_input(alice, alice_peer, peer, group):
    future = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = login(peer).post(
        reverse("peers:attendance-create", args=[alice.pk]),
        {"group": group.pk, "date": future, "attended": "on", "source": "peer_verified"},
    )
    assert response.status_code == 400
    assert future in response.content.decode()
    assert not GroupAttendance.objects.exists()


def test_first_friends_are_searchable_by_language_area_fellowship_and_text(db):
    ana = FirstFriendFactory(name="Ana", languages=["es", "en"], areas=["opioids"], fellowships=["na"])
    FirstFriendFactory(
        name="Bill", languages=["en"], areas=["alcohol"], fellowships=["aa"], neighborhoods="Eastside"
    )
    FirstFriendFactory(name="Cy", languages=["es"], is_active=False)
    assert first_friend_search(language="es") == [ana]
    assert [f.name for f in first_friend_search(fellowship="aa")] == ["Bill"]
    assert [f.name for f in first_friend_search(text="eastside")] == ["Bill"]
    assert first_friend_search(area="opioids", language="en") == [ana]


def test_the_first_friend_page_lists_matches(peer):
    FirstFriendFactory(name="Rosa Delgado", languages=["es"])
    html = login(peer).get(reverse("peers:first-friends"), {"language": "es"}).content.decode()
    assert "Rosa Delgado" in html
