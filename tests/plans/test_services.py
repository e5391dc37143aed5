"""Treatment-plan services: drafts, versions with lineages, activation, reviews, completions."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from careteam.errors import DomainError
from careteam.models import AuditAction, AuditEvent
from plans import services
from plans.models import (
    ActionStep,
    ActionStepCompletion,
    Goal,
    GoalReview,
    Intervention,
    PlanStatus,
    Problem,
    TreatmentPlan,
)
from tests.factories import ClientFactory, EncounterNoteFactory, active_plan
from tests.factories import assign as assign_to
from tests.factories.assessments import AssessmentResponseFactory, instrument


def build_plan(client, user):
    plan = services.plan_create_draft(client=client, acting_user=user)
    problem = services.problem_create(
        plan=plan, acting_user=user, data={"domain": "housing", "description": "Staying on a friend's couch"}
    )
    goal = services.goal_create(
        problem=problem,
        acting_user=user,
        data={"client_words": "I want my own place", "measurable_target": "signed lease"},
    )
    step = services.action_step_create(
        goal=goal,
        acting_user=user,
        data={
            "description": "Apply to 3 apartments a week",
            "frequency_count": 3,
            "frequency_period": "week",
        },
    )
    services.intervention_create(
        goal=goal, acting_user=user, data={"modality": "mi", "frequency": "weekly", "responsible_staff": user}
    )
    return plan, problem, goal, step


def activate(plan, user):
    return services.plan_activate(
        plan=plan, acting_user=user, client_agreement="verbal", client_agreement_on=timezone.localdate()
    )


def test_the_first_draft_is_version_1_and_empty(alice, counselor):
    plan = services.plan_create_draft(client=alice, acting_user=counselor)
    assert (plan.version, plan.status, plan.previous) == (1, PlanStatus.DRAFT, None)
    assert not plan.problems.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, client=alice, object_type="plans.treatmentplan"
    ).exists()


def test_a_second_draft_is_refused_while_one_is_in_progress(alice, counselor):
    services.plan_create_draft(client=alice, acting_user=counselor)
    with pytest.raises(DomainError, match="already in progress"):
        services.plan_create_draft(client=alice, acting_user=counselor)


def test_activation_signs_and_sets_the_review_90_days_out(alice, counselor):
    plan, *_ = build_plan(alice, counselor)
    plan = activate(plan, counselor)
    assert plan.status == PlanStatus.ACTIVE
    assert plan.signed_by == counselor and plan.signed_at is not None
    assert plan.client_agreement == "verbal"
    assert plan.review_due_on == timezone.localdate() + dt.timedelta(days=90)


@override_settings(CARETEAM_PLAN_REVIEW_DAYS=30)
def test_the_review_interval_is_configurable(alice, counselor):
    plan, *_ = build_plan(alice, counselor)
    assert activate(plan, counselor).review_due_on == timezone.localdate() + dt.timedelta(days=30)


def test_a_plan_without_goals_cannot_be_signed(alice, counselor):
    plan = services.plan_create_draft(client=alice, acting_user=counselor)
    with pytest.raises(DomainError, match="at least one problem with a goal"):
        activate(plan, counselor)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_a_new_version_is_a_deep_copy_keeping_lineages(alice, counselor):
    v1, problem, goal, step = build_plan(alice, counselor)
    services.plan_update(plan=v1, acting_user=counselor, data={"strengths": "Stubborn", "triggers": "Payday"})
    v1 = activate(v1, counselor)

    v2 = services.plan_create_draft(client=alice, acting_user=counselor)

    assert (v2.version, v2.previous, v2.strengths, v2.triggers) == (2, v1, "Stubborn", "Payday")
    assert v2.review_due_on is None
    copy_problem = v2.problems.get()
    copy_goal = Goal.objects.get(problem__plan=v2)
    copy_step = ActionStep.objects.get(goal__problem__plan=v2)
    copy_intervention = Intervention.objects.get(goal__problem__plan=v2)
    assert copy_problem.pk != problem.pk and copy_problem.lineage == problem.lineage
    assert copy_goal.lineage == goal.lineage and copy_goal.client_words == "I want my own place"
    assert copy_step.lineage == step.lineage and (copy_step.frequency_count, copy_step.frequency_period) == (
        3,
        "week",
    )
    assert copy_intervention.responsible_staff == counselor
    # The original is untouched.
    assert Problem.objects.filter(plan=v1).count() == 1


def test_activation_supersedes_the_previous_version(alice, counselor):
    v1, *_ = build_plan(alice, counselor)
    v1 = activate(v1, counselor)
    v2 = activate(services.plan_create_draft(client=alice, acting_user=counselor), counselor)

    v1.refresh_from_db()
    assert v1.status == PlanStatus.SUPERSEDED and v1.superseded_at == v2.signed_at
    assert TreatmentPlan.objects.filter(client=alice, status=PlanStatus.ACTIVE).get() == v2


def test_the_database_refuses_a_second_active_plan(alice, counselor):
    """GIVEN an active plan WHEN a draft is marked active behind the service's back
    THEN the one_active_plan_per_client constraint refuses it."""
    v1, *_ = build_plan(alice, counselor)
    activate(v1, counselor)
    draft = services.plan_create_draft(client=alice, acting_user=counselor)
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentPlan.objects.filter(pk=draft.pk).update(
            status=PlanStatus.ACTIVE, signed_by=counselor, signed_at=timezone.now()
        )
    assert TreatmentPlan.objects.filter(client=alice, status=PlanStatus.ACTIVE).count() == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda plan, user, problem, goal, step: services.plan_update(
            plan=plan, acting_user=user, data={"strengths": "x"}
        ),
        lambda plan, user, problem, goal, step: services.problem_create(
            plan=plan, acting_user=user, data={"domain": "legal", "description": "x"}
        ),
        lambda plan, user, problem, goal, step: services.goal_update(
            goal=goal, acting_user=user, data={"client_words": "x"}
        ),
        lambda plan, user, problem, goal, step: services.action_step_update(
            step=step, acting_user=user, data={"description": "x"}
        ),
        lambda plan, user, problem, goal, step: services.plan_item_remove(item=problem, acting_user=user),
        lambda plan, user, problem, goal, step: activate(plan, user),
    ],
)
def test_an_active_plan_cannot_be_changed(alice, counselor, change):
    plan, problem, goal, step = build_plan(alice, counselor)
    plan = activate(plan, counselor)
    with pytest.raises(DomainError, match="can no longer be changed"):
        change(plan, counselor, problem, goal, step)
    goal.refresh_from_db()
    assert goal.client_words == "I want my own place"


def test_a_step_is_recurring_or_one_off_not_half_of_each(alice, counselor):
    _plan, _problem, goal, _step = build_plan(alice, counselor)
    with pytest.raises(DomainError) as exc:
        services.action_step_create(
            goal=goal, acting_user=counselor, data={"description": "x", "frequency_count": 2}
        )
    assert exc.value.field == "frequency_period"
    assert ActionStep.objects.filter(goal=goal).count() == 1


def test_completions_on_v1_still_count_on_v2(alice, counselor):
    v1, _problem, _goal, step = build_plan(alice, counselor)
    activate(v1, counselor)
    services.step_completion_log(client=alice, step=step, acting_user=counselor, completed_at=timezone.now())
    v2 = activate(services.plan_create_draft(client=alice, acting_user=counselor), counselor)
    step_v2 = ActionStep.objects.get(goal__problem__plan=v2)
    assert ActionStepCompletion.objects.filter(step_lineage=step_v2.lineage).count() == 1


def test_completions_are_only_logged_on_the_active_plan_and_not_in_the_future(alice, counselor):
    plan, _problem, _goal, step = build_plan(alice, counselor)
    with pytest.raises(DomainError, match="active plan"):
        services.step_completion_log(
            client=alice, step=step, acting_user=counselor, completed_at=timezone.now()
        )
    activate(plan, counselor)
    with pytest.raises(DomainError, match="future"):
        services.step_completion_log(
            client=alice, step=step, acting_user=counselor, completed_at=timezone.now() + dt.timedelta(days=1)
        )
    assert not ActionStepCompletion.objects.exists()


def test_a_review_records_progress_and_the_scores_of_the_day(alice, counselor):
    plan, _problem, goal, _step = build_plan(alice, counselor)
    plan = activate(plan, counselor)
    old = AssessmentResponseFactory(
        client=alice, instrument=instrument("phq9"), administered_at=timezone.now() - dt.timedelta(days=40)
    )
    latest = AssessmentResponseFactory(
        client=alice, instrument=instrument("phq9"), administered_at=timezone.now() - dt.timedelta(days=2)
    )
    gad = AssessmentResponseFactory(client=alice, instrument=instrument("gad7"))
    today = timezone.localdate()

    review = services.plan_review_record(
        plan=plan,
        acting_user=counselor,
        reviewed_on=today,
        note="Steady progress",
        goal_progress={goal.pk: ("some", "Two applications in")},
    )

    assert set(review.assessments.all()) == {latest, gad}
    assert old not in review.assessments.all()
    assert GoalReview.objects.get(review=review).progress == "some"
    plan.refresh_from_db()
    assert plan.review_due_on == today + dt.timedelta(days=90)
    assert AuditEvent.objects.filter(client=alice, object_type="plans.planreview").exists()


def test_a_review_refuses_a_goal_from_another_plan(alice, counselor):
    plan, _problem, _goal, _step = build_plan(alice, counselor)
    plan = activate(plan, counselor)
    with pytest.raises(DomainError):
        services.plan_review_record(
            plan=plan,
            acting_user=counselor,
            reviewed_on=timezone.localdate(),
            note="",
            goal_progress={999999: ("some", "")},
        )


def test_note_goals_are_set_by_the_author_while_the_note_is_a_draft(alice, counselor, supervisor):
    plan = active_plan(alice, counselor)
    goal = Goal.objects.get(problem__plan=plan)
    note = EncounterNoteFactory(client=alice, author=counselor)
    services.note_goals_set(note=note, goals=[goal], acting_user=counselor)
    assert list(note.goals_addressed.all()) == [goal]
    with pytest.raises(DomainError, match="author"):
        services.note_goals_set(note=note, goals=[], acting_user=supervisor)
    signed = EncounterNoteFactory(client=alice, author=counselor, signed=True)
    with pytest.raises(DomainError, match="signed"):
        services.note_goals_set(note=signed, goals=[goal], acting_user=counselor)


def test_the_demo_seed_builds_plans_through_the_services(team, counselor, peer):
    import random

    from plans import demo

    clients = []
    for _ in range(10):
        client = ClientFactory(primary_team=team)
        assign_to(client, counselor)
        clients.append(client)
    saved = demo.seed(rng=random.Random(4), clients=clients, staff={"counselor": counselor, "peer": peer})
    assert saved >= 9
    assert TreatmentPlan.objects.filter(status=PlanStatus.ACTIVE).count() == 8
    assert TreatmentPlan.objects.filter(status=PlanStatus.SUPERSEDED).count() == 3
    assert TreatmentPlan.objects.filter(status=PlanStatus.DRAFT).count() == 1
    assert (
        TreatmentPlan.objects.filter(status=PlanStatus.ACTIVE, review_due_on__lt=timezone.localdate()).count()
        == 2
    )
    assert ActionStepCompletion.objects.count() > 100
