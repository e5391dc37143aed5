"""The treatment plan's block on the chart's clinical summary: the active plan's goals and how the
action steps under them are kept up (``plans.adherence``). Registered from ``PlansConfig.ready()``."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from careteam.minimum_necessary import Section, section_can_see
from clients.summary import SummaryBlock, register_summary_block

from . import selectors
from .adherence import adherence_for_steps
from .models import ActionStep, Goal, PlanStatus, TreatmentPlan


def plan_goals_can_see(user) -> bool:
    """Goals and action steps: every role that reads plans, peers included (goals are in the client's
    words; ``Section.GOALS``)."""
    return (
        user.is_authenticated
        and user.has_perm(selectors.VIEW_PERMISSION)
        and section_can_see(user, Section.GOALS)
    )


def plan_summary(user, client) -> dict:
    """The active plan's goals, each with its steps' adherence. Three queries whatever the plan's size
    or the number of logged completions (goals with their plan, their steps, the completions), one
    more only to tell "no active plan" from "an active plan without goals"."""
    goals = list(
        Goal.objects.filter(problem__plan__client=client, problem__plan__status=PlanStatus.ACTIVE)
        .select_related("problem__plan", "measure_instrument")
        .prefetch_related(Prefetch("action_steps", queryset=ActionStep.objects.order_by("order", "id")))
        .order_by("problem__order", "problem_id", "order", "id")
    )
    if goals:
        plan = goals[0].problem.plan
    else:
        plan = TreatmentPlan.objects.filter(client=client, status=PlanStatus.ACTIVE).first()
    steps = [step for goal in goals for step in goal.action_steps.all()]
    adherence = adherence_for_steps(steps, client=client)
    return {
        "plan": plan,
        "goals": [
            {
                "goal": goal,
                "steps": [(step, adherence.get(step.pk)) for step in goal.action_steps.all()],
            }
            for goal in goals
        ],
        # A measure names an instrument and a target score: a score, so not for minimum-necessary roles.
        "show_measures": section_can_see(user, Section.SCORES),
    }


def register() -> None:
    register_summary_block(
        SummaryBlock(
            "plan",
            _("Treatment plan goals"),
            "plans/summary/_plan.html",
            plan_summary,
            order=40,
            visible=plan_goals_can_see,
            tab="plan",
        )
    )
