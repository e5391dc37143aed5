"""Panel 6 (treatment and outcomes): backlogs, PHQ-9 / GAD-7 change from baseline, the BARC-10 trend."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.assessments import scoring
from dashboards.metrics import drilldown
from dashboards.panels import treatment as panel
from dashboards.scope import scope_for
from plans.models import PlanStatus
from tests.factories import (
    AssessmentResponseFactory,
    ClientFactory,
    EncounterNoteFactory,
    TreatmentPlanFactory,
)
from tests.factories.assessments import answers_totalling, instrument

TZ = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime(2025, 3, 12, 15, 0, tzinfo=TZ)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def figure(p, key):
    return next(f for f in p.figures if f.key == key)


def score(client, code, total, when, by):
    return AssessmentResponseFactory(
        client=client,
        instrument=instrument(code),
        answers=answers_totalling(code, total),
        administered_at=when,
        administered_by=by,
    )


def plan(client, user, status, due):
    signed = {} if status == PlanStatus.DRAFT else {"signed_at": NOW, "signed_by": user}
    return TreatmentPlanFactory(client=client, created_by=user, status=status, review_due_on=due, **signed)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(frozen, team, other_team, counselor):
    c = {name: ClientFactory(primary_team=team, legal_last_name=name.upper()) for name in "abcdef"}
    theirs = ClientFactory(primary_team=other_team)
    rows = {
        "plan_overdue": plan(c["a"], counselor, PlanStatus.ACTIVE, dt.date(2025, 3, 11)),
        "plan_due_today": plan(c["b"], counselor, PlanStatus.ACTIVE, dt.date(2025, 3, 12)),
        "plan_draft": plan(c["c"], counselor, PlanStatus.DRAFT, dt.date(2025, 3, 1)),
        "plan_superseded": plan(c["d"], counselor, PlanStatus.SUPERSEDED, dt.date(2025, 2, 1)),
        "plan_theirs": plan(theirs, counselor, PlanStatus.ACTIVE, dt.date(2025, 3, 1)),
        # Started exactly 72 hours ago: counts. 71 hours: not yet.
        "note_72h": EncounterNoteFactory(
            client=c["a"], author=counselor, created_at=NOW - dt.timedelta(hours=72)
        ),
        "note_71h": EncounterNoteFactory(
            client=c["a"], author=counselor, created_at=NOW - dt.timedelta(hours=71)
        ),
        "note_signed": EncounterNoteFactory(client=c["a"], author=counselor, signed=True),
        "note_cosign": EncounterNoteFactory(
            client=c["b"], author=counselor, signed=True, requires_cosign=True
        ),
        "note_cosigned": EncounterNoteFactory(
            client=c["b"], author=counselor, signed=True, requires_cosign=True, cosigned_at=NOW
        ),
        "note_theirs": EncounterNoteFactory(
            client=theirs, author=counselor, created_at=NOW - dt.timedelta(days=9)
        ),
    }
    # PHQ-9 (range Feb 11 to Mar 12):
    for total, when in ((20, at(2025, 1, 5, 10)), (12, at(2025, 2, 1, 10)), (8, at(2025, 3, 1, 10))):
        score(c["a"], "phq9", total, when, counselor)  # baseline 20 → latest 8: -12
    score(c["b"], "phq9", 10, at(2025, 2, 20, 10), counselor)
    score(c["b"], "phq9", 4, at(2025, 3, 10, 10), counselor)  # -6, in remission
    score(c["c"], "phq9", 6, at(2025, 1, 1, 10), counselor)
    score(c["c"], "phq9", 9, at(2025, 3, 5, 10), counselor)  # +3
    score(c["d"], "phq9", 15, at(2025, 1, 1, 10), counselor)
    score(c["d"], "phq9", 14, at(2025, 2, 1, 10), counselor)  # latest before the range: left out
    score(c["e"], "phq9", 3, at(2025, 3, 1, 10), counselor)  # one score only: left out
    score(c["f"], "phq9", 9, at(2025, 1, 1, 10), counselor)
    score(c["f"], "phq9", 7, at(2025, 3, 1, 10), counselor)  # -2
    score(theirs, "phq9", 25, at(2025, 1, 1, 10), counselor)
    score(theirs, "phq9", 0, at(2025, 3, 1, 10), counselor)
    # BARC-10: October 20; the last evening of September (local) is not October; Feb 47; March 30 and 40.
    score(c["a"], "barc10", 20, at(2024, 10, 15, 10), counselor)
    score(c["a"], "barc10", 58, at(2024, 9, 30, 23, 30), counselor)
    score(c["a"], "barc10", 47, at(2025, 2, 15, 10), counselor)
    score(c["a"], "barc10", 30, at(2025, 3, 3, 10), counselor)
    score(c["b"], "barc10", 40, at(2025, 3, 10, 10), counselor)
    score(theirs, "barc10", 10, at(2025, 3, 10, 10), counselor)
    rows.update(c)
    rows["theirs"] = theirs
    return rows


def test_each_figure_matches_the_hand_worked_answer(world, supervisor):
    p = panel.compute(scope_for(supervisor))
    assert figure(p, "treatment.plans_overdue").value == 1
    assert figure(p, "treatment.notes_unsigned").value == 1
    assert figure(p, "treatment.cosign_backlog").value == 1
    # Changes -12, -6, +3, -2 → median (-6 + -2) / 2 = -4.
    assert figure(p, "treatment.phq9_median_change").value == -4.0
    assert figure(p, "treatment.phq9_median_change").numerator == 4
    # Improvement and remission count only baselines of 10+: a (20 → 8) and b (10 → 4); c (6) and f (9)
    # started below it.
    improved = figure(p, "treatment.phq9_improved_pct")
    assert (improved.numerator, improved.denominator, improved.value) == (2, 2, 100.0)
    remission = figure(p, "treatment.phq9_remission_pct")
    assert (remission.numerator, remission.denominator, remission.value) == (1, 2, 50.0)
    # Nobody has GAD-7 scores.
    assert figure(p, "treatment.gad7_median_change").value is None
    assert figure(p, "treatment.gad7_improved_pct").value is None
    (trend,) = p.series
    assert trend.points == [
        ("2024-10", 20.0),
        ("2024-11", None),
        ("2024-12", None),
        ("2025-01", None),
        ("2025-02", 47.0),
        ("2025-03", 35.0),
    ]


def test_the_median_of_an_odd_count_is_the_middle_value(world, supervisor):
    scope = scope_for(supervisor, end=dt.date(2025, 3, 9))
    # By Mar 9: a -12, c +3, f -2 (b's latest is Mar 10, after the range) → median -2.
    p = panel.compute(scope)
    assert figure(p, "treatment.phq9_median_change").value == -2.0
    assert figure(p, "treatment.phq9_remission_pct").value == 0.0


def test_drill_downs_list_the_records_behind_the_figures(world, supervisor):
    scope = scope_for(supervisor)
    assert [r["plan_id"] for r in drilldown("treatment.plans_overdue").rows(scope)] == [
        world["plan_overdue"].pk
    ]
    assert [r["note_id"] for r in drilldown("treatment.notes_unsigned").rows(scope)] == [world["note_72h"].pk]
    cosign = list(drilldown("treatment.cosign_backlog").rows(scope))
    assert [(r["note_id"], r["client_id"]) for r in cosign] == [(world["note_cosign"].pk, world["b"].pk)]
    assert cosign[0]["author_name"] == "Casey Morgan"
    change = list(drilldown("treatment.phq9_change").rows(scope))
    assert [(r["client_id"], r["baseline"], r["latest"], r["change"]) for r in change] == [
        (world["a"].pk, 20, 8, -12),
        (world["b"].pk, 10, 4, -6),
        (world["f"].pk, 9, 7, -2),
        (world["c"].pk, 6, 9, 3),
    ]
    assert change[0]["n_scores"] == 3
    assert sorted(r["total"] for r in drilldown("treatment.barc10_scores").rows(scope)) == [20, 30, 40, 47]


def test_another_teams_supervisor_sees_none_of_it(world, other_supervisor):
    scope = scope_for(other_supervisor)
    p = panel.compute(scope)
    assert figure(p, "treatment.plans_overdue").value == 1
    assert figure(p, "treatment.notes_unsigned").value == 1
    assert figure(p, "treatment.cosign_backlog").value == 0
    assert figure(p, "treatment.phq9_median_change").value == -25.0
    assert p.series[0].points[-1] == ("2025-03", 10.0)
    for key in (
        "treatment.plans_overdue",
        "treatment.notes_unsigned",
        "treatment.phq9_change",
        "treatment.barc10_scores",
    ):
        assert {r["client_id"] for r in drilldown(key).rows(scope)} == {world["theirs"].pk}


def _queries(scope) -> int:
    with CaptureQueriesContext(connection) as ctx:
        panel.compute(scope)
        for key in ("treatment.plans_overdue", "treatment.notes_unsigned", "treatment.phq9_change"):
            list(drilldown(key).rows(scope))
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_records(frozen, team, supervisor, counselor):
    def add(n):
        for i in range(n):
            client = ClientFactory(primary_team=team)
            plan(client, counselor, PlanStatus.ACTIVE, dt.date(2025, 3, 1))
            EncounterNoteFactory(client=client, author=counselor, created_at=NOW - dt.timedelta(days=5))
            score(client, "phq9", 15, at(2025, 1, 1, 10), counselor)
            score(client, "phq9", i % 10, at(2025, 3, 1, 10), counselor)
            score(client, "barc10", 30 + i, at(2025, 3, 1, 10), counselor)

    scope = scope_for(supervisor)
    add(2)
    small = _queries(scope)
    add(18)
    assert _queries(scope) == small


def test_the_panel_is_six_statements(world, supervisor):
    """Three backlog counts, one for the goals met by their measure (issue 15), one statement for both
    instruments' outcome figures (medians included), one for the BARC-10 trend."""
    scope = scope_for(supervisor)
    with CaptureQueriesContext(connection) as ctx:
        panel.compute(scope)
    assert len(ctx.captured_queries) == 6


def test_the_change_drill_down_lists_exactly_the_clients_counted(world, supervisor):
    """The figures and the drill-down read the same selector: as many rows as the median's numerator,
    and the median of their changes is the figure."""
    scope = scope_for(supervisor)
    p = panel.compute(scope)
    rows = list(drilldown("treatment.phq9_change").rows(scope))
    assert len(rows) == figure(p, "treatment.phq9_median_change").numerator
    changes = sorted(r["change"] for r in rows)
    middle = (changes[(len(changes) - 1) // 2] + changes[len(changes) // 2]) / 2
    assert figure(p, "treatment.phq9_median_change").value == middle
    elevated = [r for r in rows if r["baseline"] >= scoring.ELEVATED_FROM["phq9"]]
    assert figure(p, "treatment.phq9_improved_pct").denominator == len(elevated)
    assert figure(p, "treatment.phq9_remission_pct").numerator == sum(
        r["latest"] < scoring.REMISSION_BELOW["phq9"] for r in elevated
    )


# --- the cut-points are the scoring module's (one source) -------------------------------------------


def _one_pair(team, counselor, code, baseline, latest):
    client = ClientFactory(primary_team=team)
    score(client, code, baseline, at(2025, 1, 5, 10), counselor)
    score(client, code, latest, at(2025, 3, 1, 10), counselor)
    return client


@pytest.mark.parametrize("code", ["phq9", "gad7"])
def test_a_baseline_exactly_at_the_elevated_cut_point_counts_and_one_below_does_not(
    frozen, team, supervisor, counselor, code
):
    """GIVEN two clients whose baselines are the scoring module's elevated cut-point and one below it,
    both falling by more than a meaningful change to the floor THEN only the first is in the
    denominator, and they are the improved and the in-remission one."""
    elevated = scoring.ELEVATED_FROM[code]
    assert scoring.score(code, answers_totalling(code, elevated)).band == "moderate"
    assert scoring.score(code, answers_totalling(code, elevated - 1)).band == "mild"
    _one_pair(team, counselor, code, elevated, 0)
    _one_pair(team, counselor, code, elevated - 1, 0)
    p = panel.compute(scope_for(supervisor))
    improved = figure(p, f"treatment.{code}_improved_pct")
    remission = figure(p, f"treatment.{code}_remission_pct")
    assert (improved.numerator, improved.denominator) == (1, 1)
    assert (remission.numerator, remission.denominator) == (1, 1)


@pytest.mark.parametrize("code", ["phq9", "gad7"])
def test_remission_is_below_the_minimal_bands_ceiling(frozen, team, supervisor, counselor, code):
    """A latest score one below ``REMISSION_BELOW`` (still "minimal") is remission; at it ("mild")
    it is not."""
    below = scoring.REMISSION_BELOW[code]
    assert scoring.score(code, answers_totalling(code, below - 1)).band == "minimal"
    assert scoring.score(code, answers_totalling(code, below)).band == "mild"
    start = scoring.ELEVATED_FROM[code] + 5
    _one_pair(team, counselor, code, start, below - 1)
    _one_pair(team, counselor, code, start, below)
    remission = figure(panel.compute(scope_for(supervisor)), f"treatment.{code}_remission_pct")
    assert (remission.numerator, remission.denominator) == (1, 2)


@pytest.mark.parametrize("code", ["phq9", "gad7"])
def test_improvement_is_a_fall_of_at_least_the_meaningful_change(frozen, team, supervisor, counselor, code):
    points = scoring.MEANINGFUL_CHANGE[code]
    start = scoring.ELEVATED_FROM[code] + 5
    _one_pair(team, counselor, code, start, start - points)
    _one_pair(team, counselor, code, start, start - points + 1)
    improved = figure(panel.compute(scope_for(supervisor)), f"treatment.{code}_improved_pct")
    assert (improved.numerator, improved.denominator) == (1, 2)
    assert f"{points}+ points" in improved.label
