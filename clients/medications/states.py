"""The status table of a medication on the chart: every move it may make, and why.

- active → stopped: the client no longer takes it (a stop date, default today, and a reason).
- active | stopped → entered in error: the row was a mistake (a reason); it stays, struck through.

There is no way back to "taking": a restart is a new row with its own start date, so the history of
starts and stops reads as it happened (FHIR R4 MedicationStatement keeps one period per statement).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from careteam.statemachine import StateMachine
from clients.models import MedicationStatus

M = MedicationStatus

MEDICATION_STATES = StateMachine(
    name=_("medication"),
    statuses=MedicationStatus,
    moves={
        M.ACTIVE: frozenset({M.STOPPED, M.ENTERED_IN_ERROR}),
        M.STOPPED: frozenset({M.ENTERED_IN_ERROR}),
    },
)
