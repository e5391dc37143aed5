"""Treatment plans: versioned plans with problems, SMART goals in the client's words, action steps,
interventions, reviews and a relapse-prevention section."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careteam.fields import COMMENT_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, BoundedTextField
from careteam.models import User
from clients.models import AssessmentResponse, Client, EncounterNote, Instrument


class StageOfChange(models.TextChoices):
    """Transtheoretical model (Prochaska & DiClemente)."""

    PRECONTEMPLATION = "precontemplation", "Precontemplation"
    CONTEMPLATION = "contemplation", "Contemplation"
    PREPARATION = "preparation", "Preparation"
    ACTION = "action", "Action"
    MAINTENANCE = "maintenance", "Maintenance"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    SUPERSEDED = "superseded", "Superseded"


class ClientAgreement(models.TextChoices):
    SIGNED = "signed", "Signed by the client"
    VERBAL = "verbal", "Verbal agreement"
    DECLINED = "declined", "Client declined to sign"


class TreatmentPlan(models.Model):
    """One version of a client's plan. Activating a version supersedes the one before it.

    A new version starts as a copy of the current one (problems, goals, steps and
    interventions, keeping each item's ``lineage`` so history and adherence follow it).
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="treatment_plans")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="next_version"
    )
    change_reason = models.CharField(max_length=200, blank=True)
    stage_of_change = models.CharField(max_length=20, choices=StageOfChange.choices, blank=True)
    strengths = BoundedTextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    preferences = BoundedTextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    barriers = BoundedTextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    review_due_on = models.DateField(null=True, blank=True)
    # Relapse prevention
    triggers = BoundedTextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    early_warning_signs = BoundedTextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    coping_strategies = BoundedTextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    sober_supports = BoundedTextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    lapse_plan = BoundedTextField("what to do after a lapse", blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    # Activation
    signed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    client_agreement = models.CharField(max_length=10, choices=ClientAgreement.choices, blank=True)
    client_agreement_on = models.DateField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["client", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["client", "version"], name="one_plan_per_version"),
            models.UniqueConstraint(
                fields=["client"], condition=Q(status="active"), name="one_active_plan_per_client"
            ),
            models.UniqueConstraint(
                fields=["client"], condition=Q(status="draft"), name="one_draft_plan_per_client"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_at__isnull=False, signed_by__isnull=False),
                name="active_plan_is_signed",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "review_due_on"]),
            # Dashboard (dashboards/panels/treatment.py: plans overdue for review): the active plans by
            # review date with their client, read from the index alone.
            models.Index(
                fields=["review_due_on", "client"],
                condition=Q(status="active"),
                name="plans_active_review_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Plan v{self.version} ({self.get_status_display()})"


class ProblemDomain(models.TextChoices):
    SUBSTANCE_USE = "substance_use", "Substance use"
    MENTAL_HEALTH = "mental_health", "Mental health"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    HOUSING = "housing", "Housing"
    EMPLOYMENT = "employment", "Employment / education"
    FINANCES = "finances", "Finances / benefits"
    LEGAL = "legal", "Legal"
    FAMILY = "family", "Family / relationships"
    RECOVERY_SUPPORTS = "recovery_supports", "Recovery supports"
    SAFETY = "safety", "Safety"


class Problem(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.CASCADE, related_name="problems")
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)
    domain = models.CharField(max_length=24, choices=ProblemDomain.choices)
    description = BoundedTextField(max_length=DESCRIPTION_MAX_LENGTH)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.get_domain_display()}: {self.description[:60]}"


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    REVISED = "revised", "Revised"
    DISCONTINUED = "discontinued", "Discontinued"


class MeasureComparator(models.TextChoices):
    """How a goal's measure meets its target: "PHQ-9 below 10", "WHO-5 at or above 13"."""

    BELOW = "below", _("below")
    AT_OR_ABOVE = "at_or_above", _("at or above")


class Goal(models.Model):
    """A SMART goal, written in the client's own words with a measurable target.

    A goal may be measured by an instrument: "PHQ-9 below 10 by 2027-03-01" is ``measure_instrument``
    PHQ-9, ``measure_comparator`` below, ``measure_target`` 10 and the goal's ``target_date``.
    """

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="goals")
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)
    client_words = BoundedTextField("goal, in the client's words", max_length=COMMENT_MAX_LENGTH)
    measurable_target = models.CharField(max_length=300)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED)
    order = models.PositiveSmallIntegerField(default=0)
    addressed_in_notes = models.ManyToManyField(EncounterNote, blank=True, related_name="goals_addressed")
    measure_instrument = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("measured by"),
    )
    measure_comparator = models.CharField(
        _("target is"), max_length=12, choices=MeasureComparator.choices, blank=True
    )
    measure_target = models.SmallIntegerField(_("target score"), null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            # A measure is whole or absent: an instrument, a comparator and a target together.
            models.CheckConstraint(
                condition=(
                    Q(measure_instrument__isnull=True, measure_comparator="", measure_target__isnull=True)
                    | (
                        Q(measure_instrument__isnull=False, measure_target__isnull=False)
                        & ~Q(measure_comparator="")
                    )
                ),
                name="goal_measure_whole_or_absent",
            ),
        ]

    def __str__(self) -> str:
        return self.client_words[:80]


class Responsible(models.TextChoices):
    CLIENT = "client", "Client"
    COUNSELOR = "counselor", "Counselor"
    CASE_MANAGER = "case_manager", "Case manager"
    PEER = "peer", "Peer specialist"
    OTHER = "other", "Other"


class FrequencyPeriod(models.TextChoices):
    DAY = "day", "per day"
    WEEK = "week", "per week"
    MONTH = "month", "per month"


class ActionStep(models.Model):
    """What someone will do towards a goal: recurring ("2 per week") or one-off with a due date."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="action_steps")
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)
    description = models.CharField(max_length=300)
    responsible = models.CharField(max_length=16, choices=Responsible.choices, default=Responsible.CLIENT)
    frequency_count = models.PositiveSmallIntegerField(null=True, blank=True)
    frequency_period = models.CharField(max_length=8, choices=FrequencyPeriod.choices, blank=True)
    due_on = models.DateField(null=True, blank=True, help_text="For a one-off step.")
    # Hook for peer support (issue: support groups): attendance recorded there counts as a completion.
    counts_group_attendance = models.BooleanField(
        default=False, help_text="Support-group attendance logged for the client counts towards this step."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(frequency_count__isnull=True) & Q(frequency_period=""))
                | (Q(frequency_count__gte=1) & ~Q(frequency_period="")),
                name="step_frequency_is_count_and_period",
            ),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def is_recurring(self) -> bool:
        return self.frequency_count is not None


class ActionStepCompletion(models.Model):
    """One logged completion of an action step, kept by the step's lineage so it outlives plan versions."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="step_completions")
    step_lineage = models.UUIDField(db_index=True)
    completed_at = models.DateTimeField(default=timezone.now)
    logged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    note = models.ForeignKey(
        EncounterNote, on_delete=models.PROTECT, null=True, blank=True, related_name="step_completions"
    )
    comment = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-completed_at", "-id"]
        indexes = [models.Index(fields=["step_lineage", "completed_at"])]

    def __str__(self) -> str:
        return f"Completed {self.completed_at:%Y-%m-%d}"


class Modality(models.TextChoices):
    CBT = "cbt", "Cognitive behavioral therapy"
    MI = "mi", "Motivational interviewing"
    DBT = "dbt", "DBT skills"
    CONTINGENCY = "contingency", "Contingency management"
    MAT = "mat", "MAT coordination"
    FAMILY = "family", "Family involvement"
    TRAUMA = "trauma", "Trauma-informed care"
    RELAPSE_PREVENTION = "relapse_prevention", "Relapse prevention"
    OTHER = "other", "Other"


class Intervention(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="interventions")
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)
    modality = models.CharField(max_length=24, choices=Modality.choices)
    description = models.CharField(max_length=300, blank=True)
    frequency = models.CharField(max_length=80, blank=True, help_text="e.g. weekly 50-minute sessions")
    responsible_staff = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_modality_display()


class Progress(models.TextChoices):
    NONE = "none", "No progress"
    SOME = "some", "Some progress"
    SIGNIFICANT = "significant", "Significant progress"
    ACHIEVED = "achieved", "Achieved"


class PlanReview(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField(default=timezone.localdate)
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    note = BoundedTextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    # The scores in force at review time, so the review reads the same later.
    assessments = models.ManyToManyField(AssessmentResponse, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"Review {self.reviewed_on}"


class GoalReview(models.Model):
    review = models.ForeignKey(PlanReview, on_delete=models.CASCADE, related_name="goal_reviews")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="reviews")
    progress = models.CharField(max_length=12, choices=Progress.choices)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "goal"], name="one_progress_per_goal_per_review")
        ]

    def __str__(self) -> str:
        return f"{self.goal}: {self.get_progress_display()}"
