"""The status table of an allergy: every move it may make, and why.

- active → no longer applies: outgrown, or a desensitisation worked (FHIR R4 AllergyIntolerance
  clinicalStatus "inactive"); it may come back (→ active) if it recurs.
- active | no longer applies → entered in error: recorded by mistake (a reason); kept, struck through.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from careteam.statemachine import StateMachine
from clients.models import AllergyStatus

A = AllergyStatus

ALLERGY_STATES = StateMachine(
    name=_("allergy"),
    statuses=AllergyStatus,
    moves={
        A.ACTIVE: frozenset({A.INACTIVE, A.ENTERED_IN_ERROR}),
        A.INACTIVE: frozenset({A.ACTIVE, A.ENTERED_IN_ERROR}),
    },
)
# Marking an allergy entered in error needs a reason (nothing is deleted; the reason says why not).
REASON_REQUIRED = frozenset({A.ENTERED_IN_ERROR})
