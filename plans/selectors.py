"""Reads of treatment plans, already scoped to the clients the user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from careteam import access
from careteam.models import CareTeamAssignment, CaseRole, User
from careteam.timezones import user_today
from clients.models import Client, ClientStatus
from clients.selectors import client_get_for_user

from .models import (
    ActionStep,
    ActionStepCompletion,
    Goal,
    GoalReview,
    Intervention,
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
                    queryset=Goal.objects.prefetch_related(
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
        Prefetch("goal_reviews", queryset=GoalReview.objects.select_related("goal"))
    )
    if with_scores:
        qs = qs.prefetch_related("assessments__instrument")
    return list(qs)


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
