"""Action-step adherence, computed from logged completions (never typed in).

Periods are counted in the CLIENT's time zone: days start at local midnight, weeks on Monday
00:00 local time (ISO 8601 weeks), months are calendar months. A completion at 23:30 on a Sunday
in Los Angeles belongs to that week even though it is already Monday in UTC.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from careteam.timezones import client_time_zone

from .models import ActionStep, ActionStepCompletion, FrequencyPeriod, TreatmentPlan

HISTORY_PERIODS = 4


@dataclass(frozen=True)
class PeriodCount:
    start: dt.date
    count: int
    target: int

    @property
    def met(self) -> bool:
        return self.count >= self.target

    @property
    def level(self) -> str:
        """A Bootstrap colour for the badge."""
        if self.met:
            return "success"
        return "warning" if self.count else "secondary"


@dataclass(frozen=True)
class RecurringAdherence:
    period: str
    target: int
    current: PeriodCount
    history: list[PeriodCount] = field(default_factory=list)  # most recent first

    recurring = True

    @property
    def period_label(self) -> str:
        return {"day": "today", "week": "this week", "month": "this month"}[self.period]

    @property
    def history_label(self) -> str:
        noun = {"day": "days", "week": "weeks", "month": "months"}[self.period]
        return f"last {len(self.history)} {noun}"

    def __str__(self) -> str:
        past = ", ".join(f"{p.count}/{p.target}" for p in self.history)
        return f"{self.period_label} {self.current.count}/{self.target}; {self.history_label} {past}"


@dataclass(frozen=True)
class OneOffAdherence:
    state: str  # "done", "due", "overdue"
    due_on: dt.date | None
    done_at: dt.datetime | None = None

    recurring = False

    @property
    def level(self) -> str:
        return {"done": "success", "due": "info", "overdue": "danger"}[self.state]

    def __str__(self) -> str:
        return self.state


def period_start(day: dt.date, period: str) -> dt.date:
    if period == FrequencyPeriod.DAY:
        return day
    if period == FrequencyPeriod.WEEK:
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def previous_period_start(start: dt.date, period: str) -> dt.date:
    if period == FrequencyPeriod.DAY:
        return start - dt.timedelta(days=1)
    if period == FrequencyPeriod.WEEK:
        return start - dt.timedelta(days=7)
    return (start - dt.timedelta(days=1)).replace(day=1)


def local_midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def window_start(period: str, *, now: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The earliest moment a recurring step's display needs (the start of the oldest history period)."""
    start = period_start(now.astimezone(tz).date(), period)
    for _ in range(HISTORY_PERIODS):
        start = previous_period_start(start, period)
    return local_midnight(start, tz)


def recurring_adherence(
    *, count: int, period: str, completions: list[dt.datetime], now: dt.datetime, tz: dt.tzinfo
) -> RecurringAdherence:
    """This period's completions against ``count`` and the last ``HISTORY_PERIODS`` periods'."""
    by_period: dict[dt.date, int] = defaultdict(int)
    for at in completions:
        by_period[period_start(at.astimezone(tz).date(), period)] += 1
    start = period_start(now.astimezone(tz).date(), period)
    current = PeriodCount(start, by_period.get(start, 0), count)
    history = []
    for _ in range(HISTORY_PERIODS):
        start = previous_period_start(start, period)
        history.append(PeriodCount(start, by_period.get(start, 0), count))
    return RecurringAdherence(period=period, target=count, current=current, history=history)


def one_off_adherence(
    *, due_on: dt.date | None, completions: list[dt.datetime], today: dt.date
) -> OneOffAdherence:
    if completions:
        return OneOffAdherence("done", due_on, max(completions))
    if due_on is not None and due_on < today:
        return OneOffAdherence("overdue", due_on)
    return OneOffAdherence("due", due_on)


def adherence_for_steps(
    steps: list[ActionStep], *, client, now: dt.datetime | None = None
) -> dict[int, RecurringAdherence | OneOffAdherence]:
    """Adherence of each step, from one query over the client's completions by lineage."""
    if not steps:
        return {}
    now = now or timezone.now()
    tz = client_time_zone(client)
    recurring = [s for s in steps if s.is_recurring]
    one_off = [s for s in steps if not s.is_recurring]
    cond = Q()
    if recurring:
        earliest = min(window_start(s.frequency_period, now=now, tz=tz) for s in recurring)
        cond |= Q(step_lineage__in={s.lineage for s in recurring}, completed_at__gte=earliest)
    if one_off:
        cond |= Q(step_lineage__in={s.lineage for s in one_off})
    by_lineage: dict = defaultdict(list)
    for lineage, at in ActionStepCompletion.objects.filter(cond, client_id=client.pk).values_list(
        "step_lineage", "completed_at"
    ):
        if at <= now:
            by_lineage[lineage].append(at)
    today = now.astimezone(tz).date()
    result = {}
    for step in steps:
        done = by_lineage.get(step.lineage, [])
        if step.is_recurring:
            result[step.pk] = recurring_adherence(
                count=step.frequency_count, period=step.frequency_period, completions=done, now=now, tz=tz
            )
        else:
            result[step.pk] = one_off_adherence(due_on=step.due_on, completions=done, today=today)
    return result


def adherence_for_plan(plan: TreatmentPlan, steps: list[ActionStep] | None = None, *, now=None) -> dict:
    """Adherence for every step of ``plan`` (pass the prefetched steps to save a query)."""
    if steps is None:
        steps = list(ActionStep.objects.filter(goal__problem__plan=plan))
    return adherence_for_steps(steps, client=plan.client, now=now)
