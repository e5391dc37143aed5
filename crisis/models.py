"""Crisis episodes, versioned safety plans, follow-up checkpoints and caring-contact plans.

A checkpoint stores its window and the tasks it raised, never a "met" flag: whether it is met is
computed from the record (a reached ``clients.ClientContact`` or an attended ``clients.Appointment``
inside the window), so a contact logged late, or an appointment marked attended after the fact,
is counted without anyone ticking anything. See ``crisis.checkpoints``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from careteam.models import User
from clients.models import AssessmentResponse, Client


class EpisodeSource(models.TextChoices):
    CALL = "call", "Phone call"
    WALK_IN = "walk_in", "Walk-in"
    CRISIS_LINE = "crisis_line", "988 / crisis line transfer"
    MOBILE_TEAM = "mobile_team", "Mobile crisis team"
    ED = "ed", "Emergency department"
    POLICE = "police", "Police"
    SCHOOL = "school", "School"
    OTHER = "other", "Other"


class PresentingConcern(models.TextChoices):
    SUICIDAL_IDEATION = "suicidal_ideation", "Suicidal ideation"
    SELF_HARM = "self_harm", "Self-harm"
    OVERDOSE = "overdose", "Overdose"
    INTOXICATION = "intoxication_withdrawal", "Intoxication / withdrawal"
    PSYCHOSIS = "psychosis", "Psychosis"
    DOMESTIC_VIOLENCE = "domestic_violence", "Domestic violence"
    HOMELESSNESS = "homelessness", "Homelessness"
    GRIEF = "grief", "Grief"
    OTHER = "other", "Other"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    IMMINENT = "imminent", "Imminent"


class RiskSource(models.TextChoices):
    CLINICIAN = "clinician", "Clinician rating"
    CSSRS = "cssrs", "C-SSRS screener"


class ImmediateAction(models.TextChoices):
    MEANS_RESTRICTION = "means_restriction", "Means restriction discussed"
    SAFETY_PLAN = "safety_plan", "Safety plan made or reviewed"
    GAVE_988 = "gave_988", "988 number given"
    EMERGENCY_SERVICES = "emergency_services", "Emergency services called"
    FAMILY_CONTACTED = "family_contacted", "Family / supportive person contacted"
    MOBILE_TEAM = "mobile_team", "Mobile team dispatched"
    WARM_HANDOFF = "warm_handoff", "Warm hand-off to a provider"
    OTHER = "other", "Other"


class Disposition(models.TextChoices):
    COMMUNITY = "community", "Stabilised in the community"
    URGENT_OUTPATIENT = "urgent_outpatient", "Urgent outpatient appointment"
    MOBILE_FOLLOW_UP = "mobile_follow_up", "Mobile crisis follow-up"
    CSU = "csu", "Crisis stabilisation unit"
    DETOX = "detox", "Detox / withdrawal management"
    ED = "ed", "Emergency department"
    INPATIENT = "inpatient", "Inpatient hospitalisation"
    OTHER = "other", "Other"


class CrisisEpisode(models.Model):
    """One crisis: opened fast, risk recorded, a disposition that starts the follow-up clock, closed."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="crisis_episodes")
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=16, choices=EpisodeSource.choices)
    concerns = models.JSONField(default=list, help_text="PresentingConcern codes.")
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices)
    risk_source = models.CharField(max_length=10, choices=RiskSource.choices, default=RiskSource.CLINICIAN)
    risk_screen = models.ForeignKey(
        AssessmentResponse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The C-SSRS screener the risk level came from, if any.",
    )
    immediate_actions = models.JSONField(default=list, blank=True, help_text="ImmediateAction codes.")
    summary = models.CharField(max_length=500, blank=True, help_text="Logistics; clinical detail in a note.")
    responders = models.ManyToManyField(User, related_name="crisis_episodes_responded", blank=True)
    disposition = models.CharField(max_length=20, choices=Disposition.choices, blank=True)
    disposition_at = models.DateTimeField(
        null=True, blank=True, help_text="When the disposition (or the discharge) happened: follow-up starts."
    )
    disposition_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disposition_note = models.CharField(max_length=500, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["client", "opened_at"]),
            models.Index(fields=["closed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(disposition=""),
                name="closed_episode_has_disposition",
            ),
        ]

    def __str__(self) -> str:
        return f"Crisis episode {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def concern_labels(self) -> list[str]:
        labels = dict(PresentingConcern.choices)
        return [labels.get(c, c) for c in self.concerns]

    @property
    def action_labels(self) -> list[str]:
        labels = dict(ImmediateAction.choices)
        return [labels.get(c, c) for c in self.immediate_actions]

    @property
    def moderate_or_higher(self) -> bool:
        return self.risk_level in (RiskLevel.MODERATE, RiskLevel.HIGH, RiskLevel.IMMINENT)


class CheckpointMeets(models.TextChoices):
    CONTACT = "contact", "A reached contact or an attended appointment"
    VISIT = "visit", "An attended outpatient appointment"


class FollowUpCheckpoint(models.Model):
    """A follow-up the standards require after a disposition, e.g. contact within 24 hours.

    Met or not is computed (``crisis.checkpoints``); the row keeps the window and the tasks raised.
    """

    episode = models.ForeignKey(CrisisEpisode, on_delete=models.PROTECT, related_name="checkpoints")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    kind = models.SlugField(max_length=40)
    label = models.CharField(max_length=120)
    meets = models.CharField(max_length=8, choices=CheckpointMeets.choices)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    remind_from = models.DateTimeField(help_text="From when an unmet checkpoint is a task on a worklist.")
    due_task = models.ForeignKey(
        "careteam.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["window_end", "id"]
        indexes = [
            models.Index(fields=["client", "window_start"]),
            models.Index(fields=["window_end"]),
            # Dashboard (dashboards/panels/crisis.py): the clocks started in a range with every column
            # the rates read (the met test's client and window, kind, meets), so PostgreSQL reads them
            # from the index alone (index-only scan) instead of the whole table. Key columns rather
            # than ``include``: SQLite has no INCLUDE (models.W040) but uses a covering index all the same.
            models.Index(
                fields=["window_start", "client", "kind", "meets", "window_end", "id"],
                name="crisis_checkpoint_started_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["episode", "kind"], name="one_checkpoint_kind_per_episode"),
            models.CheckConstraint(
                condition=Q(window_end__gte=models.F("window_start")), name="checkpoint_window_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} (by {self.window_end:%Y-%m-%d %H:%M})"


class SafetyPlanReason(models.TextChoices):
    NEW_CRISIS = "new_crisis", "New crisis"
    REVIEW = "review", "Scheduled review"
    CLIENT_REQUEST = "client_request", "Client asked for a change"


class SafetyPlanVersion(models.Model):
    """One saved version of a client's safety plan; the latest is the current plan. Never edited.

    Sections follow the standard safety-planning intervention (Stanley & Brown, 2012), in our own
    words. List sections hold strings; the two contact sections hold ``{"name", "phone"}`` rows.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="safety_plans")
    version = models.PositiveIntegerField()
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    reason = models.CharField(max_length=16, choices=SafetyPlanReason.choices)
    episode = models.ForeignKey(
        CrisisEpisode, on_delete=models.PROTECT, null=True, blank=True, related_name="safety_plans"
    )
    warning_signs = models.JSONField(default=list, blank=True)
    coping_strategies = models.JSONField(default=list, blank=True)
    distractions = models.JSONField(default=list, blank=True)
    help_contacts = models.JSONField(default=list, blank=True)
    professionals = models.JSONField(default=list, blank=True)
    environment_safety = models.JSONField(default=list, blank=True)
    reasons_for_living = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["client", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["client", "version"], name="one_safety_plan_version_number"),
        ]

    def __str__(self) -> str:
        return f"Safety plan v{self.version} ({self.created_at:%Y-%m-%d})"


class CaringContactProtocol(models.Model):
    """A caring-contacts schedule, editable in admin.

    ``steps`` is a list of ``{"days": n}``, ``{"months": n}`` or ``{"birthday": true}``, counted from
    the plan's start date in the client's time zone (see ``crisis.protocols``).
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    steps = models.JSONField(default=list)
    is_default = models.BooleanField(default=False, help_text="Offered first when a plan is started.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-is_default", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from .protocols import validate_steps

        validate_steps(self.steps)


class CaringContactPlan(models.Model):
    """Brief, non-demand messages signed by a named staff member, on a protocol (Motto & Bostrom 2001)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="caring_contact_plans")
    protocol = models.ForeignKey(CaringContactProtocol, on_delete=models.PROTECT, related_name="plans")
    episode = models.ForeignKey(
        CrisisEpisode, on_delete=models.PROTECT, null=True, blank=True, related_name="caring_contact_plans"
    )
    channel = models.CharField(max_length=8, choices=[("sms", "Text message"), ("email", "Email")])
    signer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(default=timezone.now, editable=False)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    stop_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(stopped_at__isnull=True),
                name="one_running_caring_contact_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol} from {self.start_date:%Y-%m-%d}"

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None
