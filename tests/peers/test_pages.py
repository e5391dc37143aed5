"""The peer's pages (My people, client page), the chart tab, supervision and the Today section:
scoping, minimum necessary, audit and bounded queries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent
from clients.models import Client
from tests.conftest import login
from tests.factories import (
    AssessmentResponseFactory,
    ClientFactory,
    EncounterNoteFactory,
    GroupAttendanceFactory,
    PeerAssignmentFactory,
    PeerContactFactory,
)

NOTE_TEXT = "Discussed trauma history in depth"


@pytest.fixture
def clinical_alice(alice, alice_peer, counselor, group):
    """Alice with clinical data on file: a level of care, a signed note, a PHQ-9."""
    Client.objects.filter(pk=alice.pk).update(
        asam_edition="3", asam_level="2.1", date_of_birth=dt.date(1988, 7, 14)
    )
    alice.refresh_from_db()
    EncounterNoteFactory(client=alice, author=counselor, data=NOTE_TEXT, signed=True)
    AssessmentResponseFactory(client=alice, administered_by=counselor)
    PeerContactFactory(assignment=alice_peer, summary="Walked to the library together")
    GroupAttendanceFactory(client=alice, group=group, recorded_by=alice_peer.peer)
    return alice


def assert_nothing_clinical(html: str):
    for forbidden in (
        NOTE_TEXT,
        "1988",
        "Jul 14",
        "PHQ",
        "Level of care",
        "2.1",
        "Diagnos",
        "Consent",
        "score",
    ):
        assert forbidden not in html, forbidden


def test_the_peer_page_shows_the_minimum_and_nothing_clinical(clinical_alice, peer):
    response = login(peer).get(reverse("peers:client", args=[clinical_alice.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ali Rivera" in html and "Walked to the library together" in html and "Tuesday Night AA" in html
    assert "Find a home group" in html  # goals for peer work
    assert_nothing_clinical(html)
    assert "safety plan" not in html.lower()  # none written yet: no empty placeholder either
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, client_id=clinical_alice.pk, user=peer).exists()


def test_the_peer_page_shows_the_current_safety_plan_and_still_nothing_clinical(
    clinical_alice, peer, counselor
):
    from crisis.services import safety_plan_save

    for reasons in (["My dog"], ["My dog", "My sister's kids"]):
        safety_plan_save(
            client=clinical_alice,
            acting_user=counselor,
            data={"reasons_for_living": reasons},
            reason="review",
        )
    html = login(peer).get(reverse("peers:client", args=[clinical_alice.pk])).content.decode()
    assert "Safety plan" in html and "version 2" in html
    assert "My sister&#x27;s kids" in html and "988" in html
    assert_nothing_clinical(html)


def test_my_people_shows_nothing_clinical(clinical_alice, peer):
    html = login(peer).get(reverse("peers:home")).content.decode()
    assert "Ali Rivera" in html
    assert_nothing_clinical(html)


def test_a_peer_gets_404_on_a_client_they_are_not_assigned_to(team, peer):
    stranger = ClientFactory(primary_team=team)
    for name in ("peers:client", "peers:contact-create", "peers:attendance-create", "peers:checkin-create"):
        assert login(peer).get(reverse(name, args=[stranger.pk])).status_code == 404


@pytest.mark.parametrize("name", ["peers:client", "peers:contact-create", "peers:chart-tab"])
def test_the_outsider_gets_404(alice, alice_peer, outsider, name):
    assert login(outsider).get(reverse(name, args=[alice.pk])).status_code == 404


def test_the_counselor_sees_the_peer_work_on_the_chart_tab(clinical_alice, counselor):
    response = login(counselor).get(reverse("peers:chart-tab", args=[clinical_alice.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Walked to the library together" in html and "Find a home group" in html
    assert "Peer Support" in html


def test_the_chart_tab_is_hidden_from_the_peer_and_sends_them_to_their_page(alice, alice_peer, peer):
    response = login(peer).get(reverse("peers:chart-tab", args=[alice.pk]))
    assert response.status_code == 302 and response.url == reverse("peers:client", args=[alice.pk])


def test_upcoming_accompaniments_and_follow_ups_show_on_my_people(alice, alice_peer, peer):
    from tests.factories import AppointmentFactory

    AppointmentFactory(
        client=alice,
        staff=peer,
        kind="peer",
        starts_at=timezone.now() + dt.timedelta(days=2),
        location="Court",
    )
    html = login(peer).get(reverse("peers:home")).content.decode()
    assert "Court" in html


def make_people(peer, team, n):
    for _ in range(n):
        client = ClientFactory(primary_team=team)
        assignment = PeerAssignmentFactory(client=client, peer=peer)
        PeerContactFactory(assignment=assignment)
        PeerContactFactory(assignment=assignment, occurred_at=timezone.now() - dt.timedelta(days=10))


def count_queries(http, url):
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_my_people_queries_stay_flat(team, peer):
    http = login(peer)
    make_people(peer, team, 2)
    few = count_queries(http, reverse("peers:home"))
    make_people(peer, team, 13)
    many = count_queries(http, reverse("peers:home"))
    assert few == many
    assert many <= 15


def test_the_supervisor_view_queries_stay_flat(team, peer, supervisor):
    http = login(supervisor)
    make_people(peer, team, 2)
    few = count_queries(http, reverse("peers:supervision"))
    make_people(peer, team, 13)
    many = count_queries(http, reverse("peers:supervision"))
    assert few == many
    assert many <= 15


def test_the_supervisor_sees_caseloads_weekly_contacts_and_people_past_the_threshold(team, peer, supervisor):
    make_people(peer, team, 2)
    lonely = ClientFactory(primary_team=team, legal_first_name="Lonely", preferred_name="")
    PeerAssignmentFactory(client=lonely, peer=peer)
    response = login(supervisor).get(reverse("peers:supervision"))
    ctx = response.context
    [row] = [p for p in ctx["peers"] if p.pk == peer.pk]
    assert row.active_count == 3
    assert [a.client for a in ctx["overdue"]] == [lonely]
    assert sum(sum(a.weekly) for a in ctx["rows"]) >= 2
    assert "Lonely" in response.content.decode()


def test_the_supervisor_view_is_for_supervisors(peer, counselor):
    assert login(peer).get(reverse("peers:supervision")).status_code == 403


def test_the_today_page_lists_the_peers_people_past_the_threshold(team, peer):
    make_people(peer, team, 1)
    lonely = ClientFactory(primary_team=team, preferred_name="Zed")
    PeerAssignmentFactory(client=lonely, peer=peer)
    response = login(peer).get(reverse("workspace:today"))
    html = response.content.decode()
    assert "Zed" in html and "No contact yet" in html


@time_machine.travel(dt.datetime(2026, 11, 18, 17, 0, tzinfo=dt.UTC), tick=False)  # a Wednesday midday
def test_supervision_counts_each_peers_contacts_separately_when_two_peers_share_a_client(
    alice, peer, team, supervisor
):
    """GIVEN two peers working with Alice, one with 3 contacts this week and one with 1
    WHEN the supervisor opens the peer supervision view THEN each peer's row shows their own count."""
    from peers.selectors import supervision_overview
    from tests.factories import UserFactory
    from tests.factories.peers import PeerAssignmentFactory, PeerContactFactory

    second_peer = UserFactory(username="peer.two", role="peer_specialist")
    team.members.add(second_peer)
    first = PeerAssignmentFactory(client=alice, peer=peer)
    second = PeerAssignmentFactory(client=alice, peer=second_peer)
    recently = timezone.now() - dt.timedelta(minutes=5)
    PeerContactFactory.create_batch(3, assignment=first, occurred_at=recently)
    PeerContactFactory(assignment=second, occurred_at=recently)

    rows = {row.peer.username: row.weekly[-1] for row in supervision_overview(supervisor)["rows"]}

    assert rows == {"peer": 3, "peer.two": 1}
