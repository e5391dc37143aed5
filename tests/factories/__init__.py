"""factory_boy factories shared by the tests and the demo seed."""

from .assessments import AssessmentResponseFactory  # noqa: F401
from .careteam import TeamFactory, UserFactory, assign
from .clients import ClientFactory, SupportivePersonFactory
from .demo import ClientIntakeFactory, SupportivePersonDataFactory
from .diagnoses import DiagnosisCodeFactory, DiagnosisFactory  # noqa: F401
from .encounters import AppointmentFactory, EncounterNoteFactory, NoteAddendumFactory  # noqa: F401
from .medications import AllergyFactory, MedicationFactory, PrescriberRecommendationFactory  # noqa: F401
from .peers import (  # noqa: F401
    FirstFriendFactory,
    GroupAttendanceFactory,
    PeerAssignmentFactory,
    PeerContactFactory,
    SupportGroupFactory,
)
from .peers_profiles import PeerCertificationFactory, PeerProfileFactory  # noqa: F401
from .plans import ActionStepFactory, GoalFactory, ProblemFactory, TreatmentPlanFactory, active_plan  # noqa: F401
from .record import ClientContactFactory, ConsentFactory, DisclosureFactory, NeedFactory  # noqa: F401

__all__ = [
    "ClientFactory",
    "ClientIntakeFactory",
    "SupportivePersonDataFactory",
    "SupportivePersonFactory",
    "TeamFactory",
    "UserFactory",
    "assign",
]
