"""Who may see which client: the one place object permissions are granted, revoked and queried.

Access follows the care team. An active ``CareTeamAssignment`` gives its
staff member django-guardian object permissions on the client; ending the
assignment takes them away (unless another active assignment still needs
them). Supervisors see the clients whose primary team they supervise.
Administrators see everyone. Nobody else sees a client.

Lists never check permissions row by row (guardian's N+1 trap): they filter
with ``visible_clients_q`` — one semi-join on the per-client permission table
and one on team supervision.

The access vocabulary, here and in every app's ``selectors.py``: a predicate is named
``<entity>_can_<verb>(user[, object])`` and answers a yes/no question (``client_can_access``,
``care_team_can_manage``, ``referrals_can_read``); a lookup that answers a record or 404 is
``<entity>_get_for_user`` (``clients.selectors.client_get_for_user``). Views, APIs, hooks, forms
and serializers call these, they never define their own (``tests/careteam/test_access_vocabulary.py``).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from guardian.shortcuts import assign_perm, remove_perm

from clients.models import Client, ClientUserObjectPermission

from .models import CareTeamAssignment, CaseRole, Team, User
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


def visible_clients_q(user: User, perm: str = VIEW) -> Q:
    """A filter for ``Client`` rows ``user`` holds ``perm`` on, through care team or supervision."""
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
    return Q(Exists(granted)) | Q(primary_team_id__in=supervised)


def clients_visible_to(user: User, perm: str = VIEW):
    """Every non-archived client ``user`` may see (or hold ``perm`` on)."""
    return Client.objects.not_archived().filter(visible_clients_q(user, perm))


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
