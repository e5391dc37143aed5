"""Caring-contact schedules: protocol steps to local send dates and jittered daytime send times.

Dates are counted in the client's own time zone with ``dateutil.relativedelta`` (so "month 1" from
Jan 31 is Feb 28/29 and a month step never overflows into the next month). A birthday on Feb 29 is
sent on Feb 28 in a non-leap year. Send times are spread between 10:00 and 18:00 local time,
deterministically per plan and step (so recomputing gives the same time), never inside the client's
quiet hours. Protocols: Motto & Bostrom (2001) caring letters; Comtois et al. (2019) caring texts.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError

from outreach.rules import in_quiet_hours

DAYTIME_START = dt.time(10, 0)
DAYTIME_END = dt.time(18, 0)
BIRTHDAY_TEMPLATE = "caring-contact-birthday"
ROTATING_TEMPLATES = ("caring-contact-1", "caring-contact-2", "caring-contact-3")

# Shipped by migration 0002; editable in admin afterwards.
SHIPPED_PROTOCOLS = [
    {
        "name": "Caring contacts: next day, then monthly for a year",
        "description": "Next day, then months 1, 2, 3, 4, 6, 8, 10 and 12, and the birthday.",
        "steps": [{"days": 1}] + [{"months": m} for m in (1, 2, 3, 4, 6, 8, 10, 12)] + [{"birthday": True}],
        "is_default": True,
    },
    {
        "name": "Caring texts: eleven weeks",
        "description": "Days 0, 7, 14, 21, 35, 49, 63 and 77.",
        "steps": [{"days": d} for d in (0, 7, 14, 21, 35, 49, 63, 77)],
        "is_default": False,
    },
]


def validate_steps(steps) -> None:
    """Each step is exactly one of {"days": n ≥ 0}, {"months": n ≥ 1}, {"birthday": true}."""
    if not isinstance(steps, list) or not steps:
        raise ValidationError({"steps": "List at least one step."})
    for i, step in enumerate(steps, start=1):
        ok = isinstance(step, dict) and len(step) == 1
        if ok:
            ((key, value),) = step.items()
            ok = (
                (
                    key == "days"
                    and isinstance(value, int)
                    and not isinstance(value, bool)
                    and 0 <= value <= 3660
                )
                or (
                    key == "months"
                    and isinstance(value, int)
                    and not isinstance(value, bool)
                    and 1 <= value <= 120
                )
                or (key == "birthday" and value is True)
            )
        if not ok:
            raise ValidationError(
                {"steps": f'Step {i} must be {{"days": n}}, {{"months": n}} or {{"birthday": true}}.'}
            )


def birthday_in_year(born: dt.date, year: int) -> dt.date:
    """The birthday in ``year``; Feb 29 falls on Feb 28 when ``year`` is not a leap year."""
    if born.month == 2 and born.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return born.replace(year=year)


def next_birthday(born: dt.date, on_or_after: dt.date) -> dt.date:
    this_year = birthday_in_year(born, on_or_after.year)
    return this_year if this_year >= on_or_after else birthday_in_year(born, on_or_after.year + 1)


def step_date(step: dict, start: dt.date, date_of_birth: dt.date) -> dt.date:
    if "days" in step:
        return start + dt.timedelta(days=step["days"])
    if "months" in step:
        return start + relativedelta(months=step["months"])
    # The next birthday after the plan starts (a birthday on the start day itself is too soon to be personal).
    return next_birthday(date_of_birth, start + dt.timedelta(days=1))


def daytime_minute(seed: str, quiet_start: dt.time | None = None, quiet_end: dt.time | None = None) -> int:
    """A minute of the day between 10:00 and 18:00, outside quiet hours, the same for the same seed.

    Quiet hours are outreach's rule (``outreach.rules.in_quiet_hours``), the one the dispatcher applies
    at send time: a time planned here is never one the dispatcher would then move.
    """
    first = DAYTIME_START.hour * 60 + DAYTIME_START.minute
    last = DAYTIME_END.hour * 60 + DAYTIME_END.minute
    allowed = [
        m
        for m in range(first, last)
        if not in_quiet_hours(dt.time(m // 60, m % 60), start=quiet_start, end=quiet_end)
    ]
    if not allowed:  # quiet all day long: the dispatcher moves it out of quiet hours at send time
        allowed = list(range(first, last))
    return random.Random(seed).choice(allowed)  # noqa: S311 (spreading send times, not security)


@dataclass(frozen=True)
class PlannedMessage:
    step: int  # 0-based position in the protocol
    template_key: str
    local_date: dt.date
    due_at: dt.datetime  # aware, in the client's zone


def schedule(
    *,
    steps: list[dict],
    start: dt.date,
    date_of_birth: dt.date,
    time_zone: dt.tzinfo,
    seed: str,
    quiet_start: dt.time | None = None,
    quiet_end: dt.time | None = None,
) -> list[PlannedMessage]:
    """Every message of a protocol started on ``start``, in step order, due in daytime local time.

    ``time_zone`` is the client's (``careteam.timezones.client_time_zone``, which falls back to the
    site's zone for a blank or unknown one)."""
    tz = time_zone
    planned = []
    sequence = 0
    for i, step in enumerate(steps):
        day = step_date(step, start, date_of_birth)
        if step.get("birthday"):
            template = BIRTHDAY_TEMPLATE
        else:
            template = ROTATING_TEMPLATES[sequence % len(ROTATING_TEMPLATES)]
            sequence += 1
        minute = daytime_minute(f"{seed}-{i}", quiet_start, quiet_end)
        # 10:00-18:00 never falls in a DST gap or fold (changes happen at night), so this is unambiguous.
        local = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=tz)
        planned.append(PlannedMessage(step=i, template_key=template, local_date=day, due_at=local))
    return planned
