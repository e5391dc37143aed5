"""Factories for medications, the prescriber's recommendations and allergies (raw rows; tests of the
rules go through ``clients.medications`` / ``clients.allergies`` services)."""

import datetime as dt

import factory
from django.utils import timezone

from clients.models import (
    Allergy,
    AllergyCategory,
    AllergyKind,
    AllergySeverity,
    Medication,
    MedicationRoute,
    MoudType,
    PrescriberRecommendation,
)

from .careteam import UserFactory
from .clients import ClientFactory


class MedicationFactory(factory.django.DjangoModelFactory):
    """A medication the client takes, prescribed outside. ``MedicationFactory(moud=True)`` makes it
    buprenorphine/naloxone for opioid use disorder."""

    class Meta:
        model = Medication

    class Params:
        moud = factory.Trait(
            name="Buprenorphine/naloxone 8 mg/2 mg film",
            rxnorm_code="1010600",
            dose="16 mg",
            route=MedicationRoute.SUBLINGUAL,
            moud_type=MoudType.BUPRENORPHINE_NALOXONE,
        )

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Sertraline {25 * (n % 8 + 1)} mg tablet")
    dose = "50 mg"
    route = MedicationRoute.ORAL
    frequency = "once a day"
    prescriber_name = "Dr. Lee"
    prescriber_organization = "Bayside Primary Care"
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))
    recorded_by = factory.SubFactory(UserFactory)


class PrescriberRecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrescriberRecommendation

    client = factory.SubFactory(ClientFactory)
    recommended_on = factory.LazyFunction(timezone.localdate)
    prescriber_name = "Dr. Lee"
    text = "Check in weekly about cravings; call me if doses are missed."
    recorded_by = factory.SubFactory(UserFactory)


class AllergyFactory(factory.django.DjangoModelFactory):
    """An active medication allergy (raw row: the client's review state is not touched)."""

    class Meta:
        model = Allergy

    client = factory.SubFactory(ClientFactory)
    substance = factory.Sequence(lambda n: f"Penicillin {n}")
    category = AllergyCategory.MEDICATION
    kind = AllergyKind.ALLERGY
    reaction = "Hives"
    severity = AllergySeverity.MODERATE
    recorded_by = factory.SubFactory(UserFactory)
