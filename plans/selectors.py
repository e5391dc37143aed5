"""Reads of treatment plans, already scoped to the clients the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from careteam import access
from careteam.models import CareTeamAssignment, CaseRole, User
from careteam.timezones import user_today
from clients.assessments import scoring
from clients.models import AssessmentResponse, Client, ClientStatus
from clients.selectors import client_get_for_user

from .models import (
    ActionStep,
    ActionStepCompletion,
    Goal,
    GoalReview,
    Intervention,
    MeasureComparator,
    PlanReview,
    PlanStatus,
    Problem,
    TreatmentPlan,
)

TODAY_PLANS_LIMIT = 15
VIEW_PERMISSION = "plans.view_treatmentplan"
EDIT_PERMISSION = "plans.change_treatmentplan"


def plans_can_read_clinical(user: User) -> bool:
    """Works with plans as a clinician (the note's plan-goals panel, plans due on Today): the role reads
    plans and is not on the minimum-necessary view (peers read goals and steps on their own page)."""
    return user.has_perm(VIEW_PERMISSION) and not access.minimum_necessary_view(user)


def plans_can_edit(user: User, client: Client) -> bool:
    """Drafts, activates and reviews this client's plan: the role edits plans and the user may change
    the client's record."""
    return user.has_perm(EDIT_PERMISSION) and access.client_can_access(user, client, access.CHANGE)


def action_steps_can_log(user: User) -> bool:
    """Logs completions of action steps on the plans the user may read: the role's permission and view
    access to the client are enough (peers log "went to a support group")."""
    return user.is_authenticated and user.has_perm("plans.add_actionstepcompletion")


def with_items(qs: QuerySet[TreatmentPlan]) -> QuerySet[TreatmentPlan]:
    """Problems → goals → steps and interventions in four queries whatever their number."""
    return qs.select_related("client", "signed_by", "created_by").prefetch_related(
        Prefetch(
            "problems",
            queryset=Problem.objects.prefetch_related(
                Prefetch(
                    "goals",
                    queryset=Goal.objects.select_related("measure_instrument").prefetch_related(
                        "action_steps",
                        Prefetch(
                            "interventions", queryset=Intervention.objects.select_related("responsible_staff")
                        ),
                    ),
                )
            ),
        )
    )


def plan_items(plan: TreatmentPlan) -> tuple[list[Goal], list[ActionStep], list[Intervention]]:
    """Every goal, step and intervention of a plan loaded by ``with_items`` (no queries)."""
    goals = [g for p in plan.problems.all() for g in p.goals.all()]
    steps = [s for g in goals for s in g.action_steps.all()]
    interventions = [i for g in goals for i in g.interventions.all()]
    return goals, steps, interventions


def plans_for_user(user: User, perm: str = access.VIEW) -> QuerySet[TreatmentPlan]:
    return TreatmentPlan.objects.filter(client__in=access.clients_visible_to(user, perm).values("pk"))


def plan_active_for_client(client: Client) -> TreatmentPlan | None:
    return with_items(TreatmentPlan.objects.filter(client=client, status=PlanStatus.ACTIVE)).first()


def plan_versions_for_client(client: Client) -> list[TreatmentPlan]:
    """Every version, newest first (one query)."""
    return list(TreatmentPlan.objects.filter(client=client).select_related("signed_by").order_by("-version"))


def plan_get_for_client(client: Client, plan_pk: int, *, items: bool = True) -> TreatmentPlan:
    """One version of a client already loaded through the scoped client selector; otherwise 404."""
    qs = TreatmentPlan.objects.filter(client=client)
    if items:
        qs = with_items(qs)
    try:
        return qs.get(pk=plan_pk)
    except (TreatmentPlan.DoesNotExist, ValueError, TypeError):
        raise Http404("No such plan.") from None


def plan_get_for_user(user: User, client_pk: int, plan_pk: int, *, perm: str = access.VIEW) -> TreatmentPlan:
    return plan_get_for_client(client_get_for_user(user, client_pk, perm=perm), plan_pk)


def _item_for_client(model, client: Client, pk: int, plan_path: str):
    try:
        return model.objects.select_related(plan_path).get(pk=pk, **{f"{plan_path}__client": client})
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404("No such item.") from None


def problem_get(client: Client, pk: int) -> Problem:
    return _item_for_client(Problem, client, pk, "plan")


def goal_get(client: Client, pk: int) -> Goal:
    return _item_for_client(Goal, client, pk, "problem__plan")


def step_get(client: Client, pk: int) -> ActionStep:
    return _item_for_client(ActionStep, client, pk, "goal__problem__plan")


def intervention_get(client: Client, pk: int) -> Intervention:
    return _item_for_client(Intervention, client, pk, "goal__problem__plan")


def reviews_for_plan(plan: TreatmentPlan, *, with_scores: bool) -> list[PlanReview]:
    qs = PlanReview.objects.filter(plan__client_id=plan.client_id, plan__version__lte=plan.version)
    qs = qs.select_related("reviewer", "plan").prefetch_related(
        Prefetch("goal_reviews", queryset=GoalReview.objects.select_related("goal__measure_instrument"))
    )
    if with_scores:
        qs = qs.prefetch_related("assessments__instrument")
    reviews = list(qs)
    if with_scores:
        for review in reviews:
            _measures_at_review(review)
    return reviews


def completion_list_for_user(user: User) -> QuerySet[ActionStepCompletion]:
    return ActionStepCompletion.objects.filter(
        client__in=access.clients_visible_to(user).values("pk")
    ).select_related("logged_by")


def group_attendance_steps_uncredited(client: Client, *, comment: str) -> list[ActionStep]:
    """The client's active-plan steps that count support-group attendance (``counts_group_attendance``,
    e.g. "2 support groups a week") and carry no completion logged with ``comment`` yet.

    Peer support credits an attended group through this and ``plans.services.step_completion_log``:
    the comment names the attendance, so crediting it again finds nothing left to log. Completions
    are kept by lineage, so one logged on an earlier plan version still counts. One query.
    """
    credited = ActionStepCompletion.objects.filter(
        client=client, step_lineage=OuterRef("lineage"), comment=comment
    )
    return list(
        ActionStep.objects.filter(
            goal__problem__plan__client=client,
            goal__problem__plan__status=PlanStatus.ACTIVE,
            counts_group_attendance=True,
        )
        .exclude(Exists(credited))
        .order_by("pk")
    )


# --- Chart alert and Today --------------------------------------------------------------------


def plan_review_state(client: Client) -> tuple[bool, dt.date | None]:
    """(whether the client has an active plan, its review due date) — one query."""
    row = (
        TreatmentPlan.objects.filter(client=client, status=PlanStatus.ACTIVE)
        .values_list("pk", "review_due_on")
        .first()
    )
    return (row is not None, row[1] if row else None)


def plans_due_for_user(user: User, *, today: dt.date | None = None) -> list[Client]:
    """The user's own clients (primary counselor or case manager) whose active plan is due for review
    today or earlier, or who are active without an active plan. One query, bounded."""
    today = today or user_today(user)
    mine = CareTeamAssignment.objects.active().filter(
        client=OuterRef("pk"),
        staff=user,
        role__in=[CaseRole.PRIMARY_COUNSELOR, CaseRole.CASE_MANAGER],
    )
    active_plan = TreatmentPlan.objects.filter(client=OuterRef("pk"), status=PlanStatus.ACTIVE)
    draft_plan = TreatmentPlan.objects.filter(client=OuterRef("pk"), status=PlanStatus.DRAFT)
    qs = (
        access.clients_visible_to(user)
        .filter(Exists(mine))
        .annotate(
            has_active_plan=Exists(active_plan),
            has_draft_plan=Exists(draft_plan),
            plan_review_due_on=Subquery(active_plan.values("review_due_on")[:1]),
        )
        .filter(
            Q(has_active_plan=True, plan_review_due_on__lte=today)
            | Q(has_active_plan=False, status=ClientStatus.ACTIVE)
        )
        .order_by("plan_review_due_on", "legal_last_name", "id")
    )
    return list(qs[: TODAY_PLANS_LIMIT + 1])


# --- Goals measured by an instrument ------------------------------------------------------------------
# "PHQ-9 below 10 by 2027-03-01": a goal's measure is read against the client's scores on that
# instrument. Whether a goal is met is ``goal_measure_status`` — the one rule the plan tab, the reviews
# and the treatment dashboard all apply.

MEASURE_MET = "met"
MEASURE_NOT_YET = "not_yet"
MEASURE_NO_SCORE = "no_score"
MEASURE_STATUS_LABELS = {
    MEASURE_MET: _("Met"),
    MEASURE_NOT_YET: _("Not yet"),
    MEASURE_NO_SCORE: _("No score since the plan started"),
}
TREND_POINTS = 6  # the latest scores shown in a goal's small trend
_SPARK = "▁▂▃▄▅▆▇█"


def goal_measure_met(*, comparator: str, target: int, total: int) -> bool:
    """Whether ``total`` meets a goal's target: strictly below it, or at or above it."""
    if comparator == MeasureComparator.BELOW:
        return total < target
    return total >= target


def goal_measure_status(*, comparator: str, target: int, latest_total: int | None, scored_since: bool) -> str:
    """``met`` / ``not_yet`` by the latest score, or ``no_score`` when there is none since the plan
    started (``scored_since`` false): a score from before the plan says where it began, not whether
    the goal has been met. The plan tab, the reviews and the treatment dashboard all decide here."""
    if latest_total is None or not scored_since:
        return MEASURE_NO_SCORE
    met = goal_measure_met(comparator=comparator, target=target, total=latest_total)
    return MEASURE_MET if met else MEASURE_NOT_YET


def plan_started_at(plan: TreatmentPlan) -> dt.datetime:
    """When a plan version started counting: signed (activated), or created while still a draft."""
    return plan.signed_at or plan.created_at


@dataclass(frozen=True)
class ScorePoint:
    total: int
    at: dt.datetime


@dataclass
class GoalMeasureProgress:
    """Where a measured goal stands: baseline, latest, target, status and a small trend."""

    instrument_name: str
    comparator: str
    comparator_label: str
    target: int
    scale: tuple[int, int]
    status: str
    baseline: ScorePoint | None = None
    latest: ScorePoint | None = None
    trend: list[ScorePoint] = field(default_factory=list)  # oldest first, at most TREND_POINTS

    @property
    def status_label(self) -> str:
        return MEASURE_STATUS_LABELS[self.status]

    @property
    def status_css(self) -> str:
        css = {MEASURE_MET: "success", MEASURE_NOT_YET: "warning", MEASURE_NO_SCORE: "secondary"}
        return css[self.status]

    @property
    def direction(self) -> str:
        """``better`` / ``worse`` / ``same`` from the previous score to the latest, read the way the goal
        points (down for "below", up for "at or above"); empty with fewer than two scores."""
        if len(self.trend) < 2:
            return ""
        delta = self.trend[-1].total - self.trend[-2].total
        if delta == 0:
            return "same"
        toward = delta < 0 if self.comparator == MeasureComparator.BELOW else delta > 0
        return "better" if toward else "worse"

    @property
    def arrow(self) -> str:
        if len(self.trend) < 2:
            return ""
        delta = self.trend[-1].total - self.trend[-2].total
        return "→" if delta == 0 else ("↓" if delta < 0 else "↑")

    @property
    def sparkline(self) -> str:
        """The trend as block characters scaled to the instrument's range (text, no chart)."""
        low, high = self.scale
        span = max(high - low, 1)
        return "".join(_SPARK[round((p.total - low) / span * (len(_SPARK) - 1))] for p in self.trend)

    @property
    def trend_text(self) -> str:
        return ", ".join(str(p.total) for p in self.trend)


def _progress(goal: Goal, scores: list[ScorePoint], since: dt.datetime) -> GoalMeasureProgress:
    """A measured goal's progress from the client's scores on its instrument (oldest first).

    Baseline: the first score on or after the plan started, or else the latest before it."""
    after = [p for p in scores if p.at >= since]
    before = [p for p in scores if p.at < since]
    baseline = after[0] if after else (before[-1] if before else None)
    latest = scores[-1] if scores else None
    status = goal_measure_status(
        comparator=goal.measure_comparator,
        target=goal.measure_target,
        latest_total=latest.total if latest else None,
        scored_since=latest is not None and latest.at >= since,
    )
    shown = [p for p in scores if baseline is not None and p.at >= baseline.at]
    return GoalMeasureProgress(
        instrument_name=goal.measure_instrument.name,
        comparator=goal.measure_comparator,
        comparator_label=goal.get_measure_comparator_display(),
        target=goal.measure_target,
        scale=scoring.SCALE.get(goal.measure_instrument.scoring_rule) or (0, 1),
        status=status,
        baseline=baseline,
        latest=latest,
        trend=shown[-TREND_POINTS:],
    )


def goal_measures_decorate(plan: TreatmentPlan) -> list[Goal]:
    """Hang ``measure_progress`` on each measured goal of a plan loaded by ``with_items``; the goals
    measured, in plan order. One query for every measured goal's scores, whatever their number.

    Scores are clinical: call this only for a user who may see them (``Section.SCORES``)."""
    goals = [g for g in plan_items(plan)[0] if g.measure_instrument_id is not None]
    if not goals:
        return []
    rows = (
        AssessmentResponse.objects.filter(
            client_id=plan.client_id,
            instrument_id__in={g.measure_instrument_id for g in goals},
            total__isnull=False,
        )
        .order_by("instrument_id", "administered_at", "id")
        .values_list("instrument_id", "total", "administered_at")
    )
    by_instrument: dict[int, list[ScorePoint]] = {}
    for instrument_id, total, at in rows:
        by_instrument.setdefault(instrument_id, []).append(ScorePoint(total, at))
    since = plan_started_at(plan)
    for goal in goals:
        goal.measure_progress = _progress(goal, by_instrument.get(goal.measure_instrument_id, []), since)
    return goals


def _measures_at_review(review: PlanReview) -> None:
    """Each measured goal's status as of the review, from the scores attached to it (no queries: the
    review's assessments and goals are prefetched by ``reviews_for_plan``)."""
    latest_by_instrument = {a.instrument_id: a for a in review.assessments.all() if a.total is not None}
    since = plan_started_at(review.plan)
    for gr in review.goal_reviews.all():
        goal = gr.goal
        if goal.measure_instrument_id is None:
            gr.measure_progress = None
            continue
        score = latest_by_instrument.get(goal.measure_instrument_id)
        scores = [ScorePoint(score.total, score.administered_at)] if score else []
        gr.measure_progress = _progress(goal, scores, since)
