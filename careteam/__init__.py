"""careteam: the project package and the care-team core (users, teams, access, audit)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
