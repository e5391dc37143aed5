"""Who a dashboard is about: the teams and the date range, fixed once per request.

Supervisors see the teams they supervise; administrators see every team; nobody
else sees a dashboard. Every metric and drill-down takes a ``Scope`` and never
looks outside ``scope.clients()``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from careteam.access import clients_can_see_all
from careteam.models import Team, User
from clients.models import Client

from .selectors import dashboard_can_view

DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Scope:
    user: User
    team_ids: tuple[int, ...]
    start: dt.date  # first day, inclusive (site time zone)
    end: dt.date  # last day, inclusive
    program: str = ""
    # Results computed once per request and shared by panels (e.g. sudden isolation feeds both the
    # engagement panel and the risk list). A Scope lives for one request, so nothing goes stale.
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def tz(self) -> dt.tzinfo:
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    @property
    def start_at(self) -> dt.datetime:
        """Midnight starting ``start`` (aware)."""
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=self.tz)

    @property
    def end_at(self) -> dt.datetime:
        """Midnight after ``end`` (aware, exclusive)."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=self.tz)

    def clients(self) -> QuerySet[Client]:
        """Every non-archived client whose primary team is in scope (any status)."""
        return Client.objects.filter(self.client_q(""))

    def client_q(self, prefix: str = "client__") -> Q:
        """``clients()`` as a condition on a related model's client (``prefix``), for queries that join
        the client anyway: the database then starts from the team's clients instead of matching every
        row's client against a subquery."""
        return Q(**{f"{prefix}archived_at__isnull": True, f"{prefix}primary_team_id__in": self.team_ids})

    def teams(self) -> QuerySet[Team]:
        return Team.objects.filter(pk__in=self.team_ids)


def teams_for(user: User) -> QuerySet[Team]:
    if clients_can_see_all(user):
        return Team.objects.filter(is_active=True)
    return Team.objects.filter(supervisors=user, is_active=True)


def scope_for(
    user: User,
    *,
    team_ids: list[int] | None = None,
    program: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Scope:
    """The scope a request may have. Teams outside the user's reach are dropped, never honoured."""
    if not dashboard_can_view(user):
        raise PermissionDenied
    allowed = teams_for(user)
    if program:
        allowed = allowed.filter(program=program)
    allowed_ids = list(allowed.values_list("pk", flat=True))
    chosen = [pk for pk in (team_ids or []) if pk in allowed_ids] or allowed_ids
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        start, end = end, start
    return Scope(user=user, team_ids=tuple(sorted(chosen)), start=start, end=end, program=program)
