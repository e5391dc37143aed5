"""No lost updates on a client's peer-matching preferences and on a peer's own profile."""

from __future__ import annotations

import pytest
from django.urls import reverse

from peers.models import PeerMatchPreferences, PeerProfile
from tests.concurrency import etag_of, form_as_sent, opened
from tests.conftest import api_login, login
from tests.factories import PeerProfileFactory

pytestmark = pytest.mark.django_db


def test_preferences_saved_by_someone_else_meanwhile_are_not_overwritten(alice, counselor, supervisor):
    url = reverse("peers:match", args=[alice.pk])
    casey, sam = login(counselor), login(supervisor)
    caseys_page = casey.get(url)  # no preferences saved yet
    sams = form_as_sent(sam.get(url), form_key="prefs_form", gender_preference="woman")
    assert sam.post(url, sams).status_code == 302

    caseys = form_as_sent(caseys_page, form_key="prefs_form", notes="Someone who knows court")
    refused = casey.post(url, caseys)

    assert refused.status_code == 400
    assert PeerMatchPreferences.objects.get(client=alice).gender_preference == "woman"
    assert "Someone who knows court" in refused.content.decode()
    assert [c.name for c in refused.context["prefs_form"].concurrency_conflict] == ["gender_preference"]
    again = casey.post(url, {**caseys, "gender_preference": "woman", **opened(refused)})
    assert again.status_code == 302
    assert PeerMatchPreferences.objects.get(client=alice).notes == "Someone who knows court"


def test_the_peer_profile_api_checks_if_match(peer):
    profile = PeerProfileFactory(user=peer, availability="Mornings")
    detail = f"/api/v1/peer-profiles/{profile.pk}/"
    laptop, phone = api_login(peer), api_login(peer)
    etag = etag_of(laptop, detail)
    assert (
        phone.patch(detail, {"availability": "Evenings"}, format="json", HTTP_IF_MATCH=etag).status_code
        == 200
    )

    assert laptop.patch(detail, {"bio": "Ten years in recovery"}, format="json").status_code == 428
    stale = laptop.patch(detail, {"bio": "Ten years in recovery"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["changed"] == ["availability"]
    assert PeerProfile.objects.get(pk=profile.pk).bio != "Ten years in recovery"
