"""App config for the care-team core."""

from django.apps import AppConfig


class CareteamConfig(AppConfig):
    name = "careteam"
    verbose_name = "Care team"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (login, logout and role-change audit)
        from .signin import receivers  # noqa: F401  (session clock, password/MFA/lockout audit)
