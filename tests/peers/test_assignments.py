"""Starting and ending peer assignments: access follows, capacity holds, pages and API are scoped."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careteam.access import client_can_access
from careteam.errors import DomainError
from careteam.models import AuditEvent, CareTeamAssignment
from peers.assignments.services import (
    peer_assignment_adopt,
    peer_assignment_end,
    peer_assignment_start,
)
from peers.models import PeerAssignment, PeerMatchPreferences
from tests.concurrency import open_form
from tests.conftest import api_login, login
from tests.factories import ClientFactory, PeerProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bob(team, counselor):
    """A client with a counselor and no peer yet."""
    from tests.factories import assign

    client = ClientFactory(legal_first_name="Bob", primary_team=team, preferred_language="en")
    assign(client, counselor, "primary_counselor")
    return client


@pytest.fixture
def new_peer(team):
    profile = PeerProfileFactory(user__username="newpeer", user__first_name="Pat", user__last_name="Lee")
    team.members.add(profile.user)
    return profile.user


def test_starting_an_assignment_grants_the_peer_access_and_ending_it_revokes_it(bob, counselor, new_peer):
    assert not client_can_access(new_peer, bob)
    assignment = peer_assignment_start(
        client=bob,
        peer=new_peer,
        acting_user=counselor,
        goals="Get back to meetings",
        match_reasons=["Speaks English"],
    )
    assert client_can_access(new_peer, bob)
    assert assignment.care_team_assignment.role == "peer"
    assert assignment.match_reasons == ["Speaks English"]
    assert login(new_peer).get(reverse("clients:detail", args=[bob.pk])).status_code == 200

    peer_assignment_end(assignment=assignment, acting_user=counselor, reason="Goals met")
    assert not client_can_access(new_peer, bob)
    assignment.care_team_assignment.refresh_from_db()
    assert assignment.care_team_assignment.ended_on is not None
    assert login(new_peer).get(reverse("clients:detail", args=[bob.pk])).status_code == 404
    assert api_login(new_peer).get(f"/api/v1/clients/{bob.pk}/").status_code == 404
    assert AuditEvent.objects.filter(object_type="peers.peerassignment", client=bob).count() == 2


def test_a_peer_at_capacity_is_refused_unless_overridden(bob, counselor, team):
    profile = PeerProfileFactory(caseload_capacity=1)
    peer_assignment_start(
        client=ClientFactory(primary_team=team), peer=profile.user, acting_user=counselor, goals=""
    )
    with pytest.raises(DomainError, match="capacity"):
        peer_assignment_start(client=bob, peer=profile.user, acting_user=counselor, goals="")
    assert not client_can_access(profile.user, bob)
    peer_assignment_start(
        client=bob, peer=profile.user, acting_user=counselor, goals="", override_capacity=True
    )
    assert client_can_access(profile.user, bob)


def test_the_same_peer_cannot_be_assigned_twice(bob, counselor, new_peer):
    peer_assignment_start(client=bob, peer=new_peer, acting_user=counselor, goals="")
    with pytest.raises(DomainError, match="already"):
        peer_assignment_start(client=bob, peer=new_peer, acting_user=counselor, goals="")
    assert PeerAssignment.objects.filter(client=bob).count() == 1


def test_a_peer_not_trained_for_youth_is_refused_for_a_client_under_18(team, counselor, new_peer):
    import datetime as dt

    from django.utils import timezone

    teen = ClientFactory(primary_team=team, date_of_birth=timezone.localdate() - dt.timedelta(days=365 * 15))
    with pytest.raises(DomainError, match="under 18"):
        peer_assignment_start(client=teen, peer=new_peer, acting_user=counselor, goals="")


def test_adopting_links_the_existing_care_team_assignment_instead_of_a_second(alice, counselor, peer):
    PeerProfileFactory(user=peer)
    cta = CareTeamAssignment.objects.get(client=alice, staff=peer, role="peer")
    assignment = peer_assignment_adopt(care_team_assignment=cta, acting_user=counselor, goals="Stay housed")
    assert assignment.care_team_assignment == cta
    assert CareTeamAssignment.objects.filter(client=alice, staff=peer).count() == 1


def test_starting_reuses_an_unlinked_peer_care_team_assignment(alice, counselor, peer):
    PeerProfileFactory(user=peer)
    assignment = peer_assignment_start(client=alice, peer=peer, acting_user=counselor, goals="")
    assert CareTeamAssignment.objects.filter(client=alice, staff=peer).count() == 1
    assert assignment.care_team_assignment.staff == peer


# --- the match page -----------------------------------------------------------------------------


def test_the_match_page_shows_ranked_peers_with_reasons_and_places_left(bob, counselor, new_peer):
    response = login(counselor).get(reverse("peers:match", args=[bob.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pat Lee" in html
    assert "Speaks English" in html
    assert "10 of 10" in html
    assert AuditEvent.objects.filter(client=bob, action="view", user=counselor).exists()


def test_staff_choose_a_peer_and_record_goals_on_the_match_page(bob, counselor, new_peer):
    url = reverse("peers:match", args=[bob.pk])
    response = login(counselor).post(url, {"peer": new_peer.pk, "goals": "Find a home group"})
    assert response.status_code == 302
    assignment = PeerAssignment.objects.get(client=bob)
    assert assignment.goals == "Find a home group"
    assert "Speaks English" in assignment.match_reasons
    assert client_can_access(new_peer, bob)


def test_bad_input_on_the_match_page_is_refused_with_field_errors_and_nothing_saved(bob, counselor, new_peer):
    url = reverse("peers:match", args=[bob.pk])
    response = login(counselor).post(url, {"peer": new_peer.pk, "goals": ""})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert not PeerAssignment.objects.exists()
    response = login(counselor).post(
        url,
        {
            "language_match": "on",
            "pathway_preference": ["smart"],
            "pathways_not_wanted": ["smart"],
            "notes": "keep me",
        },
    )
    assert response.status_code == 400
    assert "keep me" in response.content.decode()
    assert not PeerMatchPreferences.objects.exists()


def test_match_preferences_are_saved_and_change_the_ranking(bob, counselor, new_peer):
    other = PeerProfileFactory(user__first_name="Ana", user__last_name="Ruiz", gender="woman").user
    url = reverse("peers:match", args=[bob.pk])
    http = login(counselor)
    response = http.post(
        url, {"wants_peer": "on", "gender_preference": "woman", "notes": "a woman", **open_form(http, url)}
    )
    assert response.status_code == 302
    assert PeerMatchPreferences.objects.get(client=bob).gender_preference == "woman"
    html = login(counselor).get(url).content.decode()
    assert html.index("Ana Ruiz") < html.index("Pat Lee")
    assert "Woman, as the client prefers" in html
    assert other


def test_outsider_gets_404_on_the_match_page_and_api(bob, outsider, new_peer):
    assert login(outsider).get(reverse("peers:match", args=[bob.pk])).status_code == 404
    assert api_login(outsider).get(f"/api/v1/peer-matches/?client={bob.pk}").status_code == 404
    assert api_login(outsider).get(f"/api/v1/peer-assignments/?client={bob.pk}").json()["results"] == []


def test_a_peer_specialist_cannot_start_assignments(alice, peer, new_peer):
    url = reverse("peers:match", args=[alice.pk])
    assert login(peer).get(url).status_code == 403
    assert login(peer).post(url, {"peer": new_peer.pk, "goals": "x"}).status_code == 403
    api = api_login(peer)
    assert (
        api.post(
            "/api/v1/peer-assignments/", {"client": alice.pk, "peer": new_peer.pk, "goals": "x"}
        ).status_code
        == 403
    )
    assert api.get(f"/api/v1/peer-matches/?client={alice.pk}").status_code == 403
    assert not PeerAssignment.objects.exists()


def test_the_match_page_query_count_is_flat_as_peers_grow(bob, counselor):
    http = login(counselor)
    url = reverse("peers:match", args=[bob.pk])

    def count(n):
        for _ in range(n):
            PeerProfileFactory()
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count(3)
    many = count(12)
    assert few == many
    assert many <= 30


def test_the_end_page_ends_the_assignment_with_a_reason(bob, counselor, new_peer):
    assignment = peer_assignment_start(client=bob, peer=new_peer, acting_user=counselor, goals="")
    url = reverse("peers:assignment-end", args=[bob.pk, assignment.pk])
    http = login(counselor)
    assert http.get(url).status_code == 200
    response = http.post(url, {"reason": ""})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    assert http.post(url, {"reason": "Client moved"}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.end_reason == "Client moved"
    assert not client_can_access(new_peer, bob)
    assert http.get(url).status_code == 404


# --- API ----------------------------------------------------------------------------------------


def test_the_api_ranks_peers_with_reasons(bob, counselor, new_peer):
    response = api_login(counselor).get(f"/api/v1/peer-matches/?client={bob.pk}")
    assert response.status_code == 200
    row = response.json()["results"][0]
    assert row["peer"] == new_peer.pk
    assert "Speaks English" in row["reasons"]
    assert row["remaining_capacity"] == 10
    assert api_login(counselor).get("/api/v1/peer-matches/").status_code == 400


def test_the_api_starts_and_ends_an_assignment_and_access_follows(bob, counselor, new_peer):
    api = api_login(counselor)
    response = api.post(
        "/api/v1/peer-assignments/",
        {"client": bob.pk, "peer": new_peer.pk, "goals": "Meetings"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert "Speaks English" in response.json()["match_reasons"]
    assert api_login(new_peer).get(f"/api/v1/clients/{bob.pk}/").status_code == 200
    assert api.post(f"/api/v1/peer-assignments/{pk}/end/", {"reason": ""}, format="json").status_code == 400
    response = api.post(f"/api/v1/peer-assignments/{pk}/end/", {"reason": "Done"}, format="json")
    assert response.status_code == 200
    assert response.json()["ended_on"]
    assert api_login(new_peer).get(f"/api/v1/clients/{bob.pk}/").status_code == 404
    assert api_login(new_peer).get(f"/api/v1/peer-assignments/{pk}/").status_code == 404


def test_the_api_refuses_a_peer_at_capacity_with_a_field_message(bob, counselor, team):
    profile = PeerProfileFactory(caseload_capacity=1)
    peer_assignment_start(
        client=ClientFactory(primary_team=team), peer=profile.user, acting_user=counselor, goals=""
    )
    response = api_login(counselor).post(
        "/api/v1/peer-assignments/", {"client": bob.pk, "peer": profile.user.pk, "goals": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "capacity" in response.json()["peer"][0]
    assert not PeerAssignment.objects.filter(client=bob).exists()


def test_the_api_refuses_bad_input_with_field_messages(bob, counselor):
    response = api_login(counselor).post(
        "/api/v1/peer-assignments/", {"client": bob.pk, "peer": 999999}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"peer", "goals"}
    assert not PeerAssignment.objects.exists()


def test_the_assignment_list_is_scoped_and_flat(bob, counselor, team):
    api = api_login(counselor)

    def count(n):
        for _ in range(n):
            profile = PeerProfileFactory()
            peer_assignment_start(client=bob, peer=profile.user, acting_user=counselor, goals="")
        api.get(f"/api/v1/peer-assignments/?client={bob.pk}")  # warm the permission cache
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(f"/api/v1/peer-assignments/?client={bob.pk}")
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    few, n_few = count(2)
    many, n_many = count(8)
    assert (n_few, n_many) == (2, 10)
    assert few == many <= 12


def test_the_demo_seed_adopts_existing_peer_work_and_adds_more(alice, bob, counselor, peer, supervisor, team):
    import random

    from peers.assignments.demo import seed

    seed(
        rng=random.Random(1),
        clients=[alice, bob],
        staff={"peer": peer, "counselor": counselor, "supervisor": supervisor},
    )
    adopted = PeerAssignment.objects.get(client=alice, peer=peer)
    assert adopted.care_team_assignment.staff == peer
    assert CareTeamAssignment.objects.filter(client=alice, staff=peer).count() == 1
    assert PeerAssignment.objects.filter(client=bob).exclude(peer=peer).exists()


def test_ending_the_peers_care_team_assignment_on_the_chart_ends_the_peer_work_too(alice, peer, supervisor):
    """GIVEN peer work for Alice WHEN her supervisor ends the peer's care-team place on the Care team tab
    THEN the peer assignment ends with it (no longer active, no longer counted against capacity)."""
    place = CareTeamAssignment.objects.get(client=alice, staff=peer, ended_on__isnull=True)
    peer_work = peer_assignment_adopt(
        care_team_assignment=place, acting_user=supervisor, goals="Get to meetings"
    )

    response = login(supervisor).post(
        reverse("clients:assignment-end", args=[alice.pk, place.pk]), {"reason": "Moved to another program"}
    )

    assert response.status_code == 302
    peer_work = PeerAssignment.objects.get(pk=peer_work.pk)
    assert peer_work.ended_on is not None and peer_work.end_reason == "Moved to another program"
