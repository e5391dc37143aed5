"""Factories for client records."""

import datetime as dt
import random

import factory
from django.utils import timezone

from clients.models import Client, ClientStatus, SupportivePerson

from .careteam import TeamFactory


def _us_phone(n: int) -> str:
    # 555-01xx numbers are reserved for fiction; they never reach a real person.
    return f"+1202555{100 + n % 100:04d}"


class ClientFactory(factory.django.DjangoModelFactory):
    """A client record. Record numbers follow the service's CT-nnnnnnn format."""

    class Meta:
        model = Client
        skip_postgeneration_save = True

    legal_first_name = factory.Faker("first_name")
    legal_last_name = factory.Faker("last_name")
    pronouns = factory.Iterator(["she/her", "he/him", "they/them", ""])
    # 19 to 70 years: 18 * 365 days falls a few leap days short of an 18th birthday, and a
    # 17-year-old is a minor to the rules that care (peer matching's youth rule).
    date_of_birth = factory.LazyFunction(
        lambda: timezone.localdate() - dt.timedelta(days=random.randint(19 * 365, 70 * 365))
    )
    sex_at_birth = factory.Iterator(["female", "male", "female", "male", "declined"])
    phone = factory.Sequence(_us_phone)
    preferred_channel = "phone"
    status = ClientStatus.ACTIVE
    admitted_on = factory.LazyFunction(
        lambda: timezone.localdate() - dt.timedelta(days=random.randint(1, 400))
    )
    primary_team = factory.SubFactory(TeamFactory)

    @factory.post_generation
    def number(self, create, extracted, **kwargs):
        if create and not self.record_number:
            self.record_number = f"CT-{self.pk:07d}"
            self.save(update_fields=["record_number"])


class SupportivePersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportivePerson

    client = factory.SubFactory(ClientFactory)
    name = factory.Faker("name")
    relationship = factory.Iterator(["sister", "sponsor", "partner", "friend", "mother", "son"])
    phone = factory.Sequence(lambda n: _us_phone(n + 50))
    may_be_contacted = True
    involved_in_care = factory.Iterator([True, False])
