"""The status table of a diagnosis on the problem list, and why each move exists.

- active → resolved: the condition is in remission or no longer present (the date it resolved is
  kept; a reason is optional).
- active | resolved → entered in error: it should never have been recorded (wrong client, wrong
  code). The row is kept with the reason — nothing client-related is deleted (DESIGN "Access").
- resolved → active: it came back, or was resolved by mistake.
- entered in error is final: a wrong row is never revived; the right diagnosis is recorded anew.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from careteam.statemachine import StateMachine
from clients.models import DiagnosisStatus

D = DiagnosisStatus

DIAGNOSIS_STATES = StateMachine(
    name=_("diagnosis"),
    statuses=DiagnosisStatus,
    moves={
        D.ACTIVE: frozenset({D.RESOLVED, D.ENTERED_IN_ERROR}),
        D.RESOLVED: frozenset({D.ACTIVE, D.ENTERED_IN_ERROR}),
        D.ENTERED_IN_ERROR: frozenset(),
    },
)
# Marking a diagnosis entered in error needs a reason: the kept row must say why it does not count.
REASON_REQUIRED = frozenset({D.ENTERED_IN_ERROR})
REASON_REQUIRED_MESSAGE = _("Say why this diagnosis was entered in error.")
