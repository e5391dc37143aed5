"""App config for the care-team core."""

from django.apps import AppConfig


class CareteamConfig(AppConfig):
    name = "careteam"
    verbose_name = "Care team"

    def ready(self) -> None:
        from . import checks, signals  # noqa: F401  (deploy checks; login, logout and role-change audit)
        from .signin import receivers  # noqa: F401  (session clock, password/MFA/lockout audit)
