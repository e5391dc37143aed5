"""Panel 2, engagement: each figure against a small hand-built dataset with the answer worked out here."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from dashboards.panels import engagement
from dashboards.scope import scope_for
from tests.factories import AppointmentFactory, ClientContactFactory, ClientFactory, PeerContactFactory

NY = zoneinfo.ZoneInfo("America/New_York")
LA = zoneinfo.ZoneInfo("America/Los_Angeles")
# "Today" in these tests: Wednesday 18 March 2026, 3 pm in New York (the site's zone).
NOW = dt.datetime(2026, 3, 18, 15, 0, tzinfo=NY)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def figure(panel, key):
    return next(f for f in panel.figures if f.key == key)


def test_a_contact_exactly_14_days_before_the_last_day_counts_and_15_days_does_not(
    team, supervisor, counselor
):
    """GIVEN three active clients: one reached exactly 14 days ago (the first minute of that day), one
    reached 15 days ago (the last minute of that day), one whose only contact was an unanswered call
    yesterday. THEN only the first is engaged: 1 of 3."""
    on_edge = ClientFactory(primary_team=team)
    too_old = ClientFactory(primary_team=team)
    not_reached = ClientFactory(primary_team=team)
    ClientContactFactory(
        client=on_edge, staff=counselor, contacted_at=dt.datetime(2026, 3, 4, 0, 0, tzinfo=NY)
    )
    ClientContactFactory(
        client=too_old, staff=counselor, contacted_at=dt.datetime(2026, 3, 3, 23, 59, tzinfo=NY)
    )
    ClientContactFactory(
        client=not_reached, staff=counselor, reached=False, contacted_at=NOW - dt.timedelta(days=1)
    )

    scope = scope_for(supervisor, end=TODAY)
    panel = engagement.compute(scope)

    engaged = figure(panel, "engagement.engaged_pct")
    assert (engaged.numerator, engaged.denominator, engaged.value) == (1, 3, 33.3)
    assert figure(panel, "engagement.not_engaged").value == 2
    assert [r["client_id"] for r in engagement.engaged_rows(scope)] == [on_edge.pk]
    assert {r["client_id"] for r in engagement.not_engaged_rows(scope)} == {too_old.pk, not_reached.pk}


def test_an_attended_appointment_or_a_peer_contact_is_engagement_but_a_no_show_is_not(
    team, supervisor, counselor, peer
):
    seen = ClientFactory(primary_team=team)
    peer_only = ClientFactory(primary_team=team)
    missed = ClientFactory(primary_team=team)
    AppointmentFactory(client=seen, staff=counselor, status="attended", starts_at=NOW - dt.timedelta(days=3))
    AppointmentFactory(client=missed, staff=counselor, status="no_show", starts_at=NOW - dt.timedelta(days=3))
    PeerContactFactory(client=peer_only, peer=peer, occurred_at=NOW - dt.timedelta(days=2))

    counts = engagement.engagement_counts(scope_for(supervisor, end=TODAY))

    assert counts == {"active": 3, "engaged": 2}


def test_weekly_attendance_puts_a_2330_appointment_on_the_clients_own_day(team, supervisor, counselor):
    """GIVEN a client in Los Angeles attended at 23:30 on Sunday 8 March (local) — already Monday 9 March
    in New York and in UTC — and missed an appointment on Monday 9 March at 10:00 (local).
    THEN the week of Mon 2 March has 1 attended of 1 (100 %), the week of Mon 9 March 0 of 1 (0 %)."""
    west = ClientFactory(primary_team=team, time_zone="America/Los_Angeles")
    AppointmentFactory(
        client=west, staff=counselor, status="attended", starts_at=dt.datetime(2026, 3, 8, 23, 30, tzinfo=LA)
    )
    AppointmentFactory(
        client=west, staff=counselor, status="no_show", starts_at=dt.datetime(2026, 3, 9, 10, 0, tzinfo=LA)
    )
    AppointmentFactory(  # cancelled: neither attended nor missed
        client=west,
        staff=counselor,
        status="cancelled_client",
        starts_at=dt.datetime(2026, 3, 10, 10, 0, tzinfo=LA),
    )

    scope = scope_for(supervisor, start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 15))
    weeks = engagement.attendance_by_week(scope)

    assert [
        (w["week"], w["attended"], w["no_show"], w["attendance_rate"], w["no_show_rate"]) for w in weeks
    ] == [
        (dt.date(2026, 3, 2), 1, 0, 100.0, 0.0),
        (dt.date(2026, 3, 9), 0, 1, 0.0, 100.0),
    ]
    panel = engagement.compute(scope)
    assert figure(panel, "engagement.attendance_rate").value == 50.0
    assert figure(panel, "engagement.no_show_rate").value == 50.0
    series = next(s for s in panel.series if s.key == "engagement.attendance_weekly")
    assert series.points == [("Week of Mar 2", 100.0), ("Week of Mar 9", 0.0)]


def test_an_appointment_at_2330_on_the_last_day_is_in_the_range_in_the_clients_zone(
    team, supervisor, counselor
):
    west = ClientFactory(primary_team=team, time_zone="America/Los_Angeles")
    # 23:30 on Sunday 15 March in LA is 02:30 on the 16th in New York: still in a range ending the 15th.
    AppointmentFactory(
        client=west, staff=counselor, status="attended", starts_at=dt.datetime(2026, 3, 15, 23, 30, tzinfo=LA)
    )

    scope = scope_for(supervisor, start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 15))

    rows = list(engagement.appointment_rows(scope))
    assert [(r["client_id"], r["local_day"]) for r in rows] == [(west.pk, dt.date(2026, 3, 15))]


def _contacts(client, staff, days_ago):
    for d in days_ago:
        ClientContactFactory(client=client, staff=staff, contacted_at=NOW - dt.timedelta(days=d))


def test_sudden_isolation_is_a_silence_over_twice_the_usual_gap_and_over_14_days(team, supervisor, counselor):
    """Measured to now (the range ends today).
    - weekly: contacts 60, 53, 46, 39 days ago → usual gap 7; silent 39 days > 14 and > 14 → isolated.
    - every 20 days: 80, 60, 40, 20 → usual gap 20; silent 20 < 40 → not isolated.
    - close: 30, 16 → gap 14; silent 16 > 14 but < 28 → not isolated.
    - median of uneven gaps: 70, 67, 61, 46, 30 → gaps 3, 6, 15, 16, median 10.5 (mean of the middle two);
      silent 30 > 21 and > 14 → isolated.
    - once: a single contact 40 days ago → no usual gap → not isolated (it shows as not engaged)."""
    weekly, twenty, close, uneven, once = (ClientFactory(primary_team=team) for _ in range(5))
    _contacts(weekly, counselor, [60, 53, 46, 39])
    _contacts(twenty, counselor, [80, 60, 40, 20])
    _contacts(close, counselor, [30, 16])
    _contacts(uneven, counselor, [70, 67, 61, 46, 30])
    _contacts(once, counselor, [40])

    rows = engagement.isolation_rows(scope_for(supervisor, end=TODAY))

    assert rows == [
        {"client_id": weekly.pk, "days_since": 39.0, "median_gap_days": 7.0},
        {"client_id": uneven.pk, "days_since": 30.0, "median_gap_days": 10.5},
    ]


def test_sudden_isolation_counts_appointments_and_peer_contacts_and_ignores_unanswered_calls(
    team, supervisor, counselor, peer
):
    client = ClientFactory(primary_team=team)
    for d in (50, 43):
        AppointmentFactory(
            client=client, staff=counselor, status="attended", starts_at=NOW - dt.timedelta(days=d)
        )
    PeerContactFactory(client=client, peer=peer, occurred_at=NOW - dt.timedelta(days=36))
    # An unanswered call yesterday does not end the silence.
    ClientContactFactory(
        client=client, staff=counselor, reached=False, contacted_at=NOW - dt.timedelta(days=1)
    )

    rows = engagement.isolated_client_rows(scope_for(supervisor, end=TODAY))

    assert [(r["client_id"], r["days_since"], r["median_gap_days"]) for r in rows] == [(client.pk, 36.0, 7.0)]
