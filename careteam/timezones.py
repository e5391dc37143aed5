"""The one place that says which time zone a staff member or a client lives in, and what "today" is there.

Times are stored in UTC; dates people act on are calendar dates where they are. A note "written
today", a contact "not after today" and a caring text "sent in the daytime" all depend on whose
today it is, and a rule that works it out a second time drifts (one copy fell back to UTC for a
user with no zone, another crashed). Every app reads it from here.

Kept to names in ``careteam.models`` and plain attributes, so the kernel's layering holds: a client
is passed in, never imported from ``clients``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.utils import timezone


def zone_named(name: str | None) -> zoneinfo.ZoneInfo:
    """``name`` as a time zone, or the site's default (``settings.TIME_ZONE``) when it is empty or
    unknown: an unset profile field must not stop a page or put a person in UTC by surprise."""
    if not name:
        return timezone.get_default_timezone()
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def user_time_zone(user) -> zoneinfo.ZoneInfo:
    """The zone a staff member enters and reads times in (their profile's ``time_zone``).

    ``user`` may be None or anonymous (a partner's link, a Celery task acting for nobody): the site's
    default zone then.
    """
    return zone_named(getattr(user, "time_zone", "") or "")


def user_today(user, *, now: dt.datetime | None = None) -> dt.date:
    """Today's date where the staff member is (``now`` for tests and for one instant per request)."""
    return (now or timezone.now()).astimezone(user_time_zone(user)).date()


def user_local_date(user, moment: dt.datetime) -> dt.date:
    """The calendar date of an instant as the staff member saw it (e.g. "recorded today?")."""
    return moment.astimezone(user_time_zone(user)).date()


def client_time_zone(client) -> zoneinfo.ZoneInfo:
    """The zone a client lives in (``Client.time_zone``): reminders, quiet hours and calendar-date
    measures (7-day follow-up, HEDIS FUH/FUA/FUM) count in it."""
    return zone_named(getattr(client, "time_zone", "") or "")


def client_today(client, *, now: dt.datetime | None = None) -> dt.date:
    """Today's date where the client is."""
    return (now or timezone.now()).astimezone(client_time_zone(client)).date()
