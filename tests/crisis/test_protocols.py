"""Caring-contact dates: month ends, leap years, DST changes, birthdays and daytime jitter."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from crisis import protocols
from crisis.protocols import SHIPPED_PROTOCOLS, schedule, step_date, validate_steps
from outreach.rules import in_quiet_hours, quiet_hours_end

MONTHLY = SHIPPED_PROTOCOLS[0]["steps"]
WEEKLY = SHIPPED_PROTOCOLS[1]["steps"]
NY = "America/New_York"


def plan(steps, start, born=dt.date(1990, 6, 15), tz=NY, **kw):
    return schedule(
        steps=steps, start=start, date_of_birth=born, time_zone=zoneinfo.ZoneInfo(tz), seed="ccp-1", **kw
    )


def test_the_monthly_protocol_from_jan_31_lands_on_the_last_day_of_short_months():
    dates = [p.local_date for p in plan(MONTHLY, dt.date(2023, 1, 31))]
    assert dates[:9] == [
        dt.date(2023, 2, 1),  # next day
        dt.date(2023, 2, 28),  # month 1: no Feb 31, not Mar 3
        dt.date(2023, 3, 31),
        dt.date(2023, 4, 30),
        dt.date(2023, 5, 31),
        dt.date(2023, 7, 31),
        dt.date(2023, 9, 30),
        dt.date(2023, 11, 30),
        dt.date(2024, 1, 31),
    ]


def test_month_one_from_jan_31_in_a_leap_year_is_feb_29():
    assert step_date({"months": 1}, dt.date(2024, 1, 31), dt.date(1990, 1, 1)) == dt.date(2024, 2, 29)


def test_the_weekly_protocol_counts_days_across_a_year_end():
    dates = [p.local_date for p in plan(WEEKLY, dt.date(2023, 12, 20))]
    assert dates == [
        dt.date(2023, 12, 20),
        dt.date(2023, 12, 27),
        dt.date(2024, 1, 3),
        dt.date(2024, 1, 10),
        dt.date(2024, 1, 24),
        dt.date(2024, 2, 7),
        dt.date(2024, 2, 21),
        dt.date(2024, 3, 6),
    ]


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (dt.date(2023, 1, 10), dt.date(2023, 2, 28)),  # non-leap year: Feb 28
        (dt.date(2024, 1, 10), dt.date(2024, 2, 29)),  # leap year: the real day
        (dt.date(2024, 3, 1), dt.date(2025, 2, 28)),  # already past: next year's, non-leap
    ],
)
def test_a_feb_29_birthday_falls_on_feb_28_in_non_leap_years(start, expected):
    born = dt.date(2000, 2, 29)
    birthday = [p for p in plan(MONTHLY, start, born=born) if p.template_key == "caring-contact-birthday"]
    assert [p.local_date for p in birthday] == [expected]


def test_a_birthday_on_the_start_day_is_next_years():
    assert step_date({"birthday": True}, dt.date(2024, 6, 15), dt.date(1990, 6, 15)) == dt.date(2025, 6, 15)


def test_templates_rotate_and_the_birthday_gets_its_own():
    keys = [p.template_key for p in plan(MONTHLY, dt.date(2024, 1, 1))]
    assert keys[:4] == ["caring-contact-1", "caring-contact-2", "caring-contact-3", "caring-contact-1"]
    assert keys[-1] == "caring-contact-birthday"


def test_send_times_are_daytime_local_across_the_dst_change():
    """GIVEN a plan whose steps straddle the March DST change in New York
    THEN every message is due between 10:00 and 18:00 local, so the UTC offset moves with the clocks."""
    planned = plan(WEEKLY, dt.date(2024, 3, 1))
    tz = zoneinfo.ZoneInfo(NY)
    for p in planned:
        local = p.due_at.astimezone(tz)
        assert dt.time(10, 0) <= local.time() < dt.time(18, 0)
        assert local.date() == p.local_date
    before = planned[1].due_at.astimezone(tz)  # Mar 8: EST
    after = planned[2].due_at.astimezone(tz)  # Mar 15: EDT
    assert before.utcoffset() == dt.timedelta(hours=-5)
    assert after.utcoffset() == dt.timedelta(hours=-4)


def test_send_times_follow_the_clients_zone_not_the_servers():
    planned = plan(WEEKLY, dt.date(2024, 7, 1), tz="Pacific/Honolulu")
    for p in planned:
        assert (
            dt.time(10, 0)
            <= p.due_at.astimezone(zoneinfo.ZoneInfo("Pacific/Honolulu")).time()
            < dt.time(18, 0)
        )


def test_send_times_vary_but_are_the_same_when_recomputed():
    first = [p.due_at for p in plan(WEEKLY, dt.date(2024, 7, 1))]
    again = [p.due_at for p in plan(WEEKLY, dt.date(2024, 7, 1))]
    assert first == again
    assert len({(d.hour, d.minute) for d in first}) > 3  # not all at the same minute


def test_send_times_avoid_quiet_hours():
    for p in plan(WEEKLY, dt.date(2024, 7, 1), quiet_start=dt.time(9, 0), quiet_end=dt.time(17, 0)):
        local = p.due_at.astimezone(zoneinfo.ZoneInfo(NY)).time()
        assert dt.time(17, 0) <= local < dt.time(18, 0)


def test_quiet_hours_overnight_leave_daytime_alone():
    for p in plan(WEEKLY, dt.date(2024, 7, 1), quiet_start=dt.time(21, 0), quiet_end=dt.time(8, 0)):
        local = p.due_at.astimezone(zoneinfo.ZoneInfo(NY)).time()
        assert dt.time(10, 0) <= local < dt.time(18, 0)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (dt.time(10, 0), dt.time(17, 59)),  # only 17:59 is left: the end itself may send
        (dt.time(17, 59), dt.time(17, 58)),  # over midnight: only 17:58 (the end) is left, 17:59 is quiet
        (dt.time(10, 1), dt.time(18, 0)),  # only 10:00 is left
    ],
)
def test_send_times_follow_outreachs_quiet_hours_rule_at_the_edges(start, end):
    """GIVEN quiet hours that leave exactly one daytime minute, at either edge of the window
    THEN every planned time is that minute, and outreach's dispatcher would not move it (the planner
    and the dispatcher ask the same rule, ``outreach.rules``)."""
    planned = plan(WEEKLY, dt.date(2024, 7, 1), quiet_start=start, quiet_end=end)
    (only,) = {p.due_at.astimezone(zoneinfo.ZoneInfo(NY)).time() for p in planned}
    assert not in_quiet_hours(only, start=start, end=end)
    for p in planned:
        assert quiet_hours_end(start=start, end=end, time_zone=zoneinfo.ZoneInfo(NY), at=p.due_at) is None


def test_the_planner_asks_outreachs_rule(monkeypatch):
    """GIVEN outreach's rule swapped for one that calls everything before 17:00 quiet
    THEN the planner picks only minutes from 17:00: it has no copy of the rule of its own."""
    monkeypatch.setattr(protocols, "in_quiet_hours", lambda t, *, start, end: t < dt.time(17, 0))
    for p in plan(WEEKLY, dt.date(2024, 7, 1), quiet_start=dt.time(1, 0), quiet_end=dt.time(2, 0)):
        assert p.due_at.astimezone(zoneinfo.ZoneInfo(NY)).time() >= dt.time(17, 0)


@time_machine.travel(dt.datetime(2024, 11, 3, 5, 30, tzinfo=dt.UTC), tick=False)
def test_a_plan_started_on_the_night_of_the_fall_back_change_keeps_local_dates():
    """GIVEN it is 01:30 local on the night clocks fall back (Nov 3, 2024, New York)
    THEN day 0 is that local date and day 7 a week later, both in daytime."""
    planned = plan(WEEKLY, dt.date(2024, 11, 3))
    tz = zoneinfo.ZoneInfo(NY)
    assert planned[0].due_at.astimezone(tz).date() == dt.date(2024, 11, 3)
    assert planned[0].due_at.astimezone(tz).utcoffset() == dt.timedelta(hours=-5)
    assert planned[1].due_at.astimezone(tz).date() == dt.date(2024, 11, 10)


@pytest.mark.parametrize(
    "steps", [[], [{"weeks": 2}], [{"days": -1}], [{"days": 1, "months": 2}], [{"birthday": "yes"}], "days"]
)
def test_malformed_protocol_steps_are_refused(steps):
    with pytest.raises(ValidationError):
        validate_steps(steps)


def test_the_shipped_protocols_are_valid():
    for spec in SHIPPED_PROTOCOLS:
        validate_steps(spec["steps"])
