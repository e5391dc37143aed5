"""Refused access is audited: a signed-in user's 404 (or 403) on a page or API record leaves one
``denied`` row naming what was asked for, the answer stays the same, and a supervisor sees who is
refused again and again (issue 14, item 3)."""

import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from careteam.access_report import REPEATED_DENIALS_THRESHOLD, repeated_denials_for_user
from careteam.models import AuditAction, AuditEvent
from tests.conftest import api_login, login
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def without_nonces(content: bytes) -> bytes:
    """The page without its per-response CSP nonces (the one part that differs on every answer)."""
    return re.sub(rb'nonce="[^"]*"', b"", content)


def denials():
    return AuditEvent.objects.filter(action=AuditAction.DENIED).order_by("id")


def test_the_outsider_opening_a_harbor_chart_gets_a_404_and_leaves_a_denied_row(alice, outsider):
    chart = reverse("clients:detail", args=[alice.pk])
    response = login(outsider).get(chart)
    assert response.status_code == 404
    [row] = denials()
    assert (row.user_id, row.username, row.client_id) == (outsider.pk, "outsider", alice.pk)
    assert row.path == chart
    assert (row.object_type, row.object_id) == ("clients.client", str(alice.pk))
    assert row.detail["url_name"] == "clients:detail"
    assert row.detail["kwargs"] == {"pk": alice.pk}
    assert row.detail["status"] == 404
    assert row.detail["client_exists"] is True


def test_the_404_looks_the_same_for_a_hidden_client_and_a_missing_one(alice, outsider):
    """GIVEN one client that exists but is hidden and one id that exists nowhere WHEN the outsider
    asks for both THEN the pages are identical; only the audit trail knows which was which."""
    http = login(outsider)
    hidden = http.get(reverse("clients:detail", args=[alice.pk]))
    missing_pk = alice.pk + 1000
    missing = http.get(reverse("clients:detail", args=[missing_pk]))
    assert hidden.status_code == missing.status_code == 404
    assert without_nonces(hidden.content) == without_nonces(missing.content)
    first, second = denials()
    assert (first.client_id, first.detail["client_exists"]) == (alice.pk, True)
    assert (second.client_id, second.object_id, second.detail["client_exists"]) == (
        None,
        str(missing_pk),
        False,
    )


def test_a_chart_sub_page_records_the_client_and_the_object_asked_for(alice, outsider):
    response = login(outsider).get(f"/clients/{alice.pk}/notes/424242/")
    assert response.status_code == 404
    [row] = denials()
    assert row.client_id == alice.pk
    assert row.detail["kwargs"] == {"pk": alice.pk, "note_pk": 424242}


def test_an_api_detail_the_user_may_not_see_is_audited_once(alice, outsider):
    response = api_login(outsider).get(f"/api/v1/clients/{alice.pk}/")
    assert response.status_code == 404
    [row] = denials()
    assert (row.user_id, row.client_id, row.detail["status"]) == (outsider.pk, alice.pk, 404)
    assert row.detail["url_name"] == "client-detail"


def test_an_api_detail_with_no_client_in_the_address_is_audited_with_its_id(alice, outsider):
    response = api_login(outsider).get("/api/v1/notes/987654/")
    assert response.status_code == 404
    [row] = denials()
    assert row.client_id is None
    assert row.detail["kwargs"] == {"pk": 987654}


def test_the_peer_refused_the_edit_page_is_audited_as_a_403(alice, peer):
    response = login(peer).get(reverse("clients:update", args=[alice.pk]))
    assert response.status_code == 403
    [row] = denials()
    assert (row.user_id, row.client_id, row.detail["status"]) == (peer.pk, alice.pk, 403)


def test_anonymous_requests_and_unknown_addresses_are_not_audited(alice, outsider):
    assert api_login(None).get(f"/api/v1/clients/{alice.pk}/").status_code in (401, 403)
    assert login(outsider).get("/no-such-page/at-all/").status_code == 404
    assert not denials().exists()


def test_a_page_the_user_may_see_writes_no_denied_row(alice, counselor):
    assert login(counselor).get(reverse("clients:detail", args=[alice.pk])).status_code == 200
    assert not denials().exists()


def test_the_denied_row_survives_a_request_that_rolls_back(alice, outsider, monkeypatch):
    """GIVEN requests run in a transaction (ATOMIC_REQUESTS) WHEN the view's 404 rolls it back THEN
    the denied row, written after the view, is still there."""
    monkeypatch.setitem(connection.settings_dict, "ATOMIC_REQUESTS", True)
    assert login(outsider).get(reverse("clients:detail", args=[alice.pk])).status_code == 404
    assert denials().filter(user=outsider, client=alice).count() == 1


# --- repeated refusals ----------------------------------------------------------------------------


@pytest.fixture
def snooping(alice, outsider, team):
    """The outsider tries three Harbor charts."""
    http = login(outsider)
    others = [ClientFactory(primary_team=team) for _ in range(REPEATED_DENIALS_THRESHOLD - 1)]
    for client in [alice, *others]:
        assert http.get(reverse("clients:detail", args=[client.pk])).status_code == 404
    return others


def test_the_supervisor_of_the_client_team_sees_the_repeated_denials_on_the_dashboard(snooping, supervisor):
    response = login(supervisor).get(reverse("dashboards:dashboard"))
    assert response.status_code == 200
    [row] = response.context["repeated_denials"]
    assert (row["username"], row["count"]) == ("outsider", REPEATED_DENIALS_THRESHOLD)
    page = response.content.decode()
    assert "Refused access" in page
    assert "outsider" in page


def test_the_outsiders_own_supervisor_sees_them_too(snooping, other_supervisor):
    """Refusals by a member of a team count for that team's supervisor, whoever's record it was."""
    assert [r["username"] for r in repeated_denials_for_user(other_supervisor)] == ["outsider"]


def test_a_few_refusals_are_not_listed_and_other_supervisors_see_nothing(alice, outsider, supervisor, db):
    login(outsider).get(reverse("clients:detail", args=[alice.pk]))
    assert repeated_denials_for_user(supervisor) == []
    from tests.factories import TeamFactory, UserFactory

    elsewhere = UserFactory(username="supervisor3", role="supervisor")
    TeamFactory(name="Elsewhere").supervisors.add(elsewhere)
    for _ in range(REPEATED_DENIALS_THRESHOLD):
        login(outsider).get(reverse("clients:detail", args=[alice.pk]))
    assert repeated_denials_for_user(elsewhere) == []
    assert [r["username"] for r in repeated_denials_for_user(supervisor)] == ["outsider"]


def test_the_counselor_has_no_repeated_denials_list(snooping, counselor):
    assert repeated_denials_for_user(counselor) == []


def test_a_failed_csrf_check_is_not_a_refused_record(alice, counselor):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(counselor)
    assert http.post(reverse("clients:update", args=[alice.pk]), {}).status_code == 403
    assert not denials().exists()
