"""Care-team core: staff users, teams, care-team assignments and the audit trail."""

import datetime as dt
import hashlib
import json
import zoneinfo
from functools import cache, cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import COMMENT_MAX_LENGTH, BoundedTextField
from .roles import Role


@cache
def _known_time_zones() -> frozenset[str]:
    # available_timezones() walks the tz database on disk (~45 ms); the set cannot change while we run.
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in _known_time_zones():
        raise ValidationError(f"“{value}” is not a known time zone (for example America/New_York).")


class User(AbstractUser):
    """A staff member. Roles are Django groups; see ``careteam.roles``."""

    credentials = models.CharField(
        max_length=60, blank=True, help_text="Shown after the name on signed work, e.g. LCSW, CPRS."
    )
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])
    notes_require_cosign = models.BooleanField(
        default=False,
        help_text="This person's signed notes wait for a supervisor's co-signature (e.g. interns, trainees).",
    )
    # "Sign out everywhere" and an MFA reset move this forward: sessions begun before it end.
    sessions_valid_after = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        name = self.get_full_name() or self.username
        return f"{name}, {self.credentials}" if self.credentials else name

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The user's role group names (one query, cached on the instance)."""
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(str(r) for r in roles))

    @property
    def primary_role(self) -> str:
        """The role that decides navigation and the default role on a new case."""
        for role in Role.values:
            if role in self.role_names:
                return role
        return ""


class Organization(models.Model):
    """A provider organisation: the teams it runs share crisis coverage (a crisis worker reaches the
    clients of their own organisation's teams without breaking the glass, nobody else's)."""

    name = models.CharField(_("name"), max_length=160, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A program or site: the unit a supervisor is responsible for."""

    name = models.CharField(max_length=120, unique=True)
    program = models.CharField(max_length=120, blank=True, help_text="e.g. Outpatient SUD, Crisis services")
    site = models.CharField(max_length=120, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
        verbose_name=_("organization"),
    )
    # 42 CFR 2.11 "program": a federally assisted program that holds itself out as providing SUD
    # diagnosis, treatment or referral. Under 2.12-2.13 even a disclosure of demographics alone
    # reveals that the person is its patient, so every disclosure from it needs consent.
    is_part2_program = models.BooleanField(
        _("42 CFR Part 2 program"),
        default=False,
        help_text=_(
            "A federally assisted substance-use-disorder program (42 CFR 2.11). Any disclosure about "
            "its clients, even demographics alone, needs the client's consent, because it reveals "
            "that the person is a patient."
        ),
    )
    members = models.ManyToManyField(User, related_name="teams", blank=True)
    supervisors = models.ManyToManyField(User, related_name="supervised_teams", blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CaseRole(models.TextChoices):
    PRIMARY_COUNSELOR = "primary_counselor", "Primary counselor"
    CASE_MANAGER = "case_manager", "Case manager"
    PEER = "peer", "Peer specialist"
    PRESCRIBER = "prescriber", "Prescriber"
    CRISIS = "crisis", "Crisis worker"
    OTHER = "other", "Other"


# The case role a user takes on when they open a record themselves.
DEFAULT_CASE_ROLE = {
    Role.COUNSELOR: CaseRole.PRIMARY_COUNSELOR,
    Role.CASE_MANAGER: CaseRole.CASE_MANAGER,
    Role.PEER_SPECIALIST: CaseRole.PEER,
    Role.CRISIS_WORKER: CaseRole.CRISIS,
}


class CareTeamAssignmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_on__isnull=True)


class CareTeamAssignment(models.Model):
    """A staff member's place on one client's care team; it is what grants access.

    Started and ended only through ``careteam.access`` so the object
    permissions always follow the assignment.
    """

    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="assignments")
    staff = models.ForeignKey(User, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=32, choices=CaseRole.choices)
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CareTeamAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["ended_on", "role", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "staff", "role"],
                condition=Q(ended_on__isnull=True),
                name="one_active_assignment_per_staff_role",
            ),
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(ended_on__isnull=True, role="primary_counselor"),
                name="one_active_primary_counselor",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="assignment_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["staff", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.staff} — {self.get_role_display()}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Listed"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted / archived"
    EXPORT = "export", "Exported / printed"
    DISCLOSE = "disclose", "Disclosed"
    LOGIN = "login", "Logged in"
    LOGOUT = "logout", "Logged out"
    LOGIN_FAILED = "login_failed", "Failed login"
    PERMISSION_CHANGE = "permission_change", "Permission changed"
    PASSWORD_CHANGE = "password_change", "Password changed"
    MFA_CHANGE = "mfa_change", "Two-factor authentication changed"
    LOCKOUT = "lockout", "Sign-in locked"
    UNLOCK = "unlock", "Sign-in unlocked"
    API_TOKEN = "api_token", "API token issued or revoked"
    DENIED = "denied", "Access refused"
    EMERGENCY_ACCESS = "emergency_access", "Emergency access (break the glass)"
    EMERGENCY_REVIEW = "emergency_review", "Emergency access reviewed"


class AuditEvent(models.Model):
    """One row of the append-only audit trail.

    The database refuses UPDATE and DELETE on this table (triggers installed
    by migration 0003) and, on PostgreSQL, TRUNCATE (migration 0011).
    Rows are written unsealed and sealed soon after, in order, by a
    background step (the only UPDATE the triggers allow: filling the four
    sealing columns of an unsealed row). ``row_hash`` is SHA-256 over the
    row's content and the previous sealed row's hash, so a row edited behind
    the triggers' back breaks the chain.
    ``row_mac`` is HMAC-SHA-256 of ``row_hash`` under ``AUDIT_HMAC_KEY``, a
    key kept outside the database, so whoever owns the table cannot rewrite
    a row and recompute the chain after it; signed checkpoints written outside
    the database catch rows deleted from the end. ``manage.py audit_verify``
    checks all three (``careteam.audit``).

    ``user`` and ``client`` carry no database constraint: the trail must
    outlive anything it mentions, and must never block or cascade.
    """

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_constraint=False, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    reason = models.TextField(blank=True)
    changed_fields = models.JSONField(default=list, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    # Sealing (careteam.audit.audit_seal_pending): a row is written without these four, so requests never
    # queue on one lock, and a background step chains rows in order; seal_seq is that order (1, 2, ...).
    seal_seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    row_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    row_mac = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["client", "occurred_at"]),
            models.Index(fields=["user", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action} {self.object_type}"

    def content_for_hash(self) -> str:
        """The canonical text the chain hashes; any change to a stored field changes it."""
        occurred = self.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
        return json.dumps(
            [
                self.prev_hash,
                occurred,
                self.user_id,
                self.username,
                self.client_id,
                self.object_type,
                self.object_id,
                self.action,
                self.ip_address,
                self.path,
                self.reason,
                self.changed_fields,
                self.detail,
            ],
            sort_keys=True,
            separators=(",", ":"),
            default=str,
        )

    def compute_hash(self) -> str:
        return hashlib.sha256(self.content_for_hash().encode()).hexdigest()


class ServiceHeartbeat(models.Model):
    """Last time a background process proved it was alive (beat → worker round trip)."""

    name = models.CharField(max_length=50, primary_key=True)
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


class TaskKind(models.TextChoices):
    RISK_SCREEN = "risk_screen", "Complete a risk screen"
    COSIGN_NOTE = "cosign_note", "Co-sign a note"
    SIGN_NOTE = "sign_note", "Sign a note"
    PLAN_REVIEW = "plan_review", "Review a treatment plan"
    ASSESSMENT_DUE = "assessment_due", "Administer an assessment"
    FOLLOW_UP = "follow_up", "Follow up with the client"
    CRISIS_CHECKPOINT = "crisis_checkpoint", "Crisis follow-up due"
    CHECKPOINT_MISSED = "checkpoint_missed", "Crisis follow-up missed"
    CLIENT_REPLY = "client_reply", "Reply from a client"
    MESSAGE_FAILED = "message_failed", "Message could not be sent"
    CALL_CLIENT = "call_client", "Call the client"
    REFERRAL_NO_RESPONSE = "referral_no_response", "Referral: no response from partner"
    REFERRAL_OUTCOME_DUE = "referral_outcome_due", "Referral: check the outcome with the client"
    REFERRAL_STALE = "referral_stale", "Referral: no activity"
    CONSENT_REVOKED = "consent_revoked", "Consent revoked: review open referrals"
    EMERGENCY_ACCESS = "emergency_access", "Emergency access to a client: review"
    NOTE_RETURNED = "note_returned", "Revise a note returned by the co-signer"
    OTHER = "other", "Other"


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DISMISSED = "dismissed", "Dismissed"


class TaskPriority(models.TextChoices):
    URGENT = "urgent", "Urgent"
    NORMAL = "normal", "Normal"


class Task(models.Model):
    """Something a staff member (or a team) must do, shown on their worklist.

    The one staff-task model: outreach, crisis, referrals and the clinical record
    all raise tasks through ``careteam.services.task_create``. It lives in the
    core because ``clients`` raises tasks too and must not depend on the apps
    above it. ``dedupe_key`` makes
    creation idempotent — a periodic job or a repeated save that raises the same
    task twice gets the existing one back.
    """

    kind = models.CharField(max_length=32, choices=TaskKind.choices)
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    assignee = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    priority = models.CharField(max_length=8, choices=TaskPriority.choices, default=TaskPriority.NORMAL)
    due_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    done_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    # What raised it, e.g. ("clients.assessmentresponse", "42"): lets the source close its own task.
    source_type = models.CharField(max_length=100, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["status", "-priority", "due_at", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"]),
            models.Index(fields=["team", "status"]),
            models.Index(fields=["source_type", "source_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__isnull=False) | Q(team__isnull=False), name="task_has_an_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EmergencyAccessReason(models.TextChoices):
    """Why someone outside the care team opened a record. The first two are the emergencies
    42 CFR 2.51 (medical emergencies) and HIPAA 164.510(j) (serious and imminent threat) allow."""

    MEDICAL_EMERGENCY = "medical_emergency", _("Medical emergency")
    IMMINENT_RISK = "imminent_risk", _("Serious and imminent risk to the client or others")
    CRISIS_RESPONSE = "crisis_response", _("Crisis response: the care team cannot be reached")
    CONTINUITY = "continuity", _("Urgent continuity of care")


class EmergencyAccessQuerySet(models.QuerySet):
    def current(self, now: dt.datetime | None = None):
        """Grants in force now: started, not expired, not ended early."""
        now = now or timezone.now()
        return self.filter(expires_at__gt=now, ended_at__isnull=True)

    def awaiting_review(self):
        return self.filter(reviewed_at__isnull=True)


class EmergencyAccess(models.Model):
    """One break-the-glass grant: ``user`` may open ``client`` until ``expires_at``.

    Created only by ``careteam.services.emergency_access_open`` (audited, tells the client's
    supervisors); never deleted. A supervisor marks it reviewed afterwards.
    """

    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="emergency_accesses", verbose_name=_("staff member")
    )
    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.PROTECT,
        related_name="emergency_accesses",
        verbose_name=_("client"),
    )
    reason = models.CharField(_("reason"), max_length=32, choices=EmergencyAccessReason.choices)
    justification = BoundedTextField(_("justification"), max_length=COMMENT_MAX_LENGTH)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    ended_at = models.DateTimeField(_("ended early"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewed by")
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = BoundedTextField(_("review note"), max_length=COMMENT_MAX_LENGTH, blank=True)

    objects = EmergencyAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("emergency access")
        verbose_name_plural = _("emergency accesses")
        indexes = [
            models.Index(fields=["user", "client", "expires_at"]),
            models.Index(fields=["reviewed_at", "started_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("started_at")),
                name="emergency_access_expires_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.client_id} ({self.started_at:%Y-%m-%d %H:%M})"
