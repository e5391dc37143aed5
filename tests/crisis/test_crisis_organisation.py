"""Crisis workers reach their own organisation's clients; anyone else's client needs break-the-glass.

Harbor's crisis worker (on Harbor Outpatient, organisation Harbor Point Health) searches for a Riverside
client (Riverside Crisis, organisation Riverside Community Services), as the issue measured it.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from careteam import access
from careteam.models import AuditAction, AuditEvent, CareTeamAssignment, Organization, Team
from careteam.services import emergency_access_open
from crisis.models import CrisisEpisode
from tests.conftest import api_login, login
from tests.factories import ClientFactory, TeamFactory

EPISODES = "/api/v1/crisis-episodes/"
BIRTHDAY = dt.date(1980, 8, 8)


def open_post(client, **extra):
    data = {"client": client.pk, "source": "call", "concerns": ["suicidal_ideation"], "risk_level": "high"}
    data["caring_contacts"] = "no"
    data.update(extra)
    return data


def api_body(client):
    return {
        "client": client.pk,
        "source": "call",
        "concerns": ["grief"],
        "risk_level": "low",
        "caring_contacts": "no",
    }


@pytest.fixture
def organisations(team, other_team):
    harbor = Organization.objects.create(name="Harbor Point Health")
    riverside = Organization.objects.create(name="Riverside Community Services")
    Team.objects.filter(pk=team.pk).update(organization=harbor)
    Team.objects.filter(pk=other_team.pk).update(organization=riverside)
    return harbor, riverside


@pytest.fixture
def riverside_client(organisations, jamie):
    """Jamie Parker, a Riverside client with a Riverside counselor."""
    return jamie


@pytest.fixture
def riverside_walk_in(organisations, other_team):
    """Robin Parkes, on Riverside's books, nobody assigned yet."""
    return ClientFactory(
        legal_first_name="Robin", legal_last_name="Parkes", preferred_name="", primary_team=other_team
    )


@pytest.fixture
def harbor_walk_in(organisations):
    """Sam Parkin, on another Harbor team, nobody assigned yet."""
    harbor_recovery = TeamFactory(name="Harbor Recovery", organization=organisations[0])
    return ClientFactory(
        legal_first_name="Sam",
        legal_last_name="Parkin",
        preferred_name="",
        date_of_birth=BIRTHDAY,
        primary_team=harbor_recovery,
    )


def test_a_crisis_worker_searching_finds_no_client_of_another_organisation(
    crisis_worker, riverside_client, riverside_walk_in
):
    body = login(crisis_worker).get(reverse("crisis:open"), {"q": "Park"}).content.decode()
    assert "Parker" not in body and "Parkes" not in body
    assert "Aug 8, 1980" not in body
    assert "No one matches" in body
    assert "Search all clients for emergency access" in body  # the way on, with a reason


def test_a_crisis_worker_cannot_open_an_episode_for_another_organisations_client(
    crisis_worker, riverside_client, riverside_walk_in
):
    http = login(crisis_worker)
    api = api_login(crisis_worker)
    for client in (riverside_client, riverside_walk_in):
        assert http.get(reverse("crisis:open"), {"client": client.pk}).status_code == 404
        assert http.post(reverse("crisis:open"), open_post(client)).status_code == 404
        assert api.post(EPISODES, api_body(client), format="json").status_code == 404
    assert not CrisisEpisode.objects.exists()
    assert not CareTeamAssignment.objects.filter(staff=crisis_worker).exists()


def test_same_organisation_walk_ins_show_only_who_they_are_and_can_be_opened(crisis_worker, harbor_walk_in):
    http = login(crisis_worker)
    body = http.get(reverse("crisis:open"), {"q": "Park"}).content.decode()
    assert "Sam Parkin" in body and harbor_walk_in.record_number in body and "Harbor Recovery" in body
    assert "born 1980" in body and "Aug 8, 1980" not in body  # the birth year picks the person; no more
    response = http.post(reverse("crisis:open"), open_post(harbor_walk_in))
    assert response.status_code == 302
    assert http.get(response["Location"]).status_code == 200
    assert CareTeamAssignment.objects.active().filter(client=harbor_walk_in, staff=crisis_worker).exists()


def test_same_organisation_walk_in_opens_through_the_api(crisis_worker, harbor_walk_in):
    assert api_login(crisis_worker).post(EPISODES, api_body(harbor_walk_in), format="json").status_code == 201


def test_a_team_without_an_organisation_counts_only_itself(crisis_worker, team):
    """GIVEN teams with no organisation WHEN the crisis worker searches THEN only their team's walk-ins."""
    own = ClientFactory(legal_last_name="Parkhurst", primary_team=team)
    elsewhere = ClientFactory(legal_last_name="Parkman", primary_team=TeamFactory(name="Elsewhere"))
    body = login(crisis_worker).get(reverse("crisis:open"), {"q": "Park"}).content.decode()
    assert "Parkhurst" in body and "Parkman" not in body
    assert api_login(crisis_worker).post(EPISODES, api_body(elsewhere), format="json").status_code == 404
    assert api_login(crisis_worker).post(EPISODES, api_body(own), format="json").status_code == 201


def test_every_picker_search_is_audited_with_how_many_and_whom(
    crisis_worker, harbor_walk_in, riverside_client
):
    http = login(crisis_worker)
    http.get(reverse("crisis:open"), {"q": "Park"})
    rows = list(AuditEvent.objects.filter(user=crisis_worker, action=AuditAction.LIST))
    assert [r.client_id for r in rows] == [harbor_walk_in.pk]
    assert rows[0].detail == {"page": "crisis-open", "search": True, "results": 1}
    http.get(reverse("crisis:open"), {"q": "Nobody-by-this-name"})
    empty = AuditEvent.objects.filter(user=crisis_worker, action=AuditAction.LIST, client__isnull=True).get()
    assert empty.detail["results"] == 0
    assert "Nobody" not in str(empty.detail)  # the term (a name) is not kept


def test_under_break_the_glass_the_crisis_worker_opens_an_episode_without_joining_the_team(
    crisis_worker, riverside_client
):
    emergency_access_open(
        user=crisis_worker,
        client=riverside_client,
        reason="imminent_risk",
        justification="Caller says Jamie is on the bridge and has a plan.",
    )
    api = api_login(crisis_worker)
    assert api.post(EPISODES, api_body(riverside_client), format="json").status_code == 201
    assert not CareTeamAssignment.objects.filter(client=riverside_client, staff=crisis_worker).exists()
    assert not access.client_can_access(crisis_worker, riverside_client, access.CHANGE)  # VIEW only
    with time_machine.travel(timezone.now() + dt.timedelta(hours=4, minutes=1)):
        assert api.post(EPISODES, api_body(riverside_client), format="json").status_code == 404
        assert (
            login(crisis_worker).get(reverse("clients:detail", args=[riverside_client.pk])).status_code == 404
        )


def test_the_demo_leaves_one_break_glass_access_awaiting_review(
    crisis_worker, riverside_client, harbor_walk_in
):
    from careteam.models import EmergencyAccess
    from crisis.demo import _break_glass_example

    assert _break_glass_example([harbor_walk_in, riverside_client], {"crisis": crisis_worker}) == 1
    grant = EmergencyAccess.objects.awaiting_review().get()
    assert grant.client == riverside_client and grant.ended_at is not None
