"""Counts agree with their nouns: "1 client", never "1 clients", on the dashboard and the caseload."""

import re

import pytest
from django.urls import reverse

from crisis import services as crisis_services
from tests.conftest import login
from tests.factories import PeerProfileFactory

pytestmark = pytest.mark.django_db


def test_a_dashboard_figure_of_one_client_says_client(alice, supervisor):
    """GIVEN one active client on the team
    WHEN the supervisor opens the dashboard
    THEN "Active clients" reads "1 client"."""
    html = login(supervisor).get("/dashboard/").content.decode()
    values = re.findall(r"dash-figure-value[^>]*>\s*([^<]*?)\s*<span[^>]*>([^<]+)</span>", html)
    assert ("1", "client") in values
    assert ("1", "clients") not in values


def test_the_caseload_summary_says_one_client(alice, counselor):
    html = login(counselor).get("/clients/").content.decode()
    assert re.search(r"\b1 client\b", html)
    assert "1 clients" not in html


def test_a_peer_with_room_for_one_client_reads_capacity_one_client(peer):
    PeerProfileFactory(user=peer, caseload_capacity=1)
    html = login(peer).get(reverse("peers:profile")).content.decode()
    assert "Capacity: 1 client<" in html


def test_a_one_hour_safety_plan_link_says_one_hour(settings, counselor, alice):
    settings.CARETEAM_SAFETY_PLAN_LINK_HOURS = 1
    alice.email = "alice@example.org"
    alice.save(update_fields=["email"])
    crisis_services.safety_plan_save(
        client=alice, acting_user=counselor, data={"warning_signs": ["Pacing"]}, reason="review"
    )
    response = login(counselor).post(
        reverse("crisis:safety-plan-send", args=[alice.pk]), {"channel": "email"}, follow=True
    )
    body = response.content.decode()
    assert "it works for 1 hour." in body
    assert "1 hours" not in body
