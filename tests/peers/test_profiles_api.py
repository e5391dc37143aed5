"""Peer profiles: staff read them, a peer edits only their own (API and page); certifications expire."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from peers.models import PeerProfile
from tests.concurrency import etag_of, opened
from tests.conftest import api_login, login
from tests.factories import PeerCertificationFactory, PeerProfileFactory

pytestmark = pytest.mark.django_db


def test_staff_read_peer_profiles(counselor, peer):
    PeerProfileFactory(user=peer, languages=["es", "en"])
    response = api_login(counselor).get("/api/v1/peer-profiles/")
    assert response.status_code == 200
    assert response.json()["results"][0]["languages"] == ["en", "es"]


def test_a_peer_updates_their_own_profile_but_not_capacity(peer):
    profile = PeerProfileFactory(user=peer, caseload_capacity=10)
    api = api_login(peer)
    response = api.patch(
        f"/api/v1/peer-profiles/{profile.pk}/",
        {"pathways": ["smart"], "caseload_capacity": 99},
        format="json",
        HTTP_IF_MATCH=etag_of(api, f"/api/v1/peer-profiles/{profile.pk}/"),
    )
    assert response.status_code == 200, response.json()
    profile.refresh_from_db()
    assert profile.pathways == ["smart"]
    assert profile.caseload_capacity == 10


def test_a_peer_cannot_update_someone_elses_profile(peer):
    other = PeerProfileFactory(bio="mine")
    response = api_login(peer).patch(f"/api/v1/peer-profiles/{other.pk}/", {"bio": "hacked"}, format="json")
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.bio == "mine"


def test_bad_profile_input_is_refused_with_field_messages(peer):
    profile = PeerProfileFactory(user=peer)
    response = api_login(peer).patch(
        f"/api/v1/peer-profiles/{profile.pk}/", {"pathways": ["nonsense"]}, format="json"
    )
    assert response.status_code == 400
    assert "pathways" in response.json()


def test_a_peer_edits_their_profile_page_and_sees_certification_expiry(peer):
    profile = PeerProfileFactory(user=peer)
    today = timezone.localdate()
    PeerCertificationFactory(profile=profile, name="CPRS", expires_on=today + dt.timedelta(days=20))
    PeerCertificationFactory(profile=profile, name="Old cert", expires_on=today - dt.timedelta(days=1))
    http = login(peer)
    page = http.get(reverse("peers:profile"))
    html = page.content.decode()
    assert "Expires" in html and "CPRS" in html
    assert "Expired" in html
    response = http.post(
        reverse("peers:profile"),
        {
            "languages": ["en", "es"],
            "experience_areas": ["veteran"],
            "availability": "Evenings",
            "accepting_new": "on",
            **opened(page),
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.experience_areas == ["veteran"]
    assert profile.availability == "Evenings"


def test_bad_input_on_the_profile_page_keeps_what_was_typed(peer):
    PeerProfileFactory(user=peer, availability="Mornings")
    response = login(peer).post(reverse("peers:profile"), {"availability": "Evenings", "gender": "robot"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Evenings" in html and 'aria-invalid="true"' in html
    assert PeerProfile.objects.get(user=peer).availability == "Mornings"


def test_a_peer_without_a_profile_opens_one_from_the_page(peer):
    response = login(peer).post(reverse("peers:profile"), {"languages": ["en"], "accepting_new": "on"})
    assert response.status_code == 302
    assert PeerProfile.objects.get(user=peer).languages == ["en"]


def test_the_profile_page_is_for_peer_specialists_only(counselor):
    assert login(counselor).get(reverse("peers:profile")).status_code == 403
