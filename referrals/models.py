"""The resource directory (shaped like Open Referral HSDS 3.0) and closed-loop referrals.

Directory tables keep HSDS's names and columns so a directory exported by a
211 or a community information exchange imports as it is. Each row keeps its
HSDS ``id`` (a UUID) in ``hsds_id`` beside the local integer key, so an export
followed by an import updates the same rows rather than duplicating them.
Fields HSDS does not have — capacity, electronic referrals, typical response
time — are our extensions and are exported as extra columns.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from careteam.fields import (
    COMMENT_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    DIRECTORY_TEXT_MAX_LENGTH,
    BoundedTextField,
)
from careteam.models import User
from clients.models import Client, Consent, Need, NeedCategory, Urgency

# --- Directory (HSDS 3.0) ------------------------------------------------------------------------


class HsdsModel(models.Model):
    hsds_id = models.UUIDField("HSDS id", default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


class Organization(HsdsModel):
    name = models.CharField(max_length=200)
    alternate_name = models.CharField(max_length=200, blank=True)
    description = BoundedTextField(blank=True, max_length=DIRECTORY_TEXT_MAX_LENGTH)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    tax_status = models.CharField(max_length=60, blank=True)
    tax_id = models.CharField(max_length=40, blank=True)
    year_incorporated = models.PositiveSmallIntegerField(null=True, blank=True)
    legal_status = models.CharField(max_length=60, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(HsdsModel):
    """A needs category. ``code`` is a ``clients.NeedCategory`` value for the built-in taxonomy."""

    code = models.CharField(max_length=64)
    name = models.CharField(max_length=120)
    description = BoundedTextField(blank=True, max_length=DIRECTORY_TEXT_MAX_LENGTH)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    taxonomy = models.CharField(
        max_length=60, default="careteam-needs", help_text="Which taxonomy the code comes from."
    )
    language = models.CharField(max_length=8, blank=True)
    term_uri = models.URLField(blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["taxonomy", "code"], name="taxonomy_term_code_unique")]

    def __str__(self) -> str:
        return self.name


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class Capacity(models.TextChoices):
    OPEN = "open", "Open"
    WAITLIST = "waitlist", "Waitlist"
    FULL = "full", "Full"


class Service(HsdsModel):
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    alternate_name = models.CharField(max_length=200, blank=True)
    description = BoundedTextField(blank=True, max_length=DIRECTORY_TEXT_MAX_LENGTH)
    url = models.URLField(blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE)
    interpretation_services = models.CharField(max_length=300, blank=True)
    application_process = BoundedTextField(blank=True, max_length=DIRECTORY_TEXT_MAX_LENGTH)
    fees_description = models.CharField(
        max_length=300, blank=True, help_text="Cost, e.g. 'Free' or 'Sliding scale'."
    )
    wait_time = models.CharField(max_length=120, blank=True)
    eligibility_description = BoundedTextField(blank=True, max_length=DIRECTORY_TEXT_MAX_LENGTH)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    accreditations = models.CharField(max_length=300, blank=True)
    licenses = models.CharField(max_length=300, blank=True)
    alert = models.CharField(max_length=300, blank=True)
    taxonomy_terms = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="services")
    # Extensions to HSDS.
    accepts_electronic_referrals = models.BooleanField(default=False)
    referral_email = models.EmailField(blank=True, help_text="Where partner response links are sent.")
    typical_response_days = models.PositiveSmallIntegerField(null=True, blank=True)
    capacity = models.CharField(max_length=10, choices=Capacity.choices, default=Capacity.OPEN)
    capacity_updated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["status", "capacity"])]

    def __str__(self) -> str:
        return f"{self.name} — {self.organization.name}" if self.organization_id else self.name


class ServiceLanguage(HsdsModel):
    """HSDS ``language``: a language a service is offered in."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    name = models.CharField(max_length=60)
    code = models.CharField(max_length=8, help_text="ISO 639-1, e.g. 'es'.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="service_language_unique")]

    def __str__(self) -> str:
        return self.name


class LocationType(models.TextChoices):
    PHYSICAL = "physical", "Physical"
    POSTAL = "postal", "Postal"
    VIRTUAL = "virtual", "Virtual"


class Location(HsdsModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="locations"
    )
    location_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    name = models.CharField(max_length=200, blank=True)
    alternate_name = models.CharField(max_length=200, blank=True)
    description = BoundedTextField(blank=True, max_length=DIRECTORY_TEXT_MAX_LENGTH)
    transportation = models.CharField(max_length=300, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or f"Location {self.pk}"


class Address(HsdsModel):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=200, blank=True)
    address_1 = models.CharField(max_length=200)
    address_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    state_province = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2, default="US")
    address_type = models.CharField(max_length=10, default="physical")

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"{self.address_1}, {self.city}"


class ServiceAtLocation(HsdsModel):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = BoundedTextField(blank=True, max_length=DIRECTORY_TEXT_MAX_LENGTH)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="service_at_location_unique")
        ]
        verbose_name = "service at location"
        verbose_name_plural = "services at locations"

    def __str__(self) -> str:
        return f"{self.service} @ {self.location}"


class Phone(HsdsModel):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(max_length=40)
    extension = models.CharField(max_length=10, blank=True)
    type = models.CharField(
        max_length=10, blank=True, help_text="text, voice, fax, cell, video, pager, textphone"
    )
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.number


class Schedule(HsdsModel):
    """Regular opening hours as HSDS gives them: one weekly rule per row (``freq=WEEKLY``, ``byday``)."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    freq = models.CharField(max_length=10, default="WEEKLY")
    byday = models.CharField(max_length=40, blank=True, help_text="RFC 5545 days, e.g. 'MO,TU,WE,TH,FR'.")
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, blank=True, help_text="IANA zone; the site's zone when blank.")
    description = models.CharField(max_length=300, blank=True)
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description or f"{self.byday} {self.opens_at} to {self.closes_at}"


# --- Referrals ---------------------------------------------------------------------------------------


class ReferralStatus(models.TextChoices):
    """FHIR Task status, as the SDOH Clinical Care IG uses it for referrals."""

    DRAFT = "draft", "Draft"
    REQUESTED = "requested", "Requested"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    IN_PROGRESS = "in-progress", "In progress"
    ON_HOLD = "on-hold", "On hold"
    CANCELLED = "cancelled", "Cancelled"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


class ReferralOutcome(models.TextChoices):
    CONNECTED = "connected", "Connected / service received"
    CLIENT_DECLINED = "client_declined", "Client declined"
    NO_CONTACT = "no_contact", "Could not contact client"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    NO_CAPACITY = "no_capacity", "No capacity"
    UNRESPONSIVE = "unresponsive", "Organisation unresponsive"
    OTHER = "other", "Other"


class Referral(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="referrals")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="referrals")
    referred_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="referrals_made")
    reason = BoundedTextField(max_length=COMMENT_MAX_LENGTH)
    urgency = models.CharField(max_length=8, choices=Urgency.choices, default=Urgency.ROUTINE)
    category = models.CharField(max_length=32, choices=NeedCategory.choices, blank=True)
    shared_categories = models.JSONField(
        default=list, blank=True, help_text="clients.InformationCategory codes shared."
    )
    shared_summary = BoundedTextField(
        max_length=DESCRIPTION_MAX_LENGTH,
        blank=True,
        help_text="What the receiving organisation will see, in words.",
    )
    consent = models.ForeignKey(
        Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    warm_handoff = models.BooleanField(default=False)
    warm_handoff_how = models.CharField(max_length=200, blank=True)
    appointment_at = models.DateTimeField("appointment at the receiving organisation", null=True, blank=True)
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT)
    status_changed_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=16, choices=ReferralOutcome.choices, blank=True)
    outcome_note = models.CharField(max_length=300, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    flagged_at = models.DateTimeField(null=True, blank=True)
    flag_reason = models.CharField(max_length=200, blank=True)
    # Bumped when staff revoke the partner link: older tokens carry the old number and stop working.
    partner_link_version = models.PositiveIntegerField(default=1)
    partner_link_revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["client", "status"]),
            models.Index(fields=["referred_by", "status"]),
            models.Index(fields=["status", "requested_at"]),
            models.Index(fields=["organization", "status"]),
            # Dashboard (dashboards/panels/referrals.py, docs/performance.md): the referrals sent in a
            # range with every column the panel's aggregate reads, so PostgreSQL answers from the index
            # alone (an index-only scan) ... Key columns rather than ``include``: SQLite has no INCLUDE
            # (check models.W040 at every migrate) but uses a covering index all the same.
            models.Index(
                fields=["requested_at", "client", "first_response_at", "closed_at", "outcome", "id"],
                name="referral_sent_idx",
            ),
            # ... and the few still waiting for the partner's first answer (the overdue figure and table).
            models.Index(
                fields=["client", "requested_at", "urgency", "organization"],
                condition=Q(status="requested", first_response_at__isnull=True),
                name="referral_awaiting_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="other") | ~Q(outcome_note=""), name="referral_other_outcome_has_text"
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} to {self.service.name}"


class ReferralActor(models.TextChoices):
    STAFF = "staff", "Staff"
    PARTNER = "partner", "Receiving organisation"
    SYSTEM = "system", "System"


class ReferralEventKind(models.TextChoices):
    STATUS = "status", "Status change"
    NOTE = "note", "Note"
    SCHEDULED = "scheduled", "Appointment scheduled"
    ATTENDANCE = "attendance", "Attendance reported"
    OUTCOME = "outcome", "Outcome recorded"
    FLAGGED = "flagged", "Flagged"
    LINK = "link", "Partner link"
    CONSENT = "consent", "Consent revoked"


class ReferralEvent(models.Model):
    """One entry on a referral's timeline. Append-only; the referral row holds the current state."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(
        max_length=12, choices=ReferralEventKind.choices, default=ReferralEventKind.STATUS
    )
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    actor_kind = models.CharField(max_length=8, choices=ReferralActor.choices)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = BoundedTextField(blank=True, max_length=COMMENT_MAX_LENGTH)
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["referral", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d %H:%M}"
