"""The treatment panel counts goals met by their measure (issue 15): measured goals on active plans,
met by the latest score, not yet, and with no score since the plan started — by the same rule the plan
tab applies (``plans.selectors.goal_measure_status``)."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.panels import treatment as panel
from dashboards.scope import scope_for
from plans import selectors as plan_selectors
from plans.models import Goal, MeasureComparator, PlanStatus
from tests.factories import AssessmentResponseFactory, ClientFactory, TreatmentPlanFactory
from tests.factories.assessments import answers_totalling, instrument
from tests.factories.plans import GoalFactory, ProblemFactory

TZ = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime(2025, 3, 12, 15, 0, tzinfo=TZ)
SIGNED = NOW - dt.timedelta(days=60)


def figure(p, key):
    return next(f for f in p.figures if f.key == key)


def score(client, code, total, days_ago, by):
    return AssessmentResponseFactory(
        client=client,
        instrument=instrument(code),
        answers=answers_totalling(code, total),
        administered_at=NOW - dt.timedelta(days=days_ago),
        administered_by=by,
    )


def measured_goal(client, user, *, code="phq9", comparator=MeasureComparator.BELOW, target=10, status=None):
    status = status or PlanStatus.ACTIVE
    signed = {} if status == PlanStatus.DRAFT else {"signed_at": SIGNED, "signed_by": user}
    plan = _plan(client, user, status, signed)
    return GoalFactory(
        problem=ProblemFactory(plan=plan),
        measure_instrument=instrument(code),
        measure_comparator=comparator,
        measure_target=target,
    )


def _plan(client, user, status, signed):
    return TreatmentPlanFactory(client=client, created_by=user, status=status, **signed)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(frozen, team, other_team, counselor):
    c = {name: ClientFactory(primary_team=team) for name in "abcdefg"}
    theirs = ClientFactory(primary_team=other_team)
    measured_goal(c["a"], counselor)  # PHQ-9 below 10: latest 9 → met
    score(c["a"], "phq9", 18, 70, counselor)
    score(c["a"], "phq9", 9, 5, counselor)
    measured_goal(c["b"], counselor)  # latest exactly 10 → not yet
    score(c["b"], "phq9", 10, 5, counselor)
    measured_goal(c["c"], counselor)  # only a score before the plan started → no score since
    score(c["c"], "phq9", 4, 90, counselor)
    measured_goal(c["d"], counselor, code="who5", comparator=MeasureComparator.AT_OR_ABOVE, target=13)
    score(c["d"], "who5", 13, 1, counselor)  # at the target → met
    measured_goal(c["e"], counselor, code="gad7")  # never scored → no score
    measured_goal(c["f"], counselor, status=PlanStatus.DRAFT)  # not an active plan: left out
    score(c["f"], "phq9", 2, 1, counselor)
    GoalFactory(
        problem=ProblemFactory(
            plan=_plan(c["g"], counselor, PlanStatus.ACTIVE, {"signed_at": SIGNED, "signed_by": counselor})
        )
    )  # not measured: left out
    measured_goal(theirs, counselor)  # another team: left out
    score(theirs, "phq9", 1, 1, counselor)
    return c


def test_goals_are_counted_met_not_yet_and_without_a_score_since_the_plan_started(world, supervisor):
    p = panel.compute(scope_for(supervisor))
    assert figure(p, "treatment.goals_measured").value == 5
    met = figure(p, "treatment.goals_met")
    assert (met.numerator, met.denominator, met.value) == (2, 5, 40.0)
    assert figure(p, "treatment.goals_not_yet").value == 1
    assert figure(p, "treatment.goals_no_score").value == 2


def test_another_teams_supervisor_counts_only_their_own(world, other_supervisor):
    p = panel.compute(scope_for(other_supervisor))
    assert figure(p, "treatment.goals_measured").value == 1
    assert figure(p, "treatment.goals_met").numerator == 1


def test_the_panel_and_the_plan_tab_apply_the_same_rule(world, supervisor, monkeypatch):
    """GIVEN the rule changed in its one place WHEN the panel is computed THEN its counts follow."""
    monkeypatch.setattr(plan_selectors, "goal_measure_met", lambda *, comparator, target, total: False)
    p = panel.compute(scope_for(supervisor))
    assert figure(p, "treatment.goals_met").numerator == 0
    assert figure(p, "treatment.goals_not_yet").value == 3


def test_no_measured_goals_gives_no_rate(frozen, team, supervisor):
    p = panel.compute(scope_for(supervisor))
    assert figure(p, "treatment.goals_measured").value == 0
    assert figure(p, "treatment.goals_met").value is None


def _queries(scope) -> int:
    with CaptureQueriesContext(connection) as ctx:
        panel.compute(scope)
    return len(ctx.captured_queries)


def test_the_query_count_stays_flat_from_2_to_50_measured_goals(frozen, team, supervisor, counselor):
    def add(n):
        for i in range(n):
            client = ClientFactory(primary_team=team)
            measured_goal(client, counselor, target=5 + i % 10)
            score(client, "phq9", i % 20, i % 90, counselor)

    scope = scope_for(supervisor)
    add(2)
    small = _queries(scope)
    add(48)
    assert _queries(scope) == small
    assert Goal.objects.filter(measure_instrument__isnull=False).count() == 50
