"""The client record: the person served, their contact preferences and supportive people."""

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from phonenumber_field.modelfields import PhoneNumberField

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


class ClientQuerySet(models.QuerySet):
    def not_archived(self):
        return self.filter(archived_at__isnull=True)


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
    may_text = models.BooleanField("may we text", default=False)
    may_leave_voicemail = models.BooleanField("may we leave a voicemail", default=False)
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
        if self.preferred_channel == ContactChannel.SMS and not self.may_text:
            errors["may_text"] = "Text messages are the preferred contact, so the client must agree to texts."
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
