"""Who may see which client: the one place object permissions are granted, revoked and queried.

Access follows the care team. An active ``CareTeamAssignment`` gives its
staff member django-guardian object permissions on the client; ending the
assignment takes them away (unless another active assignment still needs
them). Supervisors see the clients whose primary team they supervise.
Administrators see everyone. Nobody else sees a client.

Lists never check permissions row by row (guardian's N+1 trap): they filter
with ``visible_clients_q`` — one semi-join on the per-client permission table,
one on team supervision and one on current emergency-access grants.

Break the glass (DESIGN "Access"; HIPAA 164.510(j) and 42 CFR 2.51 name the emergencies): a user
with ``careteam.add_emergencyaccess`` may open a client outside their care team for
``CARETEAM_EMERGENCY_ACCESS_HOURS`` after giving a reason (``careteam.services.emergency_access_open``).
The grant gives VIEW only; the one change it allows is opening a crisis episode
(``crisis.selectors``), whose follow-up stays with the client's own team, told by an urgent task.

The access vocabulary, here and in every app's ``selectors.py``: a predicate is named
``<entity>_can_<verb>(user[, object])`` and answers a yes/no question (``client_can_access``,
``care_team_can_manage``, ``referrals_can_read``); a lookup that answers a record or 404 is
``<entity>_get_for_user`` (``clients.selectors.client_get_for_user``). Views, APIs, hooks, forms
and serializers call these, they never define their own (``tests/careteam/test_access_vocabulary.py``).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from guardian.shortcuts import assign_perm, remove_perm

from clients.models import Client, ClientUserObjectPermission

from .client_search import client_search_q
from .models import CareTeamAssignment, CaseRole, EmergencyAccess, Team, User
from .roles import Role

VIEW = "clients.view_client"
CHANGE = "clients.change_client"

# Object permissions each case role carries. Peers get the minimum-necessary
# view (their pages and serializers leave clinical fields out) and no edit.
CASE_ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    CaseRole.PRIMARY_COUNSELOR: (VIEW, CHANGE),
    CaseRole.CASE_MANAGER: (VIEW, CHANGE),
    CaseRole.PRESCRIBER: (VIEW, CHANGE),
    CaseRole.CRISIS: (VIEW, CHANGE),
    CaseRole.OTHER: (VIEW,),
    CaseRole.PEER: (VIEW,),
}


def clients_can_see_all(user: User) -> bool:
    """Administrators (the admin role or a superuser) see every client."""
    return user.is_active and (user.is_superuser or user.has_role(Role.ADMIN))


def visible_clients_q(user: User, perm: str = VIEW, *, emergency: bool = False) -> Q:
    """A filter for ``Client`` rows ``user`` holds ``perm`` on, through care team or supervision.

    ``emergency=True`` adds the clients the user holds a break-the-glass grant for, for ``VIEW`` only.
    Only the lookups that open a record to read it pass it (``clients.selectors.client_get_for_user``,
    the crisis quick-open): a grant is not a caseload, and nothing that writes may choose its client
    from a list that includes one."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if clients_can_see_all(user):
        return Q()
    app_label, codename = perm.split(".")
    granted = ClientUserObjectPermission.objects.filter(
        content_object=OuterRef("pk"),
        user=user,
        permission__codename=codename,
        permission__content_type__app_label=app_label,
    )
    supervised = Team.supervisors.through.objects.filter(user=user).values("team_id")
    allowed = Q(Exists(granted)) | Q(primary_team_id__in=supervised)
    if emergency and perm == VIEW:
        allowed |= Q(Exists(emergency_access_current_q(user)))
    return allowed


def emergency_access_current_q(user: User):
    """Break-the-glass grants of ``user`` in force now, correlated to the outer ``Client`` row: the
    semi-join ``visible_clients_q`` adds (the grant gives VIEW, never CHANGE)."""
    return EmergencyAccess.objects.current().filter(user=user, client=OuterRef("pk"))


def emergency_access_current(user: User, client: Client | int) -> EmergencyAccess | None:
    """The grant under which ``user`` may open ``client`` now, or None (one query)."""
    if not user.is_authenticated:
        return None
    return EmergencyAccess.objects.current().filter(user=user, client=client).order_by("-expires_at").first()


def client_can_open(user: User, client: Client) -> bool:
    """Opens this client's chart now: through the care team or supervision, or under a current
    break-the-glass grant (one query)."""
    return clients_visible_to(user, emergency=True).filter(pk=client.pk).exists()


def emergency_access_justification(user: User, client: Client) -> str:
    """Why ``user`` sees ``client``, for the audit row: the break-glass justification when a grant is
    the only way in, else "" (the care team needs no reason)."""
    if client_can_access(user, client):
        return ""
    grant = emergency_access_current(user, client)
    return grant.justification if grant is not None else ""


def emergency_access_can_open(user: User) -> bool:
    """Breaks the glass: the role may open a client outside its care team in an emergency (counselors,
    case managers, crisis workers, supervisors; not peers, not the admin role)."""
    return user.is_active and user.has_perm("careteam.add_emergencyaccess")


def emergency_access_can_review(user: User) -> bool:
    """Reads and reviews the break-glass accesses to the clients of the teams one supervises (admins: all)."""
    return user.is_active and user.has_perm("careteam.view_emergencyaccess")


def emergency_access_can_mark_reviewed(user: User) -> bool:
    """Marks a break-glass access reviewed (supervisors, administrators)."""
    return user.is_active and user.has_perm("careteam.change_emergencyaccess")


def emergency_access_own_current(user: User):
    """The user's own grants in force now, soonest to expire first (to see and end them)."""
    return EmergencyAccess.objects.current().filter(user=user).select_related("client").order_by("expires_at")


def emergency_access_list_for_user(user: User):
    """Break-glass grants the user reviews: to clients of the teams they supervise; administrators all."""
    if not emergency_access_can_review(user):
        return EmergencyAccess.objects.none()
    qs = EmergencyAccess.objects.select_related("user", "client", "client__primary_team", "reviewed_by")
    if clients_can_see_all(user):
        return qs
    supervised = Team.supervisors.through.objects.filter(user=user).values("team_id")
    return qs.filter(client__primary_team_id__in=supervised)


def emergency_access_get_for_user(user: User, pk) -> EmergencyAccess:
    """One grant the user reviews, else 404 (missing and out of scope look the same)."""
    try:
        return emergency_access_list_for_user(user).get(pk=int(pk))
    except (EmergencyAccess.DoesNotExist, TypeError, ValueError):
        raise Http404("No such emergency access.") from None


def emergency_access_own_get(user: User, pk) -> EmergencyAccess:
    """One of the user's own grants (to end it early), else 404."""
    try:
        return EmergencyAccess.objects.select_related("client").get(pk=int(pk), user=user)
    except (EmergencyAccess.DoesNotExist, TypeError, ValueError):
        raise Http404("No such emergency access.") from None


def emergency_access_candidates(user: User, q: str, *, limit: int = 20) -> list[Client]:
    """The break-glass search: any not-archived client matching ``q`` (``client_search_q``), for a user
    who may break the glass; nobody for an empty search. Each carries ``visible`` (the user may open the
    chart already). Pages show only the identity that picks the right person, never the record."""
    if not emergency_access_can_open(user):
        return []
    found = list(
        Client.objects.not_archived()
        .filter(client_search_q(q))
        .select_related("primary_team")
        .order_by("legal_last_name", "legal_first_name", "id")[:limit]
    )
    visible = set(clients_visible_to(user).filter(pk__in=[c.pk for c in found]).values_list("pk", flat=True))
    for c in found:
        c.visible = c.pk in visible
    return found


def emergency_access_client_get(user: User, pk) -> Client:
    """A not-archived client to request emergency access to, else 404 (the one who may break the glass
    reaches any client by design; the grant, not this lookup, opens the record)."""
    client = None
    if emergency_access_can_open(user) and str(pk).isdigit():
        client = Client.objects.not_archived().select_related("primary_team").filter(pk=int(pk)).first()
    if client is None:
        raise Http404("No such client.")
    return client


def organisation_clients_q(user: User) -> Q:
    """``Client`` rows whose primary team belongs to one of the user's organisations: the organisations
    of the teams they are a member of; a team with no organisation counts only itself. Crisis coverage
    is organisation-wide (DESIGN "Access"); anything wider needs break-the-glass."""
    member_of = Team.members.through.objects.filter(user=user).values("team_id")
    organisations = Team.objects.filter(pk__in=member_of, organization__isnull=False).values(
        "organization_id"
    )
    return Q(primary_team_id__in=member_of) | Q(primary_team__organization_id__in=organisations)


def clients_visible_to(user: User, perm: str = VIEW, *, emergency: bool = False):
    """Every non-archived client ``user`` may see (or hold ``perm`` on); ``emergency``: see
    ``visible_clients_q``."""
    return Client.objects.not_archived().filter(visible_clients_q(user, perm, emergency=emergency))


def client_can_access(user: User, client: Client, perm: str = VIEW) -> bool:
    """Whether ``user`` holds ``perm`` (``VIEW`` or ``CHANGE``) on this one client (one query)."""
    return clients_visible_to(user, perm).filter(pk=client.pk).exists()


def care_team_can_manage(user: User, client: Client) -> bool:
    """Supervisors of the client's team and administrators assign and end care-team roles."""
    if clients_can_see_all(user):
        return True
    return (
        user.has_perm("careteam.add_careteamassignment")
        and client.primary_team.supervisors.filter(pk=user.pk).exists()
    )


def _perms_for_active_roles(client: Client, staff: User) -> set[str]:
    roles = (
        CareTeamAssignment.objects.active().filter(client=client, staff=staff).values_list("role", flat=True)
    )
    return {perm for role in roles for perm in CASE_ROLE_PERMISSIONS[role]}


def sync_object_permissions(*, client: Client, staff: User) -> tuple[set[str], set[str]]:
    """Make the staff member's object permissions on ``client`` match their active assignments.

    Returns the permissions (granted, revoked) so the caller can audit them.
    """
    wanted = _perms_for_active_roles(client, staff)
    held = {
        f"{app}.{codename}"
        for app, codename in ClientUserObjectPermission.objects.filter(
            content_object=client, user=staff
        ).values_list("permission__content_type__app_label", "permission__codename")
    }
    for perm in wanted - held:
        assign_perm(perm, staff, client)
    for perm in held - wanted:
        remove_perm(perm, staff, client)
    return wanted - held, held - wanted


def primary_counselor(client: Client | int) -> User | None:
    """The client's active primary counselor (an active account), or None."""
    assignment = (
        CareTeamAssignment.objects.active()
        .filter(client=client, role=CaseRole.PRIMARY_COUNSELOR, staff__is_active=True)
        .select_related("staff")
        .first()
    )
    return assignment.staff if assignment is not None else None


def task_owner(client: Client) -> dict:
    """Who a task about this client goes to, as ``task_create`` kwargs: the primary counselor,
    else the client's team (everyone on it sees team tasks)."""
    counselor = primary_counselor(client)
    return {"assignee": counselor} if counselor is not None else {"team": client.primary_team}


def minimum_necessary_view(user: User) -> bool:
    """Peer specialists see a minimum-necessary view: no diagnoses, scores, therapy notes,
    level of care or consent details (42 CFR Part 2 / HIPAA minimum necessary)."""
    if user.is_superuser:
        return False
    return user.has_role(Role.PEER_SPECIALIST) and not user.has_role(
        Role.COUNSELOR, Role.CASE_MANAGER, Role.CRISIS_WORKER, Role.SUPERVISOR, Role.ADMIN
    )


def lockouts_can_view(user: User) -> bool:
    """Supervisors and administrators see who is locked out of signing in (a sign of an attack)."""
    return user.has_perm("axes.view_accessattempt")


def lockouts_can_lift(user: User) -> bool:
    """Administrators may lift a lockout before it expires."""
    return user.has_perm("axes.delete_accessattempt")


def mfa_can_reset(user: User) -> bool:
    """Administrators may reset someone's two-factor authentication (a lost phone)."""
    return user.has_perm("careteam.change_user")
