"""Who reached — or tried to reach — a client's record: refused requests written to the audit trail,
each client's access report, the audit report scoped to a supervisor's teams, and repeated refusals.

HIPAA Security Rule §164.312(b) (audit controls: record and examine activity in systems that hold
ePHI) and §164.308(a)(1)(ii)(D) (information system activity review) are the sources; DESIGN
"Access" and "Audit trail" say how this app meets them: a refused request is a ``denied`` row, a
supervisor reads the rows about their teams, and each client's record has its own access report.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from clients.models import Client

from . import access
from .audit import Entry, audit_log_many
from .models import AuditAction, AuditEvent, Team, User

# A refused request is counted towards "repeated refusals" for this long, and a user is listed once
# they reach this many within it. Three is more than a mistyped address or a stale bookmark.
REPEATED_DENIALS_WINDOW = dt.timedelta(hours=24)
REPEATED_DENIALS_THRESHOLD = 3

# Answers that refuse a request for something that exists as a page: 404 is what a record the user
# may not see answers (DESIGN "Access"); 403 a page of a record they see but may not use that way.
DENIED_STATUSES = frozenset({403, 404})
# The admin site answers any unknown address under /admin/ from a catch-all pattern: not a record.
_NOT_A_RECORD_URL_NAMES = frozenset({"catch_all_view"})
# ``/clients/5/…``, ``/api/v1/clients/5/``, ``/peers/clients/5/…``, ``/crisis/clients/5/new/``: in
# every one of these addresses the number after ``clients/`` is the client the request is about.
_CLIENT_IN_PATH = re.compile(r"(?:^|/)clients/(?P<pk>\d{1,18})(?:/|$)")


def _request_user(request) -> User | None:
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _record_id(value) -> int | None:
    """A URL argument as a record id (``<int:pk>``, or the API router's digits), else None: a text
    argument such as a signed link's token is a credential and stays out of the trail."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def denied_entry(request, status: int) -> Entry | None:
    """The audit entry for a refused request, or None when it is not one to record.

    Recorded: a signed-in user's request that matched a URL pattern and was answered 404 or 403
    (an outsider asking for another team's client, a note id that is not theirs, an API detail).
    Not recorded: anonymous requests (nobody to hold to account: sign-in throttling covers them)
    and addresses that match no pattern (no record was asked for). The row names what was asked
    for: the URL name, the numeric arguments (text arguments such as signed tokens are left out:
    they are credentials) and, when the address names a client that exists, that client — so the
    refusal shows in that client's access report. Whether the client exists is written to the row,
    never to the response: the page the user sees is unchanged.
    """
    match = getattr(request, "resolver_match", None)
    if status not in DENIED_STATUSES or match is None or match.url_name in _NOT_A_RECORD_URL_NAMES:
        return None
    if _request_user(request) is None:
        return None
    kwargs = {key: _record_id(value) for key, value in match.kwargs.items()}
    kwargs = {key: value for key, value in kwargs.items() if value is not None}
    found = _CLIENT_IN_PATH.search(request.path)
    client_id = None
    object_type = object_id = ""
    if found:
        pk = int(found["pk"])
        object_type, object_id = Client._meta.label_lower, str(pk)
        if Client.objects.filter(pk=pk).exists():
            client_id = pk
    return Entry(
        action=AuditAction.DENIED,
        client_id=client_id,
        object_type=object_type,
        object_id=object_id,
        detail={
            "status": status,
            "method": request.method,
            "url_name": match.view_name,
            "kwargs": kwargs,
            "client_exists": client_id is not None if found else None,
        },
    )


def audit_denied_request(request, status: int) -> None:
    """Write one ``denied`` row for a refused request (see ``denied_entry``), if it is one.

    Called by ``careteam.middleware.DeniedAccessAuditMiddleware`` after the view has answered, so
    the row is written in its own transaction, outside anything the view rolled back.
    """
    entry = denied_entry(request, status)
    if entry is not None:
        audit_log_many(user=_request_user(request), entries=[entry])


# --- reading the trail ----------------------------------------------------------------------------


def audit_events_for_client(
    client: Client | int,
    *,
    action: str = "",
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Every audit row about one client, newest first, with who did it; optionally one action and
    a half-open time range ``[start, end)``. One query per page (the user joined), whatever the size."""
    qs = AuditEvent.objects.filter(client_id=getattr(client, "pk", client)).select_related("user")
    if action:
        qs = qs.filter(action=action)
    if start is not None:
        qs = qs.filter(occurred_at__gte=start)
    if end is not None:
        qs = qs.filter(occurred_at__lt=end)
    return qs.order_by("-occurred_at", "-id")


def _supervised_team_ids(user: User) -> QuerySet:
    return Team.supervisors.through.objects.filter(user=user).values("team_id")


def _people_of_supervised_teams(user: User) -> Q:
    """Rows by a member or supervisor of a team ``user`` supervises."""
    teams = _supervised_team_ids(user)
    members = Team.members.through.objects.filter(team_id__in=teams).values("user_id")
    supervisors = Team.supervisors.through.objects.filter(team_id__in=teams).values("user_id")
    return Q(user_id__in=members) | Q(user_id__in=supervisors)


def _clients_of_supervised_teams(user: User) -> Q:
    clients = Client.objects.filter(primary_team_id__in=_supervised_team_ids(user)).values("pk")
    return Q(client_id__in=clients)


def audit_events_for_user(user: User, queryset: QuerySet[AuditEvent] | None = None) -> QuerySet[AuditEvent]:
    """The audit rows ``user`` may read in the audit report.

    Administrators read every row. A supervisor reads (a) every row about a client of a team they
    supervise, whoever wrote it — an outsider's refused request included — and (b) the rows about
    no client (sign-ins, failed sign-ins, token and two-factor changes, refusals of something that
    is not a client) by the members and supervisors of those teams. Not the rows by their team's
    members about other teams' clients: those clients are not theirs to know of, and the rows
    belong to those teams' supervisors. (``repeated_denials_for_user`` still counts such refusals,
    by user, without naming the client.) Anyone else reads nothing.
    """
    qs = AuditEvent.objects.all() if queryset is None else queryset
    if access.clients_can_see_all(user):
        return qs
    if not user.is_active or not user.has_perm("careteam.view_auditevent"):
        return qs.none()
    return qs.filter(
        _clients_of_supervised_teams(user) | (Q(client_id__isnull=True) & _people_of_supervised_teams(user))
    )


def repeated_denials_for_user(
    user: User,
    *,
    now: dt.datetime | None = None,
    threshold: int = REPEATED_DENIALS_THRESHOLD,
    window: dt.timedelta = REPEATED_DENIALS_WINDOW,
) -> list[dict]:
    """Users refused at least ``threshold`` times in the last ``window``, most refusals first, as
    ``{"user_id", "username", "count", "last"}``: a sign of someone looking for records that are not
    theirs. A supervisor sees refusals about their teams' clients and refusals by their teams'
    people (whichever team's record was asked for: only the count is shown); admins see everyone's.
    One query."""
    if now is None:
        now = timezone.now()
    qs = AuditEvent.objects.filter(
        action=AuditAction.DENIED, occurred_at__gte=now - window, user_id__isnull=False
    )
    if not access.clients_can_see_all(user):
        if not user.is_active or not user.has_perm("careteam.view_auditevent"):
            return []
        qs = qs.filter(_clients_of_supervised_teams(user) | _people_of_supervised_teams(user))
    rows = (
        qs.order_by()
        .values("user_id", "username")
        .annotate(count=Count("id"), last=Max("occurred_at"))
        .filter(count__gte=threshold)
        .order_by("-count", "-last")
    )
    return list(rows)
