"""The client record: the person served, their contact preferences and supportive people."""

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from phonenumber_field.modelfields import PhoneNumberField

from careteam.fields import (
    ADDENDUM_MAX_LENGTH,
    CLINICAL_NOTE_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    BoundedTextField,
)
from careteam.models import Team, User, validate_time_zone


def validate_not_future(value: dt.date) -> None:
    if value > timezone.localdate():
        raise ValidationError("This date is in the future.")


class ClientStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DISCHARGED = "discharged", "Discharged"


class SexAtBirth(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown"
    DECLINED = "declined", "Declined to answer"


class GenderIdentity(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NONBINARY = "nonbinary", "Non-binary"
    TRANS_WOMAN = "trans_woman", "Transgender woman"
    TRANS_MAN = "trans_man", "Transgender man"
    OTHER = "other", "Another identity"
    DECLINED = "declined", "Declined to answer"


class ContactChannel(models.TextChoices):
    SMS = "sms", "Text message"
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    MAIL = "mail", "Post"
    NONE = "none", "Do not contact"


class DischargeReason(models.TextChoices):
    COMPLETED = "completed", "Completed treatment"
    TRANSFERRED = "transferred", "Transferred to another provider"
    LEFT = "left", "Left against advice / stopped attending"
    MOVED = "moved", "Moved away"
    INCARCERATED = "incarcerated", "Incarcerated"
    DECEASED = "deceased", "Deceased"
    ADMINISTRATIVE = "administrative", "Administrative discharge"
    OTHER = "other", "Other"


class AsamEdition(models.TextChoices):
    THIRD = "3", "ASAM Criteria, 3rd edition (2013)"
    FOURTH = "4", "ASAM Criteria, 4th edition (2023)"


# Levels of care by edition. Source: The ASAM Criteria, 3rd ed. (2013) — levels
# 0.5 to 4 plus the withdrawal-management (WM) levels of Dimension 1; 4th ed.
# (2023) — the continuum as renumbered there (1.0 to 4.0, WM integrated).
ASAM_LEVELS: dict[str, list[tuple[str, str]]] = {
    AsamEdition.THIRD: [
        ("0.5", "0.5 Early intervention"),
        ("1", "1 Outpatient services"),
        ("2.1", "2.1 Intensive outpatient"),
        ("2.5", "2.5 Partial hospitalization"),
        ("3.1", "3.1 Clinically managed low-intensity residential"),
        ("3.3", "3.3 Clinically managed population-specific high-intensity residential"),
        ("3.5", "3.5 Clinically managed high-intensity residential"),
        ("3.7", "3.7 Medically monitored intensive inpatient"),
        ("4", "4 Medically managed intensive inpatient"),
        ("1-WM", "1-WM Ambulatory withdrawal management without extended on-site monitoring"),
        ("2-WM", "2-WM Ambulatory withdrawal management with extended on-site monitoring"),
        ("3.2-WM", "3.2-WM Clinically managed residential withdrawal management"),
        ("3.7-WM", "3.7-WM Medically monitored inpatient withdrawal management"),
        ("4-WM", "4-WM Medically managed intensive inpatient withdrawal management"),
    ],
    AsamEdition.FOURTH: [
        ("1.0", "1.0 Long-term remission monitoring"),
        ("1.5", "1.5 Outpatient therapy"),
        ("1.7", "1.7 Medically managed outpatient treatment"),
        ("2.1", "2.1 Intensive outpatient treatment"),
        ("2.5", "2.5 High-intensity outpatient treatment"),
        ("2.7", "2.7 Medically managed intensive outpatient treatment"),
        ("3.1", "3.1 Clinically managed low-intensity residential treatment"),
        ("3.5", "3.5 Clinically managed high-intensity residential treatment"),
        ("3.7", "3.7 Medically managed residential treatment"),
        ("4.0", "4.0 Medically managed inpatient treatment"),
    ],
}
ASAM_LEVEL_CHOICES = sorted(
    {code: label for levels in ASAM_LEVELS.values() for code, label in levels}.items(),
    key=lambda item: item[0],
)

LANGUAGE_CHOICES = [
    ("en", "English"),
    ("es", "Spanish"),
    ("zh", "Chinese"),
    ("vi", "Vietnamese"),
    ("ar", "Arabic"),
    ("fr", "French"),
    ("ht", "Haitian Creole"),
    ("ko", "Korean"),
    ("ru", "Russian"),
    ("pt", "Portuguese"),
    ("tl", "Tagalog"),
    ("so", "Somali"),
    ("asl", "American Sign Language"),
    ("other", "Other"),
]

TIME_ZONE_CHOICES = [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz]


class AllergyReview(models.TextChoices):
    """Whether anyone has asked: "no known allergies" is an answer, "not asked" is not."""

    NOT_ASKED = "not_asked", _("Not asked yet")
    NO_KNOWN_ALLERGIES = "no_known", _("No known allergies")
    RECORDED = "recorded", _("Allergies recorded")


class ClientQuerySet(models.QuerySet):
    def not_archived(self):
        return self.filter(archived_at__isnull=True)

    def with_text_consent(self, day: dt.date | None = None):
        """Annotate ``text_consent_active``: ``Client.text_consent_on_file`` then costs no query per row."""
        active = Consent.objects.active_on(day).filter(
            client=models.OuterRef("pk"), kind=ConsentKind.TEXT_MESSAGING
        )
        return self.annotate(text_consent_active=models.Exists(active))


class Client(models.Model):
    """A person served. Never deleted: discharged, or archived when entered in error."""

    record_number = models.CharField(max_length=20, unique=True, null=True, editable=False)
    legal_first_name = models.CharField("legal first name", max_length=100)
    legal_last_name = models.CharField("legal last name", max_length=100)
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="What the person likes to be called."
    )
    pronouns = models.CharField(max_length=40, blank=True, help_text="e.g. she/her, he/him, they/them")
    date_of_birth = models.DateField(validators=[validate_not_future])
    sex_at_birth = models.CharField(
        "sex assigned at birth", max_length=16, choices=SexAtBirth.choices, blank=True
    )
    gender_identity = models.CharField(max_length=16, choices=GenderIdentity.choices, blank=True)
    preferred_language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    interpreter_needed = models.BooleanField(default=False)

    phone = PhoneNumberField(blank=True)
    email = models.EmailField(blank=True)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)

    preferred_channel = models.CharField(
        "preferred contact", max_length=8, choices=ContactChannel.choices, default=ContactChannel.PHONE
    )
    # Whether we may text is not a column: the text-messaging consent record is the one switch
    # (``Client.text_consent_on_file`` below reads it).
    may_leave_voicemail = models.BooleanField("may we leave a voicemail", default=False)
    # Opt-outs are timestamps: when the person said stop (an inbound STOP, or staff recording it).
    sms_opted_out_at = models.DateTimeField("texts stopped at", null=True, blank=True, editable=False)
    email_opted_out_at = models.DateTimeField("emails stopped at", null=True, blank=True, editable=False)
    nonessential_opted_out_at = models.DateTimeField(
        "non-essential messages stopped at",
        null=True,
        blank=True,
        editable=False,
        help_text="Caring contacts and reminders stop; appointment changes and safety messages do not.",
    )
    quiet_hours_start = models.TimeField(null=True, blank=True, help_text="No messages from this time…")
    quiet_hours_end = models.TimeField(null=True, blank=True, help_text="…until this time.")
    time_zone = models.CharField(max_length=64, default="America/New_York", validators=[validate_time_zone])

    status = models.CharField(max_length=16, choices=ClientStatus.choices, default=ClientStatus.ACTIVE)
    referred_on = models.DateField(null=True, blank=True, validators=[validate_not_future])
    admitted_on = models.DateField(null=True, blank=True, validators=[validate_not_future])
    discharged_on = models.DateField(null=True, blank=True, validators=[validate_not_future])
    discharge_reason = models.CharField(max_length=20, choices=DischargeReason.choices, blank=True)

    asam_edition = models.CharField("ASAM edition", max_length=1, choices=AsamEdition.choices, blank=True)
    asam_level = models.CharField("level of care", max_length=8, choices=ASAM_LEVEL_CHOICES, blank=True)

    primary_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="clients")

    # "No known allergies" is an answer someone recorded; "not asked" is not (``AllergyReview``).
    # Kept by ``clients.allergies.services``: recording an active allergy sets "recorded".
    allergy_review = models.CharField(
        _("allergies"),
        max_length=12,
        choices=AllergyReview.choices,
        default=AllergyReview.NOT_ASKED,
        editable=False,
    )
    allergy_reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    allergy_reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    archive_reason = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["legal_last_name", "legal_first_name", "id"]
        permissions = [("archive_client", "Can archive a client record entered in error")]
        indexes = [
            models.Index(fields=["legal_last_name", "legal_first_name"]),
            models.Index(fields=["date_of_birth"]),
            models.Index(fields=["primary_team", "status"]),
            # A team's current clients read from the index alone: every dashboard query starts here.
            models.Index(
                fields=["primary_team", "status", "id"],
                condition=Q(archived_at__isnull=True),
                name="clients_team_live_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="discharged") | Q(discharged_on__isnull=False),
                name="discharged_client_has_discharge_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.record_number})"

    @property
    def display_name(self) -> str:
        """Preferred first name with the legal last name: how staff address the person."""
        return f"{self.preferred_name or self.legal_first_name} {self.legal_last_name}"

    @property
    def legal_name(self) -> str:
        return f"{self.legal_first_name} {self.legal_last_name}"

    @property
    def text_consent_on_file(self) -> bool:
        """May we text this person: an active text-messaging consent is on file — the one switch.

        Texting an individual needs their prior express consent (TCPA, 47 U.S.C. 227(b)(1)(A);
        47 CFR 64.1200(a)(1)); the consent record (``ConsentKind.TEXT_MESSAGING``, recorded and
        revoked through ``clients.consents.services``) is where it lives. Lists annotate it with
        ``Client.objects.with_text_consent()``; a client being opened with a texting consent given at
        intake (``clients.services.client_create``) counts as texting-consented while it is validated.
        """
        annotated = self.__dict__.get("text_consent_active")
        if annotated is not None:
            return bool(annotated)
        if getattr(self, "_text_consent_at_intake", False):
            return True
        if self.pk is None:
            return False
        return Consent.objects.active_on().filter(client=self, kind=ConsentKind.TEXT_MESSAGING).exists()

    @property
    def age(self) -> int:
        today = timezone.localdate()
        dob = self.date_of_birth
        return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))

    @property
    def level_of_care_display(self) -> str:
        if not self.asam_level:
            return ""
        labels = dict(ASAM_LEVELS.get(self.asam_edition, []))
        label = labels.get(self.asam_level, self.asam_level)
        return f"{label} (ASAM {self.asam_edition}e)" if self.asam_edition else label

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.asam_level:
            if not self.asam_edition:
                errors["asam_edition"] = "Say which edition of the ASAM Criteria this level comes from."
            elif self.asam_level not in dict(ASAM_LEVELS[self.asam_edition]):
                errors["asam_level"] = (
                    f"{self.asam_level} is not a level of care in the {AsamEdition(self.asam_edition).label}."
                )
        if self.status == ClientStatus.DISCHARGED:
            if not self.discharged_on:
                errors["discharged_on"] = "A discharged client needs a discharge date."
            if not self.discharge_reason:
                errors["discharge_reason"] = "Say why the client was discharged."
        if self.discharged_on and self.admitted_on and self.discharged_on < self.admitted_on:
            errors["discharged_on"] = "Discharge cannot come before admission."
        if (self.quiet_hours_start is None) != (self.quiet_hours_end is None):
            errors["quiet_hours_end"] = "Give both the start and the end of quiet hours, or neither."
        if self.preferred_channel == ContactChannel.SMS and not self.text_consent_on_file:
            errors["preferred_channel"] = _(
                "Text messages can be the preferred contact only once the client's consent to texts is "
                "recorded (Consents tab). Choose another way for now, or record the texting consent first."
            )
        if self.preferred_channel in {ContactChannel.SMS, ContactChannel.PHONE} and not self.phone:
            errors["phone"] = "A phone number is needed for the preferred contact method."
        if self.preferred_channel == ContactChannel.EMAIL and not self.email:
            errors["email"] = "An email address is needed for the preferred contact method."
        if errors:
            raise ValidationError(errors)


class ClientUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's per-client grants, with a real foreign key so access checks are one join."""

    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)


class ClientGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)


class SupportivePerson(models.Model):
    """Someone in the client's corner: family, friend, sponsor, mentor."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="supportive_people")
    name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=80, help_text="e.g. sister, sponsor, partner, friend")
    phone = PhoneNumberField(blank=True)
    may_be_contacted = models.BooleanField(
        default=False, help_text="The client has agreed that the team may contact this person."
    )
    involved_in_care = models.BooleanField(default=False)
    notes = models.CharField(max_length=300, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "supportive people"

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"

    def clean(self) -> None:
        if self.may_be_contacted and not self.phone:
            raise ValidationError({"phone": "Add a phone number so the team can reach this person."})


# --- Measurement-based care: instruments and responses ----------------------------------------


class ScoringRule(models.TextChoices):
    """Scoring rules are code (clients/assessments/scoring.py); instruments name one by id."""

    PHQ9 = "phq9", "PHQ-9"
    PHQ2 = "phq2", "PHQ-2"
    GAD7 = "gad7", "GAD-7"
    AUDIT_C = "audit_c", "AUDIT-C"
    DAST10 = "dast10", "DAST-10"
    BARC10 = "barc10", "BARC-10"
    CSSRS_SCREENER = "cssrs_screener", "C-SSRS screener"
    WHO5 = "who5", "WHO-5"
    PC_PTSD5 = "pc_ptsd5", "PC-PTSD-5"
    CIWA_AR = "ciwa_ar", "CIWA-Ar"
    COWS = "cows", "COWS"


class Instrument(models.Model):
    """A standardized measure, as data: items (key, text, options with values) and the rule that scores them.

    ``items`` is a list of ``{"key": "q1", "text": "...", "options": [{"value": 0, "label": "..."}, ...]}``.
    Licensed instruments ship their keys and options with empty ``text``; an
    organisation loads its licensed wording with ``manage.py load_instrument_text``.
    """

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    version = models.CharField(max_length=40, blank=True)
    scoring_rule = models.CharField(max_length=32, choices=ScoringRule.choices)
    items = models.JSONField(default=list)
    instructions = BoundedTextField(blank=True, max_length=DESCRIPTION_MAX_LENGTH)
    licence_note = BoundedTextField(blank=True, max_length=COMMENT_MAX_LENGTH)
    copyright_line = models.CharField(max_length=300, blank=True)
    # Measurement-based care cadence: re-administer every N days to active clients already measured.
    cadence_days = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_item_text(self) -> bool:
        return all(item.get("text") for item in self.items)


class AssessmentResponse(models.Model):
    """One administration of an instrument to a client, scored when it was saved. Never edited."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="assessments")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    instrument_version = models.CharField(max_length=40, blank=True)
    answers = models.JSONField(default=dict)
    total = models.IntegerField(null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    flags = models.JSONField(default=list, blank=True)
    # How the result was reached when the rule needed more than the answers (AUDIT-C's cutoff by sex).
    scoring_note = models.CharField(max_length=300, blank=True)
    administered_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    administered_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-administered_at", "-id"]
        indexes = [
            # A client's scores on an instrument in time order, with the id and total in the index so
            # the dashboard's outcome figures (first, latest, count per client) never read the table.
            models.Index(
                fields=["client", "instrument", "administered_at", "id", "total"],
                name="clients_assess_client_cov_idx",
            ),
            # One instrument's scores in a date range, every client (the dashboard's risk list): the
            # client and id come from the index, so only the team's rows are fetched.
            models.Index(
                fields=["instrument", "administered_at", "client", "id"], name="clients_assess_instr_at_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.total} ({self.administered_at:%Y-%m-%d})"


# --- Appointments and encounter notes ------------------------------------------------------------


class AppointmentKind(models.TextChoices):
    INDIVIDUAL = "individual", "Individual counseling"
    GROUP = "group", "Group"
    CASE_MANAGEMENT = "case_management", "Case management"
    PEER = "peer", "Peer support"
    MEDICATION = "medication", "Psychiatric / medication"
    CRISIS_FOLLOW_UP = "crisis_follow_up", "Crisis follow-up"
    INTAKE = "intake", "Intake"
    OTHER = "other", "Other"


class AppointmentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    ATTENDED = "attended", "Attended"
    NO_SHOW = "no_show", "No-show"
    CANCELLED_CLIENT = "cancelled_client", "Cancelled by client"
    CANCELLED_PROGRAM = "cancelled_program", "Cancelled by program"
    RESCHEDULED = "rescheduled", "Rescheduled"


class Appointment(models.Model):
    # No index of its own: the (client, starts_at) index below serves every lookup by client, and a
    # second, narrower one misled the planner at scale (docs/performance.md).
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="appointments", db_index=False)
    staff = models.ForeignKey(User, on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField(max_length=24, choices=AppointmentKind.choices)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=50)
    location = models.CharField(max_length=200, blank=True)
    telehealth_url = models.URLField(blank=True)
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.SCHEDULED
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rescheduled_to = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="rescheduled_from"
    )
    notes = models.CharField(max_length=300, blank=True, help_text="Logistics only (room, what to bring).")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["staff", "starts_at"]),
            models.Index(fields=["client", "starts_at"]),
            models.Index(fields=["status", "starts_at"]),
            # Dashboard (docs/performance.md): engagement, sudden isolation and crisis checkpoints look
            # for attended appointments of a client in a window; the risk list for medication no-shows.
            models.Index(
                fields=["client", "starts_at"],
                condition=Q(status="attended"),
                name="clients_appt_attended_idx",
            ),
            # Appointments that were due (attended or no-show) per client in time order, with the
            # status in the index: weekly attendance and the "two no-shows in a row" flag.
            models.Index(
                fields=["client", "starts_at", "id", "status"],
                condition=Q(status__in=["attended", "no_show"]),
                name="clients_appt_due_idx",
            ),
            models.Index(
                fields=["starts_at", "client"],
                condition=Q(kind="medication", status="no_show"),
                name="clients_appt_med_noshow_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


class NoteFormat(models.TextChoices):
    DAP = "dap", "DAP (data, assessment, plan)"
    SOAP = "soap", "SOAP (subjective, objective, assessment, plan)"


class NoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED = "signed", "Signed"


class EncounterNote(models.Model):
    """A session note. A draft until signed; once signed it is locked and only addenda may follow.

    ``restricted`` marks a psychotherapy/counseling note (HIPAA 45 CFR 164.501):
    visible only to its author and the author's supervisor.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="notes")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="note"
    )
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="notes")
    format = models.CharField(max_length=4, choices=NoteFormat.choices, default=NoteFormat.DAP)
    subjective = BoundedTextField(blank=True, max_length=CLINICAL_NOTE_MAX_LENGTH)
    objective = BoundedTextField(blank=True, max_length=CLINICAL_NOTE_MAX_LENGTH)
    data = BoundedTextField(blank=True, max_length=CLINICAL_NOTE_MAX_LENGTH)
    assessment = BoundedTextField(blank=True, max_length=CLINICAL_NOTE_MAX_LENGTH)
    plan = BoundedTextField(blank=True, max_length=CLINICAL_NOTE_MAX_LENGTH)
    minutes_spent = models.PositiveSmallIntegerField(null=True, blank=True)
    restricted = models.BooleanField(
        default=False, help_text="Psychotherapy note: only you and your supervisor can read it."
    )
    status = models.CharField(max_length=8, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    requires_cosign = models.BooleanField(default=False)
    cosigned_at = models.DateTimeField(null=True, blank=True)
    cosigned_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("cosign_encounternote", "Can co-sign other staff's notes")]
        indexes = [
            models.Index(fields=["client", "created_at"]),
            models.Index(fields=["author", "status"]),
            models.Index(fields=["requires_cosign", "cosigned_at"]),
            # The dashboard's "unsigned after 72 h" and co-signature backlog figures.
            models.Index(
                fields=["created_at", "client"], condition=Q(status="draft"), name="clients_note_draft_idx"
            ),
            models.Index(
                fields=["client"],
                condition=Q(status="signed", requires_cosign=True, cosigned_at__isnull=True),
                name="clients_note_cosign_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_at__isnull=False, signed_by__isnull=False),
                name="signed_note_has_signer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} note {self.created_at:%Y-%m-%d}"

    @property
    def is_locked(self) -> bool:
        return self.status == NoteStatus.SIGNED


class NoteAddendum(models.Model):
    """A correction or addition to a signed note; the note itself never changes."""

    note = models.ForeignKey(EncounterNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = BoundedTextField(max_length=ADDENDUM_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "note addenda"

    def __str__(self) -> str:
        return f"Addendum {self.created_at:%Y-%m-%d %H:%M}"


# --- Logged contacts --------------------------------------------------------------------------------


class ContactMode(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    VIDEO = "video", "Video"
    IN_PERSON = "in_person", "In person"
    HOME_VISIT = "home_visit", "Home / community visit"
    EMAIL = "email", "Email"


class ContactPurpose(models.TextChoices):
    CHECK_IN = "check_in", "Check-in"
    CRISIS_FOLLOW_UP = "crisis_follow_up", "Crisis follow-up"
    REFERRAL_FOLLOW_UP = "referral_follow_up", "Referral follow-up"
    APPOINTMENT_REMINDER = "appointment_reminder", "Appointment reminder / rescheduling"
    OUTREACH = "outreach", "Outreach after missed contact"
    OTHER = "other", "Other"


class ClientContact(models.Model):
    """A contact (or attempt) between a staff member and the client outside a booked appointment.

    ``reached`` separates a conversation from an attempt: only a reached contact
    meets a crisis follow-up checkpoint or counts as engagement.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="contacts")
    staff = models.ForeignKey(User, on_delete=models.PROTECT, related_name="client_contacts")
    contacted_at = models.DateTimeField(default=timezone.now)
    mode = models.CharField(max_length=12, choices=ContactMode.choices)
    purpose = models.CharField(max_length=24, choices=ContactPurpose.choices, default=ContactPurpose.CHECK_IN)
    reached = models.BooleanField(
        default=True, help_text="Did you speak with the client (not only leave a message)?"
    )
    summary = models.CharField(
        max_length=500, blank=True, help_text="Logistics and outcome; clinical content belongs in a note."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-contacted_at", "-id"]
        indexes = [
            models.Index(fields=["client", "contacted_at"]),
            # Contacts in which the client was reached, per client in time order (engagement, sudden
            # isolation, crisis checkpoints), read without touching the table.
            models.Index(
                fields=["client", "contacted_at"],
                condition=Q(reached=True),
                name="clients_contact_reached_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.contacted_at:%Y-%m-%d %H:%M}"


# --- Needs, consents (42 CFR Part 2) and disclosures ------------------------------------------------


class NeedCategory(models.TextChoices):
    """The needs taxonomy; the resource directory's taxonomy terms use the same codes."""

    HOUSING = "housing", "Housing"
    FOOD = "food", "Food"
    TRANSPORTATION = "transportation", "Transportation"
    LEGAL = "legal", "Legal"
    EMPLOYMENT = "employment", "Employment"
    BENEFITS = "benefits", "Benefits"
    CHILDCARE = "childcare", "Childcare"
    IDENTIFICATION = "identification", "Identification documents"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUD_TREATMENT = "substance_use_treatment", "Substance use treatment"
    MEDICAL = "medical", "Medical"
    PEER_RECOVERY = "peer_recovery_support", "Peer / recovery support"
    CRISIS = "crisis", "Crisis"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    URGENT = "urgent", "Urgent"


class NeedStatus(models.TextChoices):
    OPEN = "open", "Open"
    REFERRED = "referred", "Referred"
    MET = "met", "Met"
    UNMET_CLOSED = "unmet_closed", "Closed, not met"
    DECLINED = "declined", "Declined by client"


class Need(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="needs")
    category = models.CharField(max_length=32, choices=NeedCategory.choices)
    description = models.CharField(max_length=500, help_text="In the client's words where possible.")
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.ROUTINE)
    status = models.CharField(max_length=16, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    identified_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    identified_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    closed_note = models.CharField(max_length=300, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["status", "-identified_at", "id"]
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.description[:60]}"

    @property
    def is_open(self) -> bool:
        return self.status in {NeedStatus.OPEN, NeedStatus.REFERRED}


class ConsentKind(models.TextChoices):
    PART2 = "part2", "42 CFR Part 2 disclosure"
    GENERAL = "general", "General release of information"
    TEXT_MESSAGING = "text_messaging", "Text messaging"


class InformationCategory(models.TextChoices):
    DEMOGRAPHICS = "demographics", "Demographics and contact details"
    SUD = "sud", "Substance use diagnosis and treatment"
    MENTAL_HEALTH = "mental_health", "Mental health"
    OTHER = "other", "Other health information"


class SignatureMethod(models.TextChoices):
    PAPER = "paper", "Signed on paper"
    ELECTRONIC = "electronic", "Signed electronically"
    VERBAL = "verbal", "Verbal, witnessed"


class ConsentQuerySet(models.QuerySet):
    def active_on(self, day: dt.date | None = None):
        """Signed by ``day`` (default today), not revoked by then and not expired (42 CFR 2.31(a)(6),
        (a)(8)): the one definition of an active consent (``Consent.is_active_on`` for one row)."""
        day = day or timezone.localdate()
        return self.filter(signed_on__lte=day).filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=day),
            Q(expires_on__isnull=True) | Q(expires_on__gte=day),
        )


class Consent(models.Model):
    """A client's written permission to share information (or to be texted).

    A Part 2 consent names a recipient — a directory organisation, or a named
    person or class of recipients — the purpose, and the categories of information
    it covers. It is active from ``signed_on`` until it expires or is revoked;
    nothing is ever deleted.
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    kind = models.CharField(max_length=16, choices=ConsentKind.choices)
    recipient_organization = models.ForeignKey(
        "referrals.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="consents"
    )
    recipient_name = models.CharField(
        max_length=200,
        blank=True,
        help_text="A named person or class of recipients, when not a directory organisation.",
    )
    purpose = models.CharField(max_length=300, blank=True)
    categories = models.JSONField(default=list, blank=True, help_text="InformationCategory codes covered.")
    signed_on = models.DateField(validators=[validate_not_future])
    signature_method = models.CharField(max_length=12, choices=SignatureMethod.choices)
    expires_on = models.DateField(null=True, blank=True)
    expires_on_event = models.CharField(
        max_length=200,
        blank=True,
        help_text="e.g. 'on discharge from the program'; staff revoke it when it happens.",
    )
    revoked_on = models.DateField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["client", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("signed_on")),
                name="consent_expires_after_signing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_display} ({self.signed_on:%Y-%m-%d})"

    @property
    def recipient_display(self) -> str:
        if self.recipient_organization_id:
            return str(self.recipient_organization)
        return self.recipient_name or "—"

    def is_active_on(self, day: dt.date) -> bool:
        if self.signed_on > day:
            return False
        if self.revoked_on and self.revoked_on <= day:
            return False
        return not (self.expires_on and self.expires_on < day)


class Disclosure(models.Model):
    """One release of client information outside the program (the accounting of disclosures)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="disclosures")
    disclosed_at = models.DateTimeField(default=timezone.now)
    recipient_organization = models.ForeignKey(
        "referrals.Organization", on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    recipient_name = models.CharField(max_length=200, blank=True)
    categories = models.JSONField(default=list, help_text="InformationCategory codes disclosed.")
    description = models.CharField(max_length=500, help_text="What was shared, e.g. 'referral packet'.")
    purpose = models.CharField(max_length=300)
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    disclosed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # What carried the information, e.g. ("referrals.referral", "17").
    source_type = models.CharField(max_length=100, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    # The 42 CFR 2.32 notice that went with it, word for word (empty when no Part 2 information left).
    notice = BoundedTextField(
        max_length=DESCRIPTION_MAX_LENGTH,
        blank=True,
        help_text="The 42 CFR 2.32 notice that accompanied the disclosure, as sent.",
    )

    class Meta:
        ordering = ["-disclosed_at", "-id"]
        indexes = [models.Index(fields=["client", "disclosed_at"])]

    def __str__(self) -> str:
        return (
            f"Disclosure {self.disclosed_at:%Y-%m-%d} → {self.recipient_organization or self.recipient_name}"
        )


# --- Diagnoses, medications and allergies ----------------------------------------------------------
# The clinical problem list a counselor expects on a chart. Never deleted: a wrong row is marked
# "entered in error" with a reason and stays in the record (DESIGN "Clinical content").


class DiagnosisCode(models.Model):
    """An ICD-10-CM code with its official description.

    ICD-10-CM is published by CDC's National Center for Health Statistics and is in the public domain.
    The shipped subset (chapter F, Z55-Z65, the poisoning T-codes of overdose) is loaded by a migration
    from ``clients/diagnoses/data/``; ``manage.py load_icd10cm`` loads the full release file. DSM-5
    criteria text is copyrighted and is not shipped.
    """

    code = models.CharField(
        _("ICD-10-CM code"), max_length=8, unique=True, help_text=_("With the dot, e.g. F11.20.")
    )
    description = models.CharField(_("description"), max_length=300)
    # A code valid on a claim (the most specific level) rather than a category heading.
    billable = models.BooleanField(_("valid for coding"), default=True)
    release = models.CharField(_("release"), max_length=16, blank=True, help_text=_("e.g. FY2025"))
    is_active = models.BooleanField(_("in the current release"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("ICD-10-CM code")
        verbose_name_plural = _("ICD-10-CM codes")

    def __str__(self) -> str:
        return f"{self.code} {self.description}"


class ProblemListEntry(models.Model):
    """What every row of the problem list (diagnosis, medication, allergy) keeps besides its own fields:
    why its status last changed, who recorded it and when. Rows are never deleted."""

    status_reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class DiagnosisType(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    PROVISIONAL = "provisional", _("Provisional")
    RULE_OUT = "rule_out", _("Rule-out")
    HISTORICAL = "historical", _("Historical")


class DiagnosisStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RESOLVED = "resolved", _("Resolved")
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")


class Diagnosis(ProblemListEntry):
    """A diagnosis on the client's problem list, ICD-10-CM coded."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="diagnoses")
    code = models.ForeignKey(DiagnosisCode, on_delete=models.PROTECT, related_name="diagnoses")
    # The official description as it read when recorded (a later code-set release may reword it).
    description = models.CharField(_("description"), max_length=300)
    diagnosis_type = models.CharField(
        _("type"), max_length=16, choices=DiagnosisType.choices, default=DiagnosisType.SECONDARY
    )
    onset_date = models.DateField(_("onset"), null=True, blank=True, validators=[validate_not_future])
    resolved_date = models.DateField(
        _("resolved on"), null=True, blank=True, validators=[validate_not_future]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DiagnosisStatus.choices, default=DiagnosisStatus.ACTIVE
    )
    comment = BoundedTextField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["status", "diagnosis_type", "code__code", "id"]
        verbose_name = _("diagnosis")
        verbose_name_plural = _("diagnoses")
        indexes = [models.Index(fields=["client", "status"], name="clients_dx_client_status_idx")]
        constraints = [
            # One primary diagnosis at a time: a second is recorded as secondary or the first resolved.
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(status="active", diagnosis_type="primary"),
                name="one_active_primary_diagnosis",
            ),
            models.CheckConstraint(
                condition=Q(resolved_date__isnull=True)
                | Q(onset_date__isnull=True)
                | Q(resolved_date__gte=models.F("onset_date")),
                name="diagnosis_resolved_after_onset",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code.code} {self.description}"


class MedicationRoute(models.TextChoices):
    ORAL = "oral", _("By mouth")
    SUBLINGUAL = "sublingual", _("Under the tongue")
    BUCCAL = "buccal", _("Inside the cheek")
    INTRAMUSCULAR = "intramuscular", _("Injection into a muscle")
    SUBCUTANEOUS = "subcutaneous", _("Injection under the skin")
    INTRAVENOUS = "intravenous", _("Into a vein")
    TRANSDERMAL = "transdermal", _("Skin patch")
    NASAL = "nasal", _("Nasal")
    INHALED = "inhaled", _("Inhaled")
    TOPICAL = "topical", _("On the skin")
    OTHER = "other", _("Other")


class MoudType(models.TextChoices):
    """Medications for opioid use disorder (MOUD) and alcohol use disorder (MAUD).

    The FDA-approved medications SAMHSA lists: TIP 63 "Medications for Opioid Use Disorder"
    (buprenorphine, methadone, naltrexone) and "Medication for the Treatment of Alcohol Use Disorder:
    A Brief Guide" (acamprosate, disulfiram, naltrexone).
    """

    BUPRENORPHINE = "buprenorphine", _("Buprenorphine")
    BUPRENORPHINE_NALOXONE = "buprenorphine_naloxone", _("Buprenorphine/naloxone")
    BUPRENORPHINE_XR = "buprenorphine_xr", _("Extended-release buprenorphine (injection)")
    METHADONE = "methadone", _("Methadone")
    NALTREXONE_XR = "naltrexone_xr", _("Extended-release naltrexone (injection)")
    NALTREXONE_ORAL = "naltrexone_oral", _("Naltrexone (oral)")
    ACAMPROSATE = "acamprosate", _("Acamprosate (alcohol use disorder)")
    DISULFIRAM = "disulfiram", _("Disulfiram (alcohol use disorder)")


class MedicationStatus(models.TextChoices):
    ACTIVE = "active", _("Taking")
    STOPPED = "stopped", _("Stopped")
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")


class Medication(ProblemListEntry):
    """A medication the client takes, prescribed here or by an outside prescriber."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="medications")
    name = models.CharField(
        _("medication"),
        max_length=200,
        help_text=_("Name and strength, e.g. buprenorphine/naloxone 8 mg/2 mg film."),
    )
    rxnorm_code = models.CharField(
        _("RxNorm code"),
        max_length=16,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{1,12}$", _("An RxNorm code (RxCUI) is digits only."))],
    )
    dose = models.CharField(_("dose"), max_length=100, blank=True, help_text=_("e.g. 16 mg"))
    route = models.CharField(_("route"), max_length=16, choices=MedicationRoute.choices, blank=True)
    frequency = models.CharField(_("how often"), max_length=100, blank=True, help_text=_("e.g. once a day"))
    moud_type = models.CharField(
        _("medication for opioid or alcohol use disorder"),
        max_length=32,
        choices=MoudType.choices,
        blank=True,
        help_text=_("Leave empty unless this treats opioid or alcohol use disorder."),
    )
    # Prescribed by a staff member here, or by an outside prescriber (name, organisation, phone).
    prescriber = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prescriber here"),
    )
    prescriber_name = models.CharField(_("outside prescriber"), max_length=150, blank=True)
    prescriber_organization = models.CharField(_("prescriber's organisation"), max_length=200, blank=True)
    prescriber_phone = PhoneNumberField(_("prescriber's phone"), blank=True)
    start_date = models.DateField(_("started"), null=True, blank=True, validators=[validate_not_future])
    stop_date = models.DateField(_("stopped"), null=True, blank=True, validators=[validate_not_future])
    status = models.CharField(
        _("status"), max_length=20, choices=MedicationStatus.choices, default=MedicationStatus.ACTIVE
    )
    comment = BoundedTextField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True)

    class Meta:
        ordering = ["status", "-start_date", "name", "id"]
        verbose_name = _("medication")
        verbose_name_plural = _("medications")
        indexes = [models.Index(fields=["client", "status"], name="clients_med_client_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(stop_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(stop_date__gte=models.F("start_date")),
                name="medication_stopped_after_start",
            ),
            models.CheckConstraint(
                condition=Q(prescriber__isnull=True) | Q(prescriber_name=""),
                name="medication_one_prescriber",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_moud(self) -> bool:
        return bool(self.moud_type)

    @property
    def prescriber_display(self) -> str:
        if self.prescriber_id:
            return self.prescriber.get_full_name() or self.prescriber.get_username()
        return ", ".join(p for p in (self.prescriber_name, self.prescriber_organization) if p)


class PrescriberRecommendation(models.Model):
    """A dated recommendation from the prescriber (e.g. the psychiatrist's), for the whole clinical team."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="prescriber_recommendations")
    medication = models.ForeignKey(
        Medication,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("about the medication"),
    )
    recommended_on = models.DateField(_("date"), validators=[validate_not_future])
    prescriber_name = models.CharField(_("from"), max_length=150, help_text=_("Who made the recommendation."))
    text = BoundedTextField(_("recommendation"), max_length=COMMENT_MAX_LENGTH)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    entered_in_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    entered_in_error_reason = models.CharField(max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["-recommended_on", "-id"]
        verbose_name = _("prescriber recommendation")
        verbose_name_plural = _("prescriber recommendations")
        indexes = [models.Index(fields=["client", "recommended_on"], name="clients_rx_rec_client_idx")]

    def __str__(self) -> str:
        return f"{self.recommended_on:%Y-%m-%d} {self.prescriber_name}: {self.text[:60]}"


class AllergyCategory(models.TextChoices):
    """FHIR R4 AllergyIntolerance.category."""

    MEDICATION = "medication", _("Medication")
    FOOD = "food", _("Food")
    ENVIRONMENT = "environment", _("Environment")
    BIOLOGIC = "biologic", _("Biologic")


class AllergyKind(models.TextChoices):
    """FHIR R4 AllergyIntolerance.type: an allergy, or an intolerance / adverse reaction."""

    ALLERGY = "allergy", _("Allergy")
    INTOLERANCE = "intolerance", _("Intolerance or adverse reaction")


class AllergySeverity(models.TextChoices):
    """FHIR R4 AllergyIntolerance.reaction.severity, with "not known"."""

    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")
    UNKNOWN = "unknown", _("Not known")


class AllergyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("No longer applies")
    ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")


class Allergy(ProblemListEntry):
    """An allergy or adverse reaction: substance, reaction, severity."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="allergies")
    substance = models.CharField(_("substance"), max_length=200)
    category = models.CharField(
        _("category"), max_length=16, choices=AllergyCategory.choices, default=AllergyCategory.MEDICATION
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=AllergyKind.choices, default=AllergyKind.ALLERGY
    )
    reaction = models.CharField(
        _("reaction"), max_length=300, blank=True, help_text=_("e.g. hives, swelling")
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=AllergySeverity.choices, default=AllergySeverity.UNKNOWN
    )
    onset_date = models.DateField(_("first noticed"), null=True, blank=True, validators=[validate_not_future])
    status = models.CharField(
        _("status"), max_length=20, choices=AllergyStatus.choices, default=AllergyStatus.ACTIVE
    )

    class Meta:
        ordering = ["status", "substance", "id"]
        verbose_name = _("allergy")
        verbose_name_plural = _("allergies")
        indexes = [models.Index(fields=["client", "status"], name="clients_allergy_client_idx")]

    def __str__(self) -> str:
        return self.substance
