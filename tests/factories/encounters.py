"""Factories for appointments, session notes and addenda (raw rows; tests of rules use the services)."""

import datetime as dt

import factory
from django.utils import timezone

from clients.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    EncounterNote,
    NoteAddendum,
    NoteFormat,
    NoteStatus,
)

from .careteam import UserFactory
from .clients import ClientFactory


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    client = factory.SubFactory(ClientFactory)
    staff = factory.SubFactory(UserFactory, role="counselor")
    kind = AppointmentKind.INDIVIDUAL
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))
    duration_minutes = 50
    location = "Room 2"
    status = AppointmentStatus.SCHEDULED


class EncounterNoteFactory(factory.django.DjangoModelFactory):
    """A draft DAP note; ``signed=True`` makes it a signed one."""

    class Meta:
        model = EncounterNote

    class Params:
        signed = factory.Trait(
            status=NoteStatus.SIGNED,
            signed_at=factory.LazyFunction(timezone.now),
            signed_by=factory.SelfAttribute("author"),
        )

    client = factory.SubFactory(ClientFactory)
    author = factory.SubFactory(UserFactory, role="counselor")
    format = NoteFormat.DAP
    data = "Client reported three days without use; attended two groups."
    assessment = "Engaged, motivation improving; no safety concerns raised."
    plan = "Continue weekly sessions; practise urge-surfing before next visit."
    minutes_spent = 50


class NoteAddendumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NoteAddendum

    note = factory.SubFactory(EncounterNoteFactory, signed=True)
    author = factory.SelfAttribute("note.author")
    text = "Correction: the session lasted 45 minutes."
