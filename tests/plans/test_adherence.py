"""Adherence is computed from logged completions, in the client's time zone (weeks start Monday)."""

import datetime as dt
import zoneinfo

import time_machine
from django.utils import timezone

from plans import services
from plans.adherence import adherence_for_plan, one_off_adherence, recurring_adherence
from plans.models import ActionStep
from tests.factories import active_plan
from tests.factories.plans import ActionStepFactory

LA = zoneinfo.ZoneInfo("America/Los_Angeles")
UTC = dt.UTC


def at(y, m, d, h=12, minute=0, tz=LA):
    return dt.datetime(y, m, d, h, minute, tzinfo=tz)


def test_a_completion_late_on_sunday_in_los_angeles_counts_in_that_week():
    """GIVEN 2 per week WHEN one completion is at 23:30 Sunday March 9 in LA (07:30 Monday UTC)
    THEN it counts in the week of Monday March 3, not the week of March 10."""
    sunday_night = at(2025, 3, 9, 23, 30)
    assert sunday_night.astimezone(UTC).weekday() == 0  # already Monday in UTC
    now = at(2025, 3, 12)  # Wednesday of the next week
    result = recurring_adherence(count=2, period="week", completions=[sunday_night], now=now, tz=LA)
    assert result.current.start == dt.date(2025, 3, 10) and result.current.count == 0
    assert result.history[0].start == dt.date(2025, 3, 3) and result.history[0].count == 1


def test_monday_just_after_midnight_local_starts_a_new_week():
    monday = at(2025, 3, 10, 0, 5)
    result = recurring_adherence(count=2, period="week", completions=[monday], now=at(2025, 3, 10, 9), tz=LA)
    assert result.current.count == 1 and result.history[0].count == 0


def test_this_week_and_the_last_four_weeks():
    now = at(2025, 3, 12)
    completions = [
        at(2025, 3, 11),  # this week
        at(2025, 3, 4),
        at(2025, 3, 6),  # last week 2/2
        at(2025, 2, 26),  # 1/2
        # the week of Feb 17: 0/2
        at(2025, 2, 10),
        at(2025, 2, 14),  # 2/2
        at(2025, 2, 3),  # five weeks back: outside the window
    ]
    result = recurring_adherence(count=2, period="week", completions=completions, now=now, tz=LA)
    assert str(result) == "this week 1/2; last 4 weeks 2/2, 1/2, 0/2, 2/2"
    assert [p.level for p in result.history] == ["success", "warning", "secondary", "success"]


def test_months_are_calendar_months_in_the_clients_zone():
    """23:00 on Jan 31 in LA is Feb 1 in UTC; it counts in January."""
    jan_31_night = at(2025, 1, 31, 23, 0)
    result = recurring_adherence(
        count=4, period="month", completions=[jan_31_night], now=at(2025, 2, 15), tz=LA
    )
    assert result.current.start == dt.date(2025, 2, 1) and result.current.count == 0
    assert result.history[0].start == dt.date(2025, 1, 1) and result.history[0].count == 1
    assert [p.start.month for p in result.history] == [1, 12, 11, 10]


def test_a_one_off_step_is_done_due_or_overdue():
    today = dt.date(2025, 3, 12)
    assert one_off_adherence(due_on=dt.date(2025, 3, 20), completions=[], today=today).state == "due"
    assert one_off_adherence(due_on=dt.date(2025, 3, 1), completions=[], today=today).state == "overdue"
    done = one_off_adherence(due_on=dt.date(2025, 3, 1), completions=[at(2025, 3, 2)], today=today)
    assert done.state == "done" and done.done_at == at(2025, 3, 2)


def test_plan_adherence_uses_the_clients_time_zone_and_counts_v1_completions_on_v2(alice, counselor):
    alice.time_zone = "America/Los_Angeles"
    alice.save(update_fields=["time_zone"])
    with time_machine.travel(at(2025, 3, 9, 23, 30), tick=False):
        v1 = active_plan(alice, counselor)
        step = ActionStep.objects.get(goal__problem__plan=v1)
        services.step_completion_log(
            client=alice, step=step, acting_user=counselor, completed_at=timezone.now()
        )
    with time_machine.travel(at(2025, 3, 12, 10), tick=False):
        v2 = services.plan_activate(
            plan=services.plan_create_draft(client=alice, acting_user=counselor),
            acting_user=counselor,
            client_agreement="signed",
            client_agreement_on=timezone.localdate(),
        )
        step_v2 = ActionStep.objects.get(goal__problem__plan=v2)
        services.step_completion_log(
            client=alice, step=step_v2, acting_user=counselor, completed_at=timezone.now()
        )
        result = adherence_for_plan(v2)[step_v2.pk]
    assert result.current.count == 1
    assert result.history[0].count == 1  # the v1 completion, in the week of March 3 (LA time)


def test_plan_adherence_is_one_query_whatever_the_steps(alice, counselor, django_assert_num_queries):
    plan = active_plan(alice, counselor, goals=2, steps=3)
    goal = plan.problems.get().goals.first()
    ActionStepFactory(goal=goal, frequency_count=None, frequency_period="", due_on=dt.date(2030, 1, 1))
    steps = list(ActionStep.objects.filter(goal__problem__plan=plan))
    plan = type(plan).objects.select_related("client").get(pk=plan.pk)
    with django_assert_num_queries(1):
        result = adherence_for_plan(plan, steps)
    assert len(result) == 7
