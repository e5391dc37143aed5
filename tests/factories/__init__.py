"""factory_boy factories shared by the tests and the demo seed."""

from .careteam import TeamFactory, UserFactory, assign
from .clients import ClientFactory, SupportivePersonFactory
from .demo import ClientIntakeFactory, SupportivePersonDataFactory

__all__ = [
    "ClientFactory",
    "ClientIntakeFactory",
    "SupportivePersonDataFactory",
    "SupportivePersonFactory",
    "TeamFactory",
    "UserFactory",
    "assign",
]
