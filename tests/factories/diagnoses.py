"""Factories for ICD-10-CM codes and diagnoses (raw rows; the rules are tested through
``clients.diagnoses.services``). Migration 0014 has loaded the shipped codes: a code the factory names
is that row when it exists."""

import factory

from clients.models import Diagnosis, DiagnosisCode, DiagnosisStatus, DiagnosisType

from .careteam import UserFactory
from .clients import ClientFactory


class DiagnosisCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiagnosisCode
        django_get_or_create = ("code",)

    code = "F11.20"
    description = "Opioid dependence, uncomplicated"
    billable = True
    release = "FY2026 April 1"
    is_active = True


class DiagnosisFactory(factory.django.DjangoModelFactory):
    """An active secondary diagnosis of F11.20 (opioid dependence, uncomplicated)."""

    class Meta:
        model = Diagnosis

    client = factory.SubFactory(ClientFactory)
    code = factory.SubFactory(DiagnosisCodeFactory)
    description = factory.LazyAttribute(lambda o: o.code.description)
    diagnosis_type = DiagnosisType.SECONDARY
    status = DiagnosisStatus.ACTIVE
    recorded_by = factory.SubFactory(UserFactory, role="counselor")
