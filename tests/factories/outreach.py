"""Factories for the outbox: scheduled messages, reminders, and a client who may be texted."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from clients.models import Consent, ConsentKind, SignatureMethod
from outreach.models import (
    Channel,
    ClientReminder,
    InboundKind,
    InboundMessage,
    MessageStatus,
    OutboxEntry,
    ScheduledMessage,
    SourceKind,
)

from .clients import ClientFactory


def give_text_consent(client, recorded_by, *, signed_on: dt.date | None = None) -> Consent:
    """A text-messaging consent on file: the one switch for texting (``Client.text_consent_on_file``)."""
    return Consent.objects.create(
        client=client,
        kind=ConsentKind.TEXT_MESSAGING,
        signed_on=signed_on or dt.date(2020, 1, 2),
        signature_method=SignatureMethod.PAPER,
        recorded_by=recorded_by,
    )


class ScheduledMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScheduledMessage

    client = factory.SubFactory(ClientFactory)
    channel = Channel.SMS
    template_key = "manual"
    context = factory.LazyFunction(lambda: {"text": "Hello from your care team"})
    due_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(minutes=1))
    send_at = factory.SelfAttribute("due_at")
    status = MessageStatus.PENDING
    idempotency_key = factory.Sequence(lambda n: f"test-msg-{n}")
    source_kind = SourceKind.MANUAL


class ClientReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientReminder

    client = factory.SubFactory(ClientFactory)
    kind = "medication"
    label = "Evening medication"
    channel = Channel.SMS
    first_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=2))
    recurrence = "once"


class OutboxEntryFactory(factory.django.DjangoModelFactory):
    """What the database backend recorded as sent for ``message``."""

    class Meta:
        model = OutboxEntry

    message = factory.SubFactory(ScheduledMessageFactory, status=MessageStatus.SENT)
    channel = factory.SelfAttribute("message.channel")
    to = "+12025550142"
    body = "Hello from your care team"
    idempotency_key = factory.SelfAttribute("message.idempotency_key")


class InboundMessageFactory(factory.django.DjangoModelFactory):
    """A text a client sent back (rows set up directly; the webhook's behaviour has its own tests)."""

    class Meta:
        model = InboundMessage

    client = factory.SubFactory(ClientFactory)
    from_number = "+12025550142"
    body = "thanks"
    kind = InboundKind.REPLY


def outreach_rows(client, user) -> None:
    """One row of every outreach model the admin shows (templates come from the data migration)."""
    OutboxEntryFactory(message__client=client)
    InboundMessageFactory(client=client)
    ClientReminderFactory(client=client, created_by=user)
