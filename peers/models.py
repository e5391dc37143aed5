"""Peer support: peer profiles and matching, peer assignments, contacts and accompaniment,
support groups and attendance, recovery-capital check-ins and the "first friend" list."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from careteam.fields import COMMENT_MAX_LENGTH, BoundedTextField
from careteam.models import CareTeamAssignment, Team, User
from clients.models import Client


class ExperienceArea(models.TextChoices):
    ALCOHOL = "alcohol", "Alcohol"
    OPIOIDS = "opioids", "Opioids"
    STIMULANTS = "stimulants", "Stimulants"
    OTHER_SUBSTANCES = "other_substances", "Other substances"
    MENTAL_HEALTH = "mental_health", "Mental health"
    JUSTICE = "justice", "Justice involvement"
    HOMELESSNESS = "homelessness", "Homelessness"
    PARENTING = "parenting", "Parenting"
    VETERAN = "veteran", "Veteran"
    LGBTQ = "lgbtq", "LGBTQ+"
    OTHER = "other", "Other"


class Pathway(models.TextChoices):
    TWELVE_STEP = "twelve_step", "12-step"
    SMART = "smart", "SMART Recovery"
    MAR = "mar", "Medication-assisted recovery"
    FAITH = "faith", "Faith-based"
    HARM_REDUCTION = "harm_reduction", "Harm reduction"
    OTHER = "other", "Other"


class AgeBracket(models.TextChoices):
    YOUTH = "youth", "Under 18"
    YOUNG_ADULT = "18_25", "18-25"
    ADULT = "26_40", "26-40"
    MIDLIFE = "41_60", "41-60"
    OLDER = "60_plus", "60+"


class PeerGender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    NONBINARY = "nonbinary", "Non-binary"
    OTHER = "other", "Another identity"
    UNDISCLOSED = "", "Not disclosed"


class PeerProfile(models.Model):
    """One per peer specialist. Lived-experience areas are self-disclosed and each is optional."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="peer_profile")
    experience_areas = models.JSONField(
        default=list, blank=True, help_text="ExperienceArea values, self-disclosed."
    )
    languages = models.JSONField(
        default=list, blank=True, help_text="Language codes, as on the client record."
    )
    age_bracket = models.CharField(max_length=10, choices=AgeBracket.choices, blank=True)
    gender = models.CharField(max_length=12, choices=PeerGender.choices, blank=True)
    pathways = models.JSONField(default=list, blank=True, help_text="Pathway values they can speak to.")
    trained_for_youth = models.BooleanField(default=False, help_text="May be matched with clients under 18.")
    availability = models.CharField(max_length=200, blank=True, help_text="e.g. weekdays, Tuesday evenings")
    caseload_capacity = models.PositiveSmallIntegerField(default=15)
    bio = BoundedTextField(
        blank=True, help_text="A few words the client may read when choosing.", max_length=COMMENT_MAX_LENGTH
    )
    accepting_new = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return f"Peer profile: {self.user}"


class PeerCertification(models.Model):
    profile = models.ForeignKey(PeerProfile, on_delete=models.CASCADE, related_name="certifications")
    name = models.CharField(max_length=120, help_text="e.g. Certified Peer Recovery Specialist (CPRS)")
    issuer = models.CharField(max_length=120, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["expires_on", "name"]

    def __str__(self) -> str:
        return self.name


class PeerMatchPreferences(models.Model):
    """What the client wants matched when a peer is chosen, and what they do not want."""

    client = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="peer_preferences")
    wants_peer = models.BooleanField(default=True)
    language_match = models.BooleanField(default=True, help_text="Match on the client's preferred language.")
    shared_experience = models.JSONField(
        default=list, blank=True, help_text="ExperienceArea values to match on."
    )
    gender_preference = models.CharField(max_length=12, choices=PeerGender.choices, blank=True)
    pathway_preference = models.JSONField(
        default=list, blank=True, help_text="Pathway values the client prefers."
    )
    pathways_not_wanted = models.JSONField(default=list, blank=True, help_text="Pathway values to avoid.")
    notes = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name_plural = "peer match preferences"

    def __str__(self) -> str:
        return f"Peer preferences for {self.client}"


class PeerAssignment(models.Model):
    """A peer specialist working with a client. Access follows the care-team assignment it creates."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="peer_assignments")
    peer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="peer_assignments")
    care_team_assignment = models.OneToOneField(
        CareTeamAssignment, on_delete=models.PROTECT, related_name="peer_assignment"
    )
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    goals = BoundedTextField(
        "goals for peer work, in the client's words", blank=True, max_length=COMMENT_MAX_LENGTH
    )
    match_reasons = models.JSONField(
        default=list, blank=True, help_text="Why this peer, as shown when chosen."
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "peer"],
                condition=Q(ended_on__isnull=True),
                name="one_active_peer_assignment",
            ),
        ]
        indexes = [models.Index(fields=["peer", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.peer} with {self.client}"


class ContactMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    TEXT = "text", "Text"
    VIDEO = "video", "Video"


class ContactKind(models.TextChoices):
    CHECK_IN = "check_in", "Check-in"
    ACCOMPANIMENT = "accompaniment", "Accompaniment"
    COACHING = "coaching", "Recovery coaching"
    GROUP_TOGETHER = "group_together", "Went to a group together"
    CRISIS_SUPPORT = "crisis_support", "Crisis support"
    OTHER = "other", "Other"


class AccompanimentTo(models.TextChoices):
    COURT = "court", "Court"
    CLINIC = "clinic", "Clinic / medical"
    BENEFITS = "benefits", "Benefits office"
    MEETING = "meeting", "Meeting / support group"
    HOUSING = "housing", "Housing appointment"
    OTHER = "other", "Other"


class RecoveryDomain(models.TextChoices):
    HOUSING = "housing", "Housing"
    EMPLOYMENT = "employment", "Employment"
    RELATIONSHIPS = "relationships", "Relationships"
    HEALTH = "health", "Health"
    COMMUNITY = "community", "Community"
    PURPOSE = "purpose", "Purpose"


class PeerContact(models.Model):
    """One contact between a peer and a client: short and non-clinical by design."""

    assignment = models.ForeignKey(PeerAssignment, on_delete=models.PROTECT, related_name="contacts")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="peer_contacts")
    peer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="peer_contacts")
    occurred_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    mode = models.CharField(max_length=12, choices=ContactMode.choices)
    kind = models.CharField(max_length=16, choices=ContactKind.choices)
    accompaniment_to = models.CharField(max_length=12, choices=AccompanimentTo.choices, blank=True)
    place = models.CharField(max_length=200, blank=True)
    summary = models.CharField("what happened", max_length=500, help_text="Short and non-clinical.")
    domains = models.JSONField(default=list, blank=True, help_text="RecoveryDomain values touched.")
    follow_up_needed = models.BooleanField(default=False)
    follow_up_note = models.CharField(max_length=300, blank=True)
    needs_clinical_attention = models.BooleanField(
        default=False, help_text="The follow-up goes to the counselor instead of the peer."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["client", "occurred_at"]),
            models.Index(fields=["peer", "occurred_at"]),
            # Dashboard (dashboards/panels/peers.py): the contacts of a range by time, with the client
            # (index-only), instead of every contact ever logged.
            models.Index(fields=["occurred_at", "client"], name="peers_contact_occurred_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class Fellowship(models.TextChoices):
    AA = "aa", "Alcoholics Anonymous"
    NA = "na", "Narcotics Anonymous"
    SMART = "smart", "SMART Recovery"
    REFUGE = "refuge", "Refuge Recovery"
    CELEBRATE = "celebrate", "Celebrate Recovery"
    PEER_PROGRAM = "peer_program", "Peer-led program group"
    FAMILY = "family", "Family group"
    OTHER = "other", "Other"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class SupportGroup(models.Model):
    name = models.CharField(max_length=150)
    fellowship = models.CharField(max_length=16, choices=Fellowship.choices)
    meets_on = models.PositiveSmallIntegerField(choices=Weekday.choices, null=True, blank=True)
    meets_at = models.TimeField(null=True, blank=True)
    schedule_note = models.CharField(max_length=150, blank=True, help_text="e.g. first Sunday of the month")
    place = models.CharField(max_length=200, blank=True)
    online_url = models.URLField(blank=True)
    language = models.CharField(max_length=8, default="en")
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Program-run groups.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AttendanceSource(models.TextChoices):
    SELF_REPORT = "self_report", "Self-report"
    PEER_VERIFIED = "peer_verified", "Peer-verified"
    STAFF_VERIFIED = "staff_verified", "Staff-verified"


class GroupAttendance(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="group_attendance")
    group = models.ForeignKey(SupportGroup, on_delete=models.PROTECT, related_name="attendance")
    date = models.DateField()
    attended = models.BooleanField(default=True)
    source = models.CharField(max_length=16, choices=AttendanceSource.choices)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "group", "date"], name="one_attendance_per_group_day")
        ]
        indexes = [models.Index(fields=["client", "date"])]

    def __str__(self) -> str:
        return f"{self.group} {self.date}"


class RecoveryCapitalCheckIn(models.Model):
    """A peer-friendly self-rating, 1 (struggling) to 6 (strong), across the six recovery-capital domains."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="recovery_checkins")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_on = models.DateField(default=timezone.localdate)
    ratings = models.JSONField(help_text="{RecoveryDomain value: 1 to 6}")
    total = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-recorded_on", "-id"]
        indexes = [models.Index(fields=["client", "recorded_on"])]

    def __str__(self) -> str:
        return f"Recovery check-in {self.recorded_on}: {self.total}"


class FirstFriend(models.Model):
    """A volunteer or peer willing to go with someone to their first meeting."""

    name = models.CharField(max_length=150)
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="first_friend"
    )
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    languages = models.JSONField(default=list, blank=True)
    areas = models.JSONField(default=list, blank=True, help_text="ExperienceArea values.")
    fellowships = models.JSONField(default=list, blank=True, help_text="Fellowship values they attend.")
    neighborhoods = models.CharField(max_length=200, blank=True)
    notes = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
