"""One outbox for everything that must reach a person later: a client, a supportive person, a partner.

The database is the source of truth: a reminder, a caring contact or a
follow-up is a ``ScheduledMessage`` row, claimed by the dispatcher when it
falls due. Nothing waits in the broker as a far-future ETA. ``idempotency_key``
is unique, so scheduling the same message twice returns the first row, and the
provider is called with it where it accepts one.

Staff tasks (the worklist) are ``careteam.Task``: the core owns them because
every app, ``clients`` included, raises them.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careteam.fields import COMMENT_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, MESSAGE_MAX_LENGTH, BoundedTextField
from careteam.models import Task, User
from clients.models import Client, SupportivePerson


class Channel(models.TextChoices):
    SMS = "sms", "Text message"
    EMAIL = "email", "Email"
    VOICE = "voice", "Phone call (task for staff)"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    SKIPPED = "skipped", "Skipped"


class SourceKind(models.TextChoices):
    APPOINTMENT = "appointment", "Appointment reminder"
    CRISIS_EPISODE = "crisis_episode", "Crisis follow-up"
    CARING_CONTACT = "caring_contact", "Caring contact"
    REFERRAL = "referral", "Referral follow-up"
    CLIENT_REMINDER = "client_reminder", "Client reminder"
    SAFETY_PLAN = "safety_plan", "Safety plan link"
    MANUAL = "manual", "Sent by staff"
    # To an organisation, not to the client: the partner's link to answer a referral.
    REFERRAL_PARTNER = "referral_partner", _("Referral link to a partner")


class SkipReason(models.TextChoices):
    """Why a message was not sent. Recorded on the row; shown on the chart's Messages tab."""

    OPTED_OUT_CHANNEL = "opted_out_channel", "Client opted out of this channel"
    OPTED_OUT_NONESSENTIAL = "opted_out_nonessential", "Client opted out of non-essential messages"
    NO_TEXT_CONSENT = "no_text_consent", "No consent to text"
    NO_ADDRESS = "no_address", "No phone number or email for this channel"
    CLIENT_DISCHARGED = "client_discharged", "Client discharged"
    CLIENT_DECEASED = "client_deceased", "Client deceased"
    SOURCE_CANCELLED = "source_cancelled", "What scheduled it was cancelled"
    NO_CONTACT_CONSENT = "no_contact_consent", "Supportive person may not be contacted"
    STAFF_CANCELLED = "staff_cancelled", "Cancelled by staff"
    EXPIRED = "expired", "Too late to be useful"


class MessageTemplate(models.Model):
    """Editable wording of a client-facing message, per language and channel.

    ``body`` is a Django template rendered with the client's preferred name and the
    message's context. Lookups fall back from the client's language to English.
    """

    key = models.SlugField(max_length=60)
    language = models.CharField(max_length=8, default="en")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    subject = models.CharField(max_length=200, blank=True, help_text="Email only.")
    body = BoundedTextField(max_length=DESCRIPTION_MAX_LENGTH)
    essential = models.BooleanField(
        default=False,
        help_text="Appointment changes and safety plan links: these ignore the non-essential opt-out.",
    )
    description = models.CharField(max_length=200, blank=True, help_text="When staff or the system use it.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["key", "language", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language", "channel"], name="message_template_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.language}, {self.channel})"


class ScheduledMessage(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="scheduled_messages")
    supportive_person = models.ForeignKey(
        SupportivePerson, on_delete=models.PROTECT, null=True, blank=True, related_name="scheduled_messages"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    template_key = models.SlugField(max_length=60)
    context = models.JSONField(default=dict, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = BoundedTextField(
        blank=True,
        help_text="Rendered when sent (the template as it was then).",
        max_length=MESSAGE_MAX_LENGTH,
    )
    language = models.CharField(max_length=8, blank=True)
    essential = models.BooleanField(default=False)
    due_at = models.DateTimeField(help_text="When the scheduler wants it sent (UTC).")
    send_at = models.DateTimeField(
        help_text="When it may go: due time moved out of quiet hours, or retry backoff."
    )
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    status_reason = models.CharField(max_length=32, choices=SkipReason.choices, blank=True)
    status_detail = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = BoundedTextField(blank=True, max_length=COMMENT_MAX_LENGTH)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="Start of the current send lease.")
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=20, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    # An email to an organisation about the client (a referral partner), not to the client: the
    # client's preferences (opt-outs, text consent, quiet hours, discharge) do not apply to it; the
    # source's send-time check does.
    to_address = models.EmailField(
        blank=True, help_text=_("Email to an organisation instead of the client (e.g. a referral partner).")
    )
    to_name = models.CharField(max_length=200, blank=True, help_text=_("The organisation's name."))
    source_kind = models.CharField(max_length=20, choices=SourceKind.choices)
    # The row that scheduled it, e.g. ("crisis.caringcontactplan", "4"):
    # cancelling the source cancels its messages.
    source_type = models.CharField(max_length=100, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    signed_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Named sender (caring contacts).",
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Voice-call task, or the failure task.",
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["send_at", "id"]
        indexes = [
            # The dispatcher's claim: due pending rows, oldest first.
            models.Index(fields=["send_at"], condition=Q(status="pending"), name="outreach_msg_due_pending"),
            models.Index(
                fields=["claimed_at"], condition=Q(status="sending"), name="outreach_msg_sending_lease"
            ),
            models.Index(fields=["client", "send_at"]),
            models.Index(fields=["source_type", "source_id"]),
            # Dashboard (dashboards/panels/crisis.py): the caring contacts due in a range, with the
            # columns the panel counts by, answered from the index alone (a quarter of the outbox).
            models.Index(
                fields=["due_at", "client", "status", "status_reason", "id"],
                condition=Q(source_kind="caring_contact"),
                name="outreach_msg_caring_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} at {self.send_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def to_organization(self) -> bool:
        """Addressed to an organisation rather than the client or a supportive person."""
        return bool(self.to_address)


class InboundKind(models.TextChoices):
    STOP = "stop", "Opt-out (STOP)"
    START = "start", "Opt back in (START)"
    HELP = "help", "Help request"
    REPLY = "reply", "Reply"
    UNMATCHED = "unmatched", "From an unknown number"


class InboundMessage(models.Model):
    """A text received through the SMS webhook."""

    from_number = models.CharField(max_length=40)
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="inbound_messages"
    )
    body = BoundedTextField(max_length=MESSAGE_MAX_LENGTH)
    kind = models.CharField(max_length=10, choices=InboundKind.choices)
    risk_words = models.JSONField(
        default=list, blank=True, help_text="Configured risk words found in the text."
    )
    in_reply_to = models.ForeignKey(
        ScheduledMessage, on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    task = models.ForeignKey(Task, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    provider_message_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["client", "received_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.from_number} at {self.received_at:%Y-%m-%d %H:%M}"


class ReminderKind(models.TextChoices):
    MEDICATION = "medication", "Medication"
    COURT = "court", "Court date"
    GROUP = "group", "Group meeting"
    APPOINTMENT = "appointment", "Appointment elsewhere"
    OTHER = "other", "Other"


class Recurrence(models.TextChoices):
    ONCE = "once", "Once"
    DAILY = "daily", "Every day"
    WEEKLY = "weekly", "Every week"
    MONTHLY = "monthly", "Every month"


class ClientReminder(models.Model):
    """A reminder the client asked for: one-off or recurring, at a local time in their zone."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    label = models.CharField(
        max_length=120, help_text="What the message says it is for, in the client's words."
    )
    channel = models.CharField(
        max_length=8, choices=[(Channel.SMS, "Text message"), (Channel.EMAIL, "Email")]
    )
    first_at = models.DateTimeField(help_text="The first reminder (the client's local time when entered).")
    recurrence = models.CharField(max_length=8, choices=Recurrence.choices, default=Recurrence.ONCE)
    until = models.DateField(null=True, blank=True)
    # A medication reminder names the medication on the chart it reminds about (optional).
    medication = models.ForeignKey(
        "clients.Medication",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("medication"),
    )
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"


class OutboxEntry(models.Model):
    """What the database backend "sent": a development outbox readable in admin.

    ``idempotency_key`` is unique, so a message handed over twice (a worker killed after
    the hand-over, before recording it) is stored once — the database backend is idempotent.
    """

    message = models.ForeignKey(
        ScheduledMessage, on_delete=models.PROTECT, null=True, blank=True, related_name="outbox_entries"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = BoundedTextField(max_length=MESSAGE_MAX_LENGTH)
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "outbox entries"

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.to} at {self.created_at:%Y-%m-%d %H:%M}"
