"""factory_boy factories shared by the tests and the demo seed."""

from .careteam import TeamFactory, UserFactory, assign
from .clients import ClientFactory, SupportivePersonFactory

__all__ = ["ClientFactory", "SupportivePersonFactory", "TeamFactory", "UserFactory", "assign"]
