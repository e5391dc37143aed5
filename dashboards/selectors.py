"""Who may open the team dashboards: the app's access predicates (``<entity>_can_<verb>``)."""

from __future__ import annotations

from careteam.access import clients_can_see_all
from careteam.models import Team, User
from careteam.roles import Role


def dashboard_can_view(user: User) -> bool:
    """The team dashboards are for supervisors (of at least one team) and administrators."""
    return bool(user.is_authenticated and user.is_active) and (
        clients_can_see_all(user) or Team.supervisors.through.objects.filter(user=user).exists()
    )


def dashboard_can_link(user: User) -> bool:
    """The navigation offers the dashboard to the supervisor and admin roles. A role check, no query,
    so other pages' query budgets are unchanged; the page itself asks ``dashboard_can_view``."""
    return user.is_superuser or user.has_role(Role.SUPERVISOR, Role.ADMIN)
