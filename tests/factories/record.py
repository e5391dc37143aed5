"""Factories for the record's needs, consents, disclosures and logged contacts (raw rows; tests of the
rules go through ``clients.needs`` / ``clients.consents`` / ``clients.contacts`` services)."""

import datetime as dt

import factory
from django.utils import timezone

from clients.models import (
    ClientContact,
    Consent,
    ConsentKind,
    ContactMode,
    ContactPurpose,
    Disclosure,
    Need,
    NeedCategory,
    SignatureMethod,
    Urgency,
)

from .careteam import UserFactory
from .clients import ClientFactory


class NeedFactory(factory.django.DjangoModelFactory):
    """An open, routine food need."""

    class Meta:
        model = Need

    client = factory.SubFactory(ClientFactory)
    category = NeedCategory.FOOD
    description = "Runs out of groceries before the end of the month."
    urgency = Urgency.ROUTINE
    identified_by = factory.SubFactory(UserFactory)


class ConsentFactory(factory.django.DjangoModelFactory):
    """An active Part 2 consent to a named recipient for demographics and SUD information.

    Pass ``recipient_organization=org`` (and ``recipient_name=""``) to name a directory organisation.
    """

    class Meta:
        model = Consent

    client = factory.SubFactory(ClientFactory)
    kind = ConsentKind.PART2
    recipient_name = "Dr. Rivera, primary care"
    purpose = "Coordinate care and referrals."
    categories = factory.LazyFunction(lambda: ["demographics", "sud"])
    signed_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    signature_method = SignatureMethod.PAPER
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365))
    recorded_by = factory.SubFactory(UserFactory)


class DisclosureFactory(factory.django.DjangoModelFactory):
    """A referral packet sent to a named recipient under its consent (if given)."""

    class Meta:
        model = Disclosure

    client = factory.SubFactory(ClientFactory)
    recipient_name = "Dr. Rivera, primary care"
    categories = factory.LazyFunction(lambda: ["demographics", "sud"])
    description = "Referral packet"
    purpose = "Coordinate care and referrals."
    consent = None
    disclosed_by = factory.SubFactory(UserFactory)


class ClientContactFactory(factory.django.DjangoModelFactory):
    """A reached phone check-in an hour ago."""

    class Meta:
        model = ClientContact

    client = factory.SubFactory(ClientFactory)
    staff = factory.SubFactory(UserFactory)
    contacted_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    mode = ContactMode.PHONE
    purpose = ContactPurpose.CHECK_IN
    reached = True
    summary = "Checked in; doing okay, has a ride to Thursday's group."


def record_rows(client, staff) -> None:
    """One need, consent, disclosure and logged contact for ``client`` (for the every-model admin test)."""
    NeedFactory(client=client, identified_by=staff)
    consent = ConsentFactory(client=client, recorded_by=staff)
    DisclosureFactory(client=client, consent=consent, disclosed_by=staff)
    ClientContactFactory(client=client, staff=staff)
