"""``careteam.timezones``: the one answer to "which zone is this person in, and what is today there"."""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings

from careteam import timezones

NY = zoneinfo.ZoneInfo("America/New_York")


def person(zone):
    return SimpleNamespace(time_zone=zone)


def test_a_user_with_a_zone_gets_that_zone():
    assert timezones.user_time_zone(person("America/Chicago")) == zoneinfo.ZoneInfo("America/Chicago")


@override_settings(TIME_ZONE="America/Denver")
@pytest.mark.parametrize("user", [None, AnonymousUser(), person(""), person("Mars/Olympus_Mons")])
def test_no_or_an_unknown_zone_falls_back_to_the_site_zone_not_utc(user):
    """GIVEN nobody (a partner's link, a task acting for no one), an empty or a bad profile zone
    THEN the site's zone (settings.TIME_ZONE), as every other "today" in the site reads it."""
    assert timezones.user_time_zone(user) == zoneinfo.ZoneInfo("America/Denver")


@time_machine.travel(dt.datetime(2025, 3, 5, 4, 30, tzinfo=dt.UTC), tick=False)
def test_today_is_the_users_date_not_the_servers():
    """GIVEN 04:30 UTC on Mar 5 THEN it is still Mar 4 in New York and Los Angeles, Mar 5 in Berlin."""
    assert timezones.user_today(person("America/New_York")) == dt.date(2025, 3, 4)
    assert timezones.user_today(person("America/Los_Angeles")) == dt.date(2025, 3, 4)
    assert timezones.user_today(person("Europe/Berlin")) == dt.date(2025, 3, 5)


def test_today_at_a_given_instant():
    at = dt.datetime(2025, 3, 5, 4, 59, tzinfo=dt.UTC)  # 23:59 in New York (EST, UTC-5)
    assert timezones.user_today(person("America/New_York"), now=at) == dt.date(2025, 3, 4)
    assert timezones.user_today(person("America/New_York"), now=at + dt.timedelta(minutes=1)) == dt.date(
        2025, 3, 5
    )


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # The night clocks go forward (Mar 9, 2025, New York: EST UTC-5 until 2:00, then EDT UTC-4).
        (dt.datetime(2025, 3, 10, 3, 59, tzinfo=dt.UTC), dt.date(2025, 3, 9)),  # 23:59 EDT
        (dt.datetime(2025, 3, 10, 4, 0, tzinfo=dt.UTC), dt.date(2025, 3, 10)),  # 00:00 EDT
        # The night clocks go back (Nov 2, 2025: EDT until 2:00, then EST): the repeated hour stays Nov 2.
        (dt.datetime(2025, 11, 2, 5, 30, tzinfo=dt.UTC), dt.date(2025, 11, 2)),  # 01:30 EDT
        (dt.datetime(2025, 11, 2, 6, 30, tzinfo=dt.UTC), dt.date(2025, 11, 2)),  # 01:30 EST
        (dt.datetime(2025, 11, 3, 4, 59, tzinfo=dt.UTC), dt.date(2025, 11, 2)),  # 23:59 EST
        (dt.datetime(2025, 11, 3, 5, 0, tzinfo=dt.UTC), dt.date(2025, 11, 3)),  # 00:00 EST
    ],
)
def test_the_local_date_follows_daylight_saving_changes(utc, expected):
    user = person("America/New_York")
    assert timezones.user_local_date(user, utc) == expected
    assert timezones.user_today(user, now=utc) == expected


def test_a_client_is_read_in_their_own_zone():
    at = dt.datetime(2025, 7, 1, 5, 0, tzinfo=dt.UTC)  # 01:00 in New York, 22:00 the day before in LA
    client = person("America/Los_Angeles")
    assert timezones.client_time_zone(client) == zoneinfo.ZoneInfo("America/Los_Angeles")
    assert timezones.client_today(client, now=at) == dt.date(2025, 6, 30)
    assert timezones.client_today(person("America/New_York"), now=at) == dt.date(2025, 7, 1)


@override_settings(TIME_ZONE="America/New_York")
def test_a_client_without_a_zone_is_read_in_the_site_zone():
    assert timezones.client_time_zone(person("")) == NY
