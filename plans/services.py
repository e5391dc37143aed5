"""State changes of treatment plans: drafts and their sections, activation, reviews, completions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from careteam.audit import audit_log, changed_field_names, snapshot
from careteam.concurrency import Expected, require_unchanged
from careteam.errors import DomainError
from careteam.models import AuditAction, User
from clients.assessments import scoring
from clients.models import AssessmentResponse, Client, EncounterNote, Instrument, NoteStatus

from .models import (
    ActionStep,
    ActionStepCompletion,
    ClientAgreement,
    Goal,
    GoalReview,
    Intervention,
    MeasureComparator,
    PlanReview,
    PlanStatus,
    Problem,
    Progress,
    TreatmentPlan,
)
from .states import PLAN_STATES

PLAN_HEADER_FIELDS = (
    "change_reason",
    "stage_of_change",
    "strengths",
    "preferences",
    "barriers",
    "review_due_on",
)
RELAPSE_PREVENTION_FIELDS = (
    "triggers",
    "early_warning_signs",
    "coping_strategies",
    "sober_supports",
    "lapse_plan",
)
PLAN_EDITABLE_FIELDS = PLAN_HEADER_FIELDS + RELAPSE_PREVENTION_FIELDS
# A goal measured by an instrument: "PHQ-9 below 10" (the goal's target_date says by when).
MEASURE_FIELDS = ("measure_instrument", "measure_comparator", "measure_target")
PROBLEM_FIELDS = ("domain", "description", "order")
GOAL_FIELDS = ("client_words", "measurable_target", "target_date", "status", "order", *MEASURE_FIELDS)
STEP_FIELDS = (
    "description",
    "responsible",
    "frequency_count",
    "frequency_period",
    "due_on",
    "counts_group_attendance",
    "order",
)
INTERVENTION_FIELDS = ("modality", "description", "frequency", "responsible_staff")


def review_interval_days() -> int:
    """Days from activation (or a review) to the next review. Default 90: a common program standard
    for outpatient SUD plan reviews (state licensing rules vary; set ``CARETEAM_PLAN_REVIEW_DAYS``)."""
    return settings.CARETEAM_PLAN_REVIEW_DAYS


def _require_draft(plan: TreatmentPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise DomainError(
            f"Version {plan.version} is {plan.get_status_display().lower()} and can no longer be changed; "
            "start a new version to make changes."
        )


def _locked_plan(plan: TreatmentPlan) -> TreatmentPlan:
    """Re-read the plan under a row lock so a concurrent activation cannot slip between check and write."""
    return TreatmentPlan.objects.select_for_update().select_related("client").get(pk=plan.pk)


def _apply(instance: Model, data: dict, fields: tuple[str, ...]) -> list[str]:
    before = snapshot(instance, fields)
    for name in fields:
        if name in data:
            setattr(instance, name, data[name])
    return changed_field_names(instance, before, fields)


def measure_instruments() -> QuerySet[Instrument]:
    """The instruments a goal may be measured by: active, and scored to a numeric total (a C-SSRS
    screen has a risk level, not a number to aim for)."""
    numeric = [rule for rule, scale in scoring.SCALE.items() if scale is not None]
    return Instrument.objects.filter(is_active=True, scoring_rule__in=numeric).order_by("name")


def goal_measure_problems(
    *, instrument: Instrument | None, comparator: str | None, target: int | None
) -> dict[str, str]:
    """What is wrong with a goal's measure, by field (empty when it is whole and sensible, or absent).

    All three or none (the table's ``goal_measure_whole_or_absent`` check); the target lies within the
    instrument's score range (``clients.assessments.scoring.SCALE``, next to the published rules), and
    "below" the lowest possible score could never be met. The goal form, the API serializer and the
    services all ask this one function."""
    given = {
        "measure_instrument": instrument is not None,
        "measure_comparator": bool(comparator),
        "measure_target": target is not None,
    }
    if not any(given.values()):
        return {}
    if not all(given.values()):
        missing = {
            "measure_instrument": _("Choose the instrument, or clear the comparator and target too."),
            "measure_comparator": _("Say whether the score should be below or at or above the target."),
            "measure_target": _("Give the target score, or clear the instrument and comparator too."),
        }
        return {name: missing[name] for name, present in given.items() if not present}
    if comparator not in MeasureComparator.values:
        return {"measure_comparator": _("Choose below or at or above.")}
    scale = scoring.SCALE.get(instrument.scoring_rule)
    if scale is None:
        return {"measure_instrument": _("%(name)s has no numeric total to aim for.") % {"name": instrument}}
    low, high = scale
    if not low <= target <= high:
        return {
            "measure_target": _("%(name)s scores run from %(low)s to %(high)s.")
            % {"name": instrument, "low": low, "high": high}
        }
    if comparator == MeasureComparator.BELOW and target == low:
        return {
            "measure_target": _("No %(name)s score is below %(low)s, its lowest.")
            % {"name": instrument, "low": low}
        }
    return {}


def _validate_goal_measure(goal: Goal) -> None:
    problems = goal_measure_problems(
        instrument=goal.measure_instrument, comparator=goal.measure_comparator, target=goal.measure_target
    )
    if problems:
        field, message = next(iter(problems.items()))
        raise DomainError(message, field=field)


def _validate_step(step: ActionStep) -> None:
    """A step is either recurring (a count per period) or one-off (optionally with a due date)."""
    if (step.frequency_count is None) != (not step.frequency_period):
        field = "frequency_period" if step.frequency_count is not None else "frequency_count"
        raise DomainError(
            "Give both how many times and per what period, or neither for a one-off step.", field=field
        )
    if step.frequency_count is not None and step.frequency_count < 1:
        raise DomainError("A recurring step happens at least once per period.", field="frequency_count")
    if step.frequency_count is not None and step.due_on:
        raise DomainError("A recurring step has no single due date; leave it empty.", field="due_on")


# --- Drafts ---------------------------------------------------------------------------------------


@transaction.atomic
def plan_create_draft(*, client: Client, acting_user: User, change_reason: str = "") -> TreatmentPlan:
    """Start a draft: version 1 empty, or a deep copy of the active version keeping every lineage."""
    # Lock the client row: two people pressing "new version" at once must not both get one.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    plans = TreatmentPlan.objects.filter(client=client)
    if plans.filter(status=PlanStatus.DRAFT).exists():
        raise DomainError("A draft of this plan is already in progress; continue editing it.")
    last_version = plans.order_by("-version").values_list("version", flat=True).first() or 0
    current = plans.filter(status=PlanStatus.ACTIVE).first()
    draft = TreatmentPlan(
        client=client,
        version=last_version + 1,
        status=PlanStatus.DRAFT,
        previous=current,
        change_reason=change_reason,
        created_by=acting_user,
    )
    if current is not None:
        for name in PLAN_EDITABLE_FIELDS:
            if name not in ("review_due_on", "change_reason"):
                setattr(draft, name, getattr(current, name))
    draft.save()
    if current is not None:
        _copy_items(current, draft)
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=draft,
        detail={"version": draft.version, "copied_from": current.version if current else None},
    )
    return draft


def _copy_items(source: TreatmentPlan, target: TreatmentPlan) -> None:
    """Copy problems → goals → steps and interventions, keeping lineages (a few bulk inserts)."""
    problems = list(source.problems.all())
    goals = list(Goal.objects.filter(problem__plan=source))
    steps = list(ActionStep.objects.filter(goal__problem__plan=source))
    interventions = list(Intervention.objects.filter(goal__problem__plan=source))
    new_problems = {}
    for p in problems:
        new_problems[p.pk] = Problem.objects.create(
            plan=target, lineage=p.lineage, domain=p.domain, description=p.description, order=p.order
        )
    new_goals = {}
    for g in goals:
        new_goals[g.pk] = Goal.objects.create(
            problem=new_problems[g.problem_id],
            lineage=g.lineage,
            client_words=g.client_words,
            measurable_target=g.measurable_target,
            target_date=g.target_date,
            status=g.status,
            order=g.order,
            measure_instrument_id=g.measure_instrument_id,
            measure_comparator=g.measure_comparator,
            measure_target=g.measure_target,
        )
    ActionStep.objects.bulk_create(
        [
            ActionStep(
                goal=new_goals[s.goal_id],
                lineage=s.lineage,
                description=s.description,
                responsible=s.responsible,
                frequency_count=s.frequency_count,
                frequency_period=s.frequency_period,
                due_on=s.due_on,
                counts_group_attendance=s.counts_group_attendance,
                order=s.order,
            )
            for s in steps
        ]
    )
    Intervention.objects.bulk_create(
        [
            Intervention(
                goal=new_goals[i.goal_id],
                lineage=i.lineage,
                modality=i.modality,
                description=i.description,
                frequency=i.frequency,
                responsible_staff_id=i.responsible_staff_id,
            )
            for i in interventions
        ]
    )


@transaction.atomic
def plan_update(
    *, plan: TreatmentPlan, acting_user: User, data: dict, expected: Expected | None = None
) -> TreatmentPlan:
    """Change a draft's header or relapse-prevention section (only the fields given in ``data``).
    ``expected``: the version the editor started from; a stale one raises ``StaleEditError``."""
    plan = _locked_plan(plan)
    _require_draft(plan)
    require_unchanged(plan, expected)
    changed = _apply(plan, data, PLAN_EDITABLE_FIELDS)
    if changed:
        plan.save(update_fields=[*changed, "updated_at"])
        audit_log(
            user=acting_user, action=AuditAction.CHANGE, client=plan.client, obj=plan, changed_fields=changed
        )
    return plan


def _create_item(model, *, plan: TreatmentPlan, acting_user: User, fields, data: dict, parents: dict):
    plan = _locked_plan(plan)
    _require_draft(plan)
    item = model(**parents)
    _apply(item, data, fields)
    if isinstance(item, ActionStep):
        _validate_step(item)
    if isinstance(item, Goal):
        _validate_goal_measure(item)
    item.save()
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=plan.client,
        obj=item,
        detail={"plan_version": plan.version},
    )
    return item


def _update_item(
    item, *, plan: TreatmentPlan, acting_user: User, fields, data: dict, expected: Expected | None
):
    plan = _locked_plan(plan)
    _require_draft(plan)
    # Read the item as stored now: edits of a draft's items queue on the plan's lock, so this is the
    # version the change is made to (and checked against ``expected``).
    item = type(item).objects.get(pk=item.pk)
    require_unchanged(item, expected)
    changed = _apply(item, data, fields)
    if isinstance(item, ActionStep):
        _validate_step(item)
    if isinstance(item, Goal):
        _validate_goal_measure(item)
    if changed:
        item.save(update_fields=changed)
        audit_log(
            user=acting_user,
            action=AuditAction.CHANGE,
            client=plan.client,
            obj=item,
            changed_fields=changed,
            detail={"plan_version": plan.version},
        )
    return item


@transaction.atomic
def problem_create(*, plan: TreatmentPlan, acting_user: User, data: dict) -> Problem:
    """Add a problem (a domain and the client's situation in it) to a draft."""
    return _create_item(
        Problem, plan=plan, acting_user=acting_user, fields=PROBLEM_FIELDS, data=data, parents={"plan": plan}
    )


@transaction.atomic
def problem_update(
    *, problem: Problem, acting_user: User, data: dict, expected: Expected | None = None
) -> Problem:
    return _update_item(
        problem,
        plan=problem.plan,
        acting_user=acting_user,
        fields=PROBLEM_FIELDS,
        data=data,
        expected=expected,
    )


@transaction.atomic
def goal_create(*, problem: Problem, acting_user: User, data: dict) -> Goal:
    """Add a goal, in the client's own words with a measurable target, under a draft's problem."""
    return _create_item(
        Goal,
        plan=problem.plan,
        acting_user=acting_user,
        fields=GOAL_FIELDS,
        data=data,
        parents={"problem": problem},
    )


@transaction.atomic
def goal_update(*, goal: Goal, acting_user: User, data: dict, expected: Expected | None = None) -> Goal:
    return _update_item(
        goal,
        plan=goal.problem.plan,
        acting_user=acting_user,
        fields=GOAL_FIELDS,
        data=data,
        expected=expected,
    )


@transaction.atomic
def action_step_create(*, goal: Goal, acting_user: User, data: dict) -> ActionStep:
    """Add a step: recurring ("2 per week") or one-off with a due date."""
    return _create_item(
        ActionStep,
        plan=goal.problem.plan,
        acting_user=acting_user,
        fields=STEP_FIELDS,
        data=data,
        parents={"goal": goal},
    )


@transaction.atomic
def action_step_update(
    *, step: ActionStep, acting_user: User, data: dict, expected: Expected | None = None
) -> ActionStep:
    return _update_item(
        step,
        plan=step.goal.problem.plan,
        acting_user=acting_user,
        fields=STEP_FIELDS,
        data=data,
        expected=expected,
    )


@transaction.atomic
def intervention_create(*, goal: Goal, acting_user: User, data: dict) -> Intervention:
    """Add what the program will do towards a goal (modality, frequency, responsible staff)."""
    return _create_item(
        Intervention,
        plan=goal.problem.plan,
        acting_user=acting_user,
        fields=INTERVENTION_FIELDS,
        data=data,
        parents={"goal": goal},
    )


@transaction.atomic
def intervention_update(
    *, intervention: Intervention, acting_user: User, data: dict, expected: Expected | None = None
) -> Intervention:
    return _update_item(
        intervention,
        plan=intervention.goal.problem.plan,
        acting_user=acting_user,
        fields=INTERVENTION_FIELDS,
        data=data,
        expected=expected,
    )


def _plan_of(item) -> TreatmentPlan:
    if isinstance(item, Problem):
        return item.plan
    if isinstance(item, Goal):
        return item.problem.plan
    return item.goal.problem.plan


@transaction.atomic
def plan_item_remove(*, item: Problem | Goal | ActionStep | Intervention, acting_user: User) -> None:
    """Take an item out of a draft. Signed versions keep their copy, so nothing signed is lost;
    completions are kept by lineage and outlive the step."""
    plan = _locked_plan(_plan_of(item))
    _require_draft(plan)
    audit_log(
        user=acting_user,
        action=AuditAction.DELETE,
        client=plan.client,
        obj=item,
        detail={"plan_version": plan.version, "lineage": str(item.lineage), "text": str(item)[:120]},
    )
    item.delete()


# --- Activation -----------------------------------------------------------------------------------


@transaction.atomic
def plan_activate(
    *,
    plan: TreatmentPlan,
    acting_user: User,
    client_agreement: str,
    client_agreement_on: dt.date,
) -> TreatmentPlan:
    """Sign a draft and make it the client's plan; the version it replaces is superseded in the same
    transaction. Both moves go through ``PLAN_STATES``. The database keeps one active plan per client
    (``one_active_plan_per_client``)."""
    plan = _locked_plan(plan)
    _require_draft(plan)
    if client_agreement not in ClientAgreement.values:
        raise DomainError(
            "Record whether the client signed, agreed verbally or declined.", field="client_agreement"
        )
    if not Goal.objects.filter(problem__plan=plan).exists():
        raise DomainError("A plan needs at least one problem with a goal before it can be signed.")
    now = timezone.now()
    previous = (
        TreatmentPlan.objects.select_for_update()
        .filter(client_id=plan.client_id, status=PlanStatus.ACTIVE)
        .first()
    )
    if previous is not None:
        PLAN_STATES.move(previous, PlanStatus.SUPERSEDED, also={"superseded_at": now, "updated_at": now})
        audit_log(
            user=acting_user,
            action=AuditAction.CHANGE,
            client=plan.client,
            obj=previous,
            changed_fields=["status", "superseded_at"],
            detail={"superseded_by_version": plan.version},
        )
    signature = {
        "signed_by": acting_user,
        "signed_at": now,
        "client_agreement": client_agreement,
        "client_agreement_on": client_agreement_on,
        "review_due_on": plan.review_due_on
        or timezone.localdate(now) + dt.timedelta(days=review_interval_days()),
        "updated_at": now,
    }
    try:
        with transaction.atomic():
            PLAN_STATES.move(plan, PlanStatus.ACTIVE, also=signature)
    except IntegrityError as exc:  # another version was activated at the same moment
        raise DomainError("Another version of this plan was just activated; reload the page.") from exc
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=plan.client,
        obj=plan,
        changed_fields=["status", "signed_by", "signed_at", "client_agreement", "client_agreement_on"],
        detail={"activated_version": plan.version, "client_agreement": client_agreement},
    )
    return plan


# --- Reviews --------------------------------------------------------------------------------------


def latest_scores_for_client(client: Client, *, on_or_before: dt.date) -> list[AssessmentResponse]:
    """The client's most recent response per instrument up to a day (one query)."""
    latest = (
        AssessmentResponse.objects.filter(
            client_id=client.pk, instrument=OuterRef("instrument"), administered_at__date__lte=on_or_before
        )
        .order_by("-administered_at", "-id")
        .values("pk")[:1]
    )
    return list(
        AssessmentResponse.objects.filter(client_id=client.pk, pk=Subquery(latest)).select_related(
            "instrument"
        )
    )


@transaction.atomic
def plan_review_record(
    *,
    plan: TreatmentPlan,
    acting_user: User,
    reviewed_on: dt.date,
    note: str,
    goal_progress: dict[int, tuple[str, str]],
) -> PlanReview:
    """Record a review of the active plan: progress per goal and the scores in force on the day.
    The next review falls due ``review_interval_days()`` after this one."""
    plan = _locked_plan(plan)
    if plan.status != PlanStatus.ACTIVE:
        raise DomainError("Only the active plan can be reviewed.")
    goal_ids = set(Goal.objects.filter(problem__plan=plan).values_list("pk", flat=True))
    unknown = set(goal_progress) - goal_ids
    if unknown:
        raise DomainError("Progress was given for a goal that is not on this plan.", field="goal_progress")
    for progress, _note in goal_progress.values():
        if progress not in Progress.values:
            raise DomainError(f"“{progress}” is not a progress rating.", field="goal_progress")
    review = PlanReview.objects.create(plan=plan, reviewed_on=reviewed_on, reviewer=acting_user, note=note)
    GoalReview.objects.bulk_create(
        [
            GoalReview(review=review, goal_id=goal_id, progress=progress, note=(goal_note or "")[:300])
            for goal_id, (progress, goal_note) in sorted(goal_progress.items())
        ]
    )
    review.assessments.set(latest_scores_for_client(plan.client, on_or_before=reviewed_on))
    next_due = reviewed_on + dt.timedelta(days=review_interval_days())
    if plan.review_due_on is None or next_due > plan.review_due_on:
        plan.review_due_on = next_due
        plan.save(update_fields=["review_due_on", "updated_at"])
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=plan.client,
        obj=review,
        detail={
            "plan_version": plan.version,
            "goals": len(goal_progress),
            "next_review": next_due.isoformat(),
        },
    )
    return review


# --- Completions and notes ------------------------------------------------------------------------


@transaction.atomic
def step_completion_log(
    *,
    client: Client,
    step: ActionStep,
    acting_user: User,
    completed_at: dt.datetime,
    note: EncounterNote | None = None,
    comment: str = "",
) -> ActionStepCompletion:
    """Log that a step was done. Kept by the step's lineage, so it still counts on later versions."""
    # Read the plan fresh: the step may have been loaded before a new version was activated.
    plan_client_id, plan_status = TreatmentPlan.objects.values_list("client_id", "status").get(
        problems__goals__action_steps=step
    )
    if plan_client_id != client.pk:
        raise DomainError("That step is not on this client's plan.", field="step")
    if plan_status != PlanStatus.ACTIVE:
        raise DomainError("Completions are logged against the active plan.", field="step")
    if completed_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError("A completion cannot be in the future.", field="completed_at")
    if note is not None:
        if note.client_id != client.pk:
            raise DomainError("That note belongs to another client.", field="note")
        if note.status != NoteStatus.DRAFT:
            raise DomainError("That note is signed; nothing more can be added from it.", field="note")
    completion = ActionStepCompletion.objects.create(
        client=client,
        step_lineage=step.lineage,
        completed_at=completed_at,
        logged_by=acting_user,
        note=note,
        comment=comment[:200],
    )
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=completion,
        detail={"step": step.pk, "lineage": str(step.lineage), "from_note": note.pk if note else None},
    )
    return completion


@transaction.atomic
def note_goals_set(*, note: EncounterNote, goals: list[Goal], acting_user: User) -> list[Goal]:
    """Say which plan goals a draft note addressed (its author only; a signed note is locked)."""
    note = EncounterNote.objects.select_for_update().get(pk=note.pk)
    if note.status != NoteStatus.DRAFT:
        raise DomainError("This note is signed; the goals it addressed can no longer change.")
    if note.author_id != acting_user.pk:
        raise DomainError("Only the note's author can say which goals it addressed.")
    if any(g.problem.plan.client_id != note.client_id for g in goals):
        raise DomainError("A goal from another client's plan cannot be linked.", field="goals")
    current = set(note.goals_addressed.values_list("pk", flat=True))
    wanted = {g.pk for g in goals}
    if current != wanted:
        note.goals_addressed.set(goals)
        audit_log(
            user=acting_user,
            action=AuditAction.CHANGE,
            client=note.client_id,
            obj=note,
            changed_fields=["goals_addressed"],
            detail={"added": sorted(wanted - current), "removed": sorted(current - wanted)},
        )
    return goals
