"""Access follows the care team: grants and revokes in careteam.access, and what pages and API do."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from guardian.shortcuts import get_perms

from careteam import access
from careteam.errors import DomainError
from careteam.models import AuditAction, AuditEvent, CareTeamAssignment
from careteam.services import assignment_end, assignment_start
from clients import selectors, services
from clients.models import Client, ClientUserObjectPermission
from tests.conftest import api_login, login
from tests.factories import ClientFactory, UserFactory, assign


def chart_status(user, client: Client) -> int:
    return login(user).get(reverse("clients:detail", args=[client.pk])).status_code


def api_status(user, client: Client) -> int:
    return api_login(user).get(f"/api/v1/clients/{client.pk}/").status_code


def caseload_ids(user) -> list[int]:
    return [c.pk for c in login(user).get(reverse("clients:list")).context["clients"]]


def api_list_ids(user) -> list[int]:
    return [row["id"] for row in api_login(user).get("/api/v1/clients/").json()["results"]]


def active_assignment(client: Client, staff) -> CareTeamAssignment:
    return CareTeamAssignment.objects.active().get(client=client, staff=staff)


# --- Object permissions follow assignments -----------------------------------------------------


def test_a_care_team_role_grants_the_object_permissions_it_carries(alice, counselor, peer):
    assert set(get_perms(counselor, alice)) == {"view_client", "change_client"}
    assert set(get_perms(peer, alice)) == {"view_client"}
    assert counselor.has_perm(access.CHANGE, alice)
    assert not peer.has_perm(access.CHANGE, alice)


def test_ending_the_assignment_revokes_access_immediately(alice, counselor):
    """GIVEN Alice's counselor, who can open her chart
    WHEN the assignment ends
    THEN the very next page and API request answer 404 and the caseloads leave her out."""
    assert chart_status(counselor, alice) == 200
    assert api_status(counselor, alice) == 200

    assignment_end(assignment=active_assignment(alice, counselor), acting_user=None, reason="transfer")

    assert chart_status(counselor, alice) == 404
    assert api_status(counselor, alice) == 404
    assert login(counselor).get(reverse("clients:update", args=[alice.pk])).status_code == 404
    assert alice.pk not in caseload_ids(counselor)
    assert alice.pk not in api_list_ids(counselor)
    assert not ClientUserObjectPermission.objects.filter(user=counselor, content_object=alice).exists()


def test_a_new_assignment_grants_access_immediately(alice, case_manager):
    """GIVEN a case manager on Alice's team but not on her care team (404)
    WHEN they are assigned to her
    THEN the chart, the edit page, the API and both caseloads include her at once."""
    assert chart_status(case_manager, alice) == 404
    assert api_status(case_manager, alice) == 404

    assign(alice, case_manager, "case_manager")

    assert chart_status(case_manager, alice) == 200
    assert api_status(case_manager, alice) == 200
    assert login(case_manager).get(reverse("clients:update", args=[alice.pk])).status_code == 200
    assert caseload_ids(case_manager) == [alice.pk]
    assert api_list_ids(case_manager) == [alice.pk]


def test_reassigning_after_an_end_grants_access_again(alice, counselor):
    assignment_end(assignment=active_assignment(alice, counselor), acting_user=None)
    assert chart_status(counselor, alice) == 404

    assign(alice, counselor, "primary_counselor")

    assert chart_status(counselor, alice) == 200


def test_a_supervisor_of_another_team_gets_404(alice, other_supervisor):
    """GIVEN a supervisor whose role holds every client permission, but of another team
    WHEN they open Alice's chart, care team or API record THEN 404 everywhere."""
    assert other_supervisor.has_perm("clients.change_client")
    assert chart_status(other_supervisor, alice) == 404
    assert login(other_supervisor).get(reverse("clients:care-team", args=[alice.pk])).status_code == 404
    assert api_status(other_supervisor, alice) == 404
    assert alice.pk not in caseload_ids(other_supervisor)
    assert not access.care_team_can_manage(other_supervisor, alice)


def test_a_supervisor_sees_the_clients_of_their_team_without_an_assignment(alice, supervisor):
    assert not CareTeamAssignment.objects.filter(client=alice, staff=supervisor).exists()
    assert chart_status(supervisor, alice) == 200
    assert caseload_ids(supervisor) == [alice.pk]
    assert access.client_can_access(supervisor, alice, access.CHANGE)
    assert access.care_team_can_manage(supervisor, alice)


def test_a_supervisor_loses_sight_of_a_team_they_stop_supervising(alice, supervisor, team):
    team.supervisors.remove(supervisor)
    assert chart_status(supervisor, alice) == 404


def test_ending_one_of_two_roles_keeps_access(alice, counselor):
    """GIVEN the counselor on Alice's care team twice: primary counselor and crisis worker
    WHEN the primary-counselor assignment ends
    THEN they still see and may still edit her record, until the second role ends too."""
    assign(alice, counselor, "crisis")

    assignment_end(
        assignment=CareTeamAssignment.objects.get(client=alice, staff=counselor, role="primary_counselor"),
        acting_user=None,
    )

    assert chart_status(counselor, alice) == 200
    assert api_status(counselor, alice) == 200
    assert set(get_perms(counselor, alice)) == {"view_client", "change_client"}

    assignment_end(assignment=active_assignment(alice, counselor), acting_user=None)

    assert chart_status(counselor, alice) == 404


def test_ending_the_editing_role_but_keeping_a_viewing_role_leaves_view_only(alice, peer):
    """GIVEN the peer also on the care team as case manager (view and change)
    WHEN the case-manager role ends
    THEN only the peer role's view remains: the chart opens, the edit page is refused."""
    assign(alice, peer, "case_manager")
    assert access.client_can_access(peer, alice, access.CHANGE)

    assignment_end(
        assignment=CareTeamAssignment.objects.get(client=alice, staff=peer, role="case_manager"),
        acting_user=None,
    )

    assert set(get_perms(peer, alice)) == {"view_client"}
    assert chart_status(peer, alice) == 200
    assert login(peer).get(reverse("clients:update", args=[alice.pk])).status_code == 403


def test_grants_and_revokes_are_audited_as_permission_changes(alice, counselor, case_manager, supervisor):
    assignment = assign(alice, case_manager, "case_manager", acting_user=supervisor)
    assignment_end(assignment=assignment, acting_user=supervisor, reason="caseload transfer")

    changes = AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_CHANGE, client_id=alice.pk, object_id=str(case_manager.pk)
    ).order_by("id")
    assert [(e.user_id, e.detail) for e in changes] == [
        (supervisor.pk, {"granted": [access.CHANGE, access.VIEW]}),
        (supervisor.pk, {"revoked": [access.CHANGE, access.VIEW]}),
    ]
    ended = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(assignment.pk)).get()
    assert ended.reason == "caseload transfer"


def test_ending_one_of_two_roles_audits_no_revocation(alice, counselor):
    assign(alice, counselor, "crisis")
    last_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    assignment_end(
        assignment=CareTeamAssignment.objects.get(client=alice, staff=counselor, role="crisis"),
        acting_user=None,
    )

    assert not AuditEvent.objects.filter(id__gt=last_id, action=AuditAction.PERMISSION_CHANGE).exists()


# --- The assignment rules ----------------------------------------------------------------------


def test_a_second_primary_counselor_is_refused(alice, case_manager):
    with pytest.raises(DomainError, match=r"is the primary counselor\. End that assignment first\."):
        assignment_start(client=alice, staff=case_manager, role="primary_counselor", acting_user=None)
    assert chart_status(case_manager, alice) == 404


def test_the_same_role_twice_is_refused(alice, peer):
    with pytest.raises(DomainError, match="already on the care team as peer specialist"):
        assignment_start(client=alice, staff=peer, role="peer", acting_user=None)


def test_an_inactive_user_cannot_be_assigned(alice, case_manager):
    case_manager.is_active = False
    case_manager.save(update_fields=["is_active"])
    with pytest.raises(DomainError, match="not an active user"):
        assignment_start(client=alice, staff=case_manager, role="case_manager", acting_user=None)


def test_an_assignment_cannot_end_twice(alice, peer):
    assignment = active_assignment(alice, peer)
    assignment_end(assignment=assignment, acting_user=None)
    with pytest.raises(DomainError, match="already ended"):
        assignment_end(assignment=assignment, acting_user=None)


# --- Who sees whom -----------------------------------------------------------------------------


def test_anonymous_and_inactive_users_see_nobody(alice, counselor):
    assert not access.clients_visible_to(AnonymousUser()).exists()
    counselor.is_active = False
    counselor.save(update_fields=["is_active"])
    assert not access.clients_visible_to(counselor).exists()


def test_admins_see_every_client_but_not_archived_ones(alice, admin_user, admin_role_user, other_team):
    elsewhere = ClientFactory(primary_team=other_team)
    archived = ClientFactory(primary_team=other_team)
    services.client_archive(client=archived, acting_user=admin_user, reason="Duplicate of CT-0000001")

    for user in (admin_user, admin_role_user):
        assert set(access.clients_visible_to(user).values_list("pk", flat=True)) == {alice.pk, elsewhere.pk}


def test_an_archived_client_is_hidden_from_her_care_team(alice, counselor, supervisor):
    services.client_archive(client=alice, acting_user=supervisor, reason="Entered twice")
    assert not access.client_can_access(counselor, alice)
    assert chart_status(counselor, alice) == 404


def test_a_team_member_off_the_care_team_sees_nothing(alice, case_manager, crisis_worker):
    for user in (case_manager, crisis_worker):
        assert not access.clients_visible_to(user).exists()


def test_only_peer_specialists_get_the_minimum_necessary_view(peer, counselor, admin_user, team):
    both = UserFactory(username="peer-and-counselor", role="peer_specialist")
    both.groups.add(*counselor.groups.all())
    both.__dict__.pop("role_names", None)
    assert access.minimum_necessary_view(peer)
    assert not access.minimum_necessary_view(counselor)
    assert not access.minimum_necessary_view(admin_user)
    assert not access.minimum_necessary_view(both)


def test_only_supervisors_of_the_team_and_admins_manage_the_care_team(
    alice, counselor, peer, supervisor, other_supervisor, admin_user, admin_role_user
):
    assert access.care_team_can_manage(supervisor, alice)
    assert access.care_team_can_manage(admin_user, alice)
    assert access.care_team_can_manage(admin_role_user, alice)
    assert not access.care_team_can_manage(counselor, alice)
    assert not access.care_team_can_manage(peer, alice)
    assert not access.care_team_can_manage(other_supervisor, alice)


# --- No per-row checks -------------------------------------------------------------------------


def _clients_for(counselor, team, n: int) -> None:
    for _ in range(n):
        assign(ClientFactory(primary_team=team), counselor, "primary_counselor")


@pytest.mark.parametrize("viewer", ["counselor", "supervisor"])
def test_the_access_check_for_a_list_is_one_query_whatever_its_length(viewer, counselor, team, request):
    """GIVEN 3, then 30 clients the viewer may see
    WHEN the visible clients are listed
    THEN it is one query both times: one semi-join on the grants, no per-row permission check."""
    user = request.getfixturevalue(viewer)
    _ = user.role_names  # the user's roles are read once per request, before any list
    _clients_for(counselor, team, 3)

    with CaptureQueriesContext(connection) as few:
        assert len(list(access.clients_visible_to(user))) == 3
    _clients_for(counselor, team, 27)
    with CaptureQueriesContext(connection) as many:
        assert len(list(access.clients_visible_to(user))) == 30

    assert len(few) == len(many) == 1
    assert "EXISTS" in few.captured_queries[0]["sql"].upper()


def test_the_caseload_selector_reads_clients_and_care_teams_in_two_queries(counselor, peer, team):
    _ = counselor.role_names
    for _i in range(20):
        client = ClientFactory(primary_team=team)
        assign(client, counselor, "primary_counselor")
        assign(client, peer, "peer")

    with CaptureQueriesContext(connection) as ctx:
        rows = list(selectors.client_list_for_user(counselor))
        names = [a.staff.username for c in rows for a in c.active_assignments]

    assert len(rows) == 20
    assert sorted(set(names)) == ["counselor", "peer"]
    assert len(ctx) == 2


def test_the_single_object_check_is_one_query(alice, counselor):
    _ = counselor.role_names
    with CaptureQueriesContext(connection) as ctx:
        assert access.client_can_access(counselor, alice, access.CHANGE)
    assert len(ctx) == 1
