"""Referral deadlines, computed from the database by a periodic task (no long Celery ETAs).

Three rules, each configurable in settings and idempotent (``task_create``'s ``dedupe_key``):

* **No response** — a requested referral the partner has not answered within
  ``CARETEAM_REFERRAL_RESPONSE_DEADLINES[urgency]`` (routine: 2 business days, urgent: 4 hours) →
  the referral is flagged and the referring staff member gets a ``referral_no_response`` task.
  Business days skip weekends and the public holidays of ``CARETEAM_HOLIDAYS_COUNTRY`` (the
  ``holidays`` package), counted in the site's time zone.
* **Outcome due** — the appointment at the partner passed ``CARETEAM_REFERRAL_OUTCOME_GRACE_DAYS``
  ago, the partner had taken the referral on and no outcome is recorded (the worklist's "Needs
  outcome" condition, ``selectors.appointment_passed_q``) → a ``referral_outcome_due`` task to check
  with the client.
* **Stale** — an open referral with no activity for ``CARETEAM_REFERRAL_STALE_DAYS`` → flagged and a
  ``referral_stale`` task; after new activity a later silence raises a new one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from careteam.models import Task, TaskKind, TaskPriority

from . import services, states
from .models import Referral, ReferralStatus, Urgency
from .selectors import appointment_passed_q


@lru_cache(maxsize=8)
def _holidays(country: str, year: int):
    return holidays.country_holidays(country, years=year)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _holidays(settings.CARETEAM_HOLIDAYS_COUNTRY, day.year)


def add_business_days(start: dt.datetime, days: int) -> dt.datetime:
    """``start`` moved forward ``days`` business days, same local clock time.

    A referral sent on a Saturday, or on a holiday, starts counting from the next business day.
    """
    local = timezone.localtime(start)
    day = local.date()
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    moved = dt.datetime.combine(day, local.time().replace(tzinfo=None))
    return timezone.make_aware(moved, local.tzinfo) if timezone.is_naive(moved) else moved


def response_due(referral: Referral) -> dt.datetime | None:
    """When the partner's answer is due: requested time + the urgency's deadline."""
    if referral.requested_at is None:
        return None
    rule = settings.CARETEAM_REFERRAL_RESPONSE_DEADLINES.get(
        referral.urgency, settings.CARETEAM_REFERRAL_RESPONSE_DEADLINES[Urgency.ROUTINE]
    )
    if "business_days" in rule:
        return add_business_days(referral.requested_at, int(rule["business_days"]))
    return referral.requested_at + dt.timedelta(hours=float(rule.get("hours", 0)))


def _business_deadline_passed_q(now: dt.datetime, business_days: int) -> Q:
    """``requested_at`` values whose business-day deadline (``add_business_days``) is ``<= now``.

    The deadline grows with ``requested_at``, so the overdue sends are every day up to the last one whose
    deadline day is before today, plus — on the days whose deadline falls today — the times of day up
    to now's clock time. Worked out on the calendar here so the database can filter with plain ranges.
    """
    tz = timezone.get_current_timezone()
    local_now = timezone.localtime(now, tz)
    today = local_now.date()
    whole_days_before: dt.date | None = None
    partial_days: list[dt.date] = []
    # A deadline is at most ``business_days`` plus the longest run of weekends and holidays away.
    for back in range(0, business_days + 30):
        day = today - dt.timedelta(days=back)
        due_day = timezone.localtime(
            add_business_days(dt.datetime.combine(day, dt.time(12), tzinfo=tz), business_days), tz
        ).date()
        if due_day < today:
            whole_days_before = day
            break
        if due_day == today:
            partial_days.append(day)
    q = Q(pk__in=[])
    if whole_days_before is not None:
        q |= Q(
            requested_at__lt=dt.datetime.combine(
                whole_days_before + dt.timedelta(days=1), dt.time.min, tzinfo=tz
            )
        )
    for day in partial_days:
        q |= Q(
            requested_at__gte=dt.datetime.combine(day, dt.time.min, tzinfo=tz),
            requested_at__lte=dt.datetime.combine(day, local_now.time(), tzinfo=tz),
        )
    return q


def response_overdue_q(now: dt.datetime | None = None) -> Q:
    """Sent referrals the partner has not answered by their response deadline (``response_due``:
    ``CARETEAM_REFERRAL_RESPONSE_DEADLINES`` per urgency, business days or hours), as of ``now``, as a
    filter: the one rule behind the no-response check and the dashboard's overdue figure."""
    now = now or timezone.now()
    rules = settings.CARETEAM_REFERRAL_RESPONSE_DEADLINES
    routine = rules[Urgency.ROUTINE]
    passed = Q(pk__in=[])
    for urgency in Urgency.values:
        rule = rules.get(urgency, routine)
        if "business_days" in rule:
            deadline = _business_deadline_passed_q(now, int(rule["business_days"]))
        else:
            deadline = Q(requested_at__lte=now - dt.timedelta(hours=float(rule.get("hours", 0))))
        passed |= Q(urgency=urgency) & deadline
    return Q(status=ReferralStatus.REQUESTED, first_response_at__isnull=True) & passed


@dataclass
class DeadlineReport:
    no_response: int = 0
    outcome_due: int = 0
    stale: int = 0


# Candidates are read this many at a time, and the deadline keys already raised for them looked up in
# one query per batch.
BATCH = 500


def _flag_new(candidates: QuerySet[Referral], key: Callable[[Referral], str], flag: Callable) -> int:
    """Flag each candidate whose deadline ``key`` (the task's dedupe key) has not been raised yet.

    Referrals flagged on an earlier run stay candidates for as long as they are overdue. Their keys
    are checked a batch at a time, so a sweep over thousands of them costs a few queries. Only the new
    ones pay for a locked transaction (``services.referral_flag``, which checks the key again under
    the lock).
    """
    raised = 0
    for batch in _batches(candidates.iterator(chunk_size=BATCH)):
        keys = {referral.pk: key(referral) for referral in batch}
        seen = set(Task.objects.filter(dedupe_key__in=keys.values()).values_list("dedupe_key", flat=True))
        for referral in batch:
            if keys[referral.pk] not in seen:
                raised += flag(referral, keys[referral.pk])
    return raised


def _batches(rows: Iterator[Referral]) -> Iterator[list[Referral]]:
    batch: list[Referral] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def check_no_response(now: dt.datetime) -> int:
    def flag(referral: Referral, dedupe_key: str) -> bool:
        return services.referral_flag(
            referral=referral,
            reason=f"No response from {referral.organization.name} since "
            f"{timezone.localtime(referral.requested_at):%b %-d, %-I:%M %p} "
            f"({referral.get_urgency_display().lower()}).",
            task_kind=TaskKind.REFERRAL_NO_RESPONSE,
            title=f"No response to the referral to {referral.organization.name}",
            dedupe_key=dedupe_key,
            priority=TaskPriority.URGENT if referral.urgency == Urgency.URGENT else TaskPriority.NORMAL,
        )

    return _flag_new(
        Referral.objects.filter(response_overdue_q(now)).select_related("organization").order_by("pk"),
        lambda r: f"referral:{r.pk}:no-response:{r.requested_at.isoformat()}",
        flag,
    )


def check_outcome_due(now: dt.datetime) -> int:
    grace = dt.timedelta(days=settings.CARETEAM_REFERRAL_OUTCOME_GRACE_DAYS)

    def flag(referral: Referral, dedupe_key: str) -> bool:
        return services.referral_flag(
            referral=referral,
            reason=f"The appointment at {referral.organization.name} on "
            f"{timezone.localtime(referral.appointment_at):%b %-d} passed with no outcome recorded.",
            task_kind=TaskKind.REFERRAL_OUTCOME_DUE,
            title=f"Check with the client: appointment at {referral.organization.name}",
            dedupe_key=dedupe_key,
        )

    return _flag_new(
        # The same "appointment passed, no outcome" the worklist's badge and "Needs outcome" bucket read
        # (``selectors.appointment_passed_q``), ``grace`` later: a request the partner never took on
        # has no appointment to have passed (the no-response deadline covers it).
        Referral.objects.filter(appointment_passed_q(now - grace), outcome="")
        .select_related("organization")
        .order_by("pk"),
        lambda r: f"referral:{r.pk}:outcome-due:{r.appointment_at.isoformat()}",
        flag,
    )


def check_stale(now: dt.datetime) -> int:
    days = settings.CARETEAM_REFERRAL_STALE_DAYS

    def flag(referral: Referral, dedupe_key: str) -> bool:
        return services.referral_flag(
            referral=referral,
            reason=f"No activity for {days} days.",
            task_kind=TaskKind.REFERRAL_STALE,
            title=f"Referral to {referral.organization.name}: no activity for {days} days",
            dedupe_key=dedupe_key,
        )

    return _flag_new(
        Referral.objects.filter(status__in=states.OPEN, last_activity_at__lte=now - dt.timedelta(days=days))
        .select_related("organization")
        .order_by("pk"),
        lambda r: f"referral:{r.pk}:stale:{r.last_activity_at.isoformat()}",
        flag,
    )


def check_deadlines(now: dt.datetime | None = None) -> DeadlineReport:
    """Run every rule once; running it again raises nothing new."""
    now = now or timezone.now()
    return DeadlineReport(
        no_response=check_no_response(now), outcome_due=check_outcome_due(now), stale=check_stale(now)
    )
