"""Factories for treatment plans (drafts by default; ``active_plan`` signs one through the service)."""

import datetime as dt

import factory
from django.utils import timezone

from plans.models import (
    ActionStep,
    ActionStepCompletion,
    Goal,
    Intervention,
    PlanStatus,
    Problem,
    ProblemDomain,
    TreatmentPlan,
)

from .careteam import UserFactory
from .clients import ClientFactory


class TreatmentPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatmentPlan

    client = factory.SubFactory(ClientFactory)
    version = factory.Sequence(lambda n: n + 1)
    status = PlanStatus.DRAFT
    stage_of_change = "preparation"
    strengths = "Close to her sister; worked as a line cook for six years."
    created_by = factory.SubFactory(UserFactory)


class ProblemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Problem

    plan = factory.SubFactory(TreatmentPlanFactory)
    domain = ProblemDomain.SUBSTANCE_USE
    description = "Daily alcohol use; two DUIs."


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    problem = factory.SubFactory(ProblemFactory)
    client_words = "I want to stay sober so I can get my kids back by summer."
    measurable_target = "90 days without a drink, confirmed at weekly check-ins"
    target_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=120))


class ActionStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionStep

    goal = factory.SubFactory(GoalFactory)
    description = "Go to 2 support groups a week"
    frequency_count = 2
    frequency_period = "week"


class InterventionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Intervention

    goal = factory.SubFactory(GoalFactory)
    modality = "mi"
    frequency = "weekly 50-minute sessions"


class ActionStepCompletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionStepCompletion

    client = factory.LazyAttribute(lambda o: o.step.goal.problem.plan.client)
    step_lineage = factory.LazyAttribute(lambda o: o.step.lineage)
    completed_at = factory.LazyFunction(timezone.now)
    logged_by = factory.SubFactory(UserFactory)

    class Params:
        step = factory.SubFactory(ActionStepFactory)


def active_plan(client, user, *, goals: int = 1, steps: int = 1, **plan_fields):
    """An active plan for ``client`` with ``goals`` goals, ``steps`` steps each, signed."""
    from plans.services import plan_activate

    version = TreatmentPlan.objects.filter(client=client).order_by("-version").first() or None
    plan = TreatmentPlanFactory(
        client=client, created_by=user, version=(version.version + 1 if version else 1), **plan_fields
    )
    problem = ProblemFactory(plan=plan)
    for _ in range(goals):
        goal = GoalFactory(problem=problem)
        for _ in range(steps):
            ActionStepFactory(goal=goal)
        InterventionFactory(goal=goal, responsible_staff=user)
    return plan_activate(
        plan=plan, acting_user=user, client_agreement="signed", client_agreement_on=timezone.localdate()
    )


def plan_with_everything(client, user):
    """An active plan with a completion and a review: a row of every plans model (admin tests)."""
    from plans.services import plan_review_record, step_completion_log

    plan = active_plan(client, user)
    goal = Goal.objects.get(problem__plan=plan)
    step_completion_log(
        client=client, step=goal.action_steps.get(), acting_user=user, completed_at=timezone.now()
    )
    plan_review_record(
        plan=plan,
        acting_user=user,
        reviewed_on=timezone.localdate(),
        note="",
        goal_progress={goal.pk: ("some", "")},
    )
    return plan
