"""Needs: the selector, the chart alert, the add / edit / status pages, and who may use them."""

import pytest
from django.urls import reverse

from careteam.models import AuditAction, AuditEvent
from clients.models import Need, NeedStatus
from clients.needs import services
from clients.needs.selectors import needs_for_client
from tests.concurrency import opened
from tests.conftest import login
from tests.factories import NeedFactory, assign

pytestmark = pytest.mark.django_db


def add_url(client):
    return reverse("clients:needs:create", args=[client.pk])


def edit_url(need):
    return reverse("clients:needs:update", args=[need.client_id, need.pk])


def status_url(need):
    return reverse("clients:needs:status", args=[need.client_id, need.pk])


def overview(client):
    return reverse("clients:detail", args=[client.pk])


def test_needs_for_client_lists_open_urgent_needs_first(alice, counselor):
    met = NeedFactory(client=alice, status=NeedStatus.MET)
    routine = NeedFactory(client=alice)
    urgent = NeedFactory(client=alice, urgency="urgent", category="housing")
    referred = NeedFactory(client=alice, status=NeedStatus.REFERRED)
    assert list(needs_for_client(alice)) == [urgent, referred, routine, met]
    assert set(needs_for_client(alice, open_only=True)) == {urgent, referred, routine}


def test_an_open_urgent_need_flags_the_chart(alice, counselor):
    need = NeedFactory(client=alice, urgency="urgent", category="housing", description="Evicted Friday")
    page = login(counselor).get(overview(alice)).content.decode()
    assert "Urgent need: housing" in page
    services.need_set_status(need=need, status=NeedStatus.MET, acting_user=counselor)
    assert "Urgent need" not in login(counselor).get(overview(alice)).content.decode()


def test_adding_a_need_returns_to_a_safe_next(alice, counselor):
    http = login(counselor)
    back = reverse("clients:detail", args=[alice.pk]) + "?tab=needs"
    assert http.get(add_url(alice) + f"?next={back}").status_code == 200
    response = http.post(
        add_url(alice), {"category": "food", "description": "No groceries", "urgency": "urgent", "next": back}
    )
    assert response.status_code == 302 and response.url == back
    need = Need.objects.get(client=alice)
    assert need.identified_by == counselor and need.urgency == "urgent"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(need.pk)).exists()


def test_an_unsafe_next_falls_back_to_the_overview(alice, counselor):
    response = login(counselor).post(
        add_url(alice),
        {"category": "food", "description": "x", "urgency": "routine", "next": "https://evil.example.com/"},
    )
    assert response.status_code == 302 and response.url == overview(alice)


def test_a_blank_description_is_refused_with_the_input_kept(alice, counselor):
    response = login(counselor).post(
        add_url(alice), {"category": "legal", "description": "", "urgency": "routine"}
    )
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not Need.objects.exists()


def test_editing_a_need(alice, counselor):
    need = NeedFactory(client=alice)
    http = login(counselor)
    page = http.get(edit_url(need))
    assert "Runs out of groceries" in page.content.decode()
    response = http.post(
        edit_url(need),
        {"category": "food", "description": "Food bank is closed", "urgency": "urgent", **opened(page)},
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.description == "Food bank is closed" and need.urgency == "urgent"
    change = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(need.pk))
    assert set(change.changed_fields) == {"description", "urgency"}


def test_closing_a_need_unmet_needs_a_note(alice, counselor):
    need = NeedFactory(client=alice)
    http = login(counselor)
    refused = http.post(status_url(need), {"status": "unmet_closed", "note": ""})
    assert refused.status_code == 400 and "Say why" in refused.content.decode()
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN
    assert (
        http.post(status_url(need), {"status": "declined", "note": "Has family help now"}).status_code == 302
    )
    need.refresh_from_db()
    assert need.status == NeedStatus.DECLINED and need.closed_note == "Has family help now"
    assert http.post(status_url(need), {"status": "met"}).status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.MET


@pytest.mark.parametrize("persona", ["counselor", "case_manager", "crisis_worker", "supervisor"])
def test_the_care_team_adds_edits_and_closes_needs(request, alice, persona):
    user = request.getfixturevalue(persona)
    if persona in ("case_manager", "crisis_worker"):
        assign(alice, user, "case_manager" if persona == "case_manager" else "crisis")
    need = NeedFactory(client=alice)
    http = login(user)
    for url in (add_url(alice), edit_url(need), status_url(need)):
        assert http.get(url).status_code == 200, url


def test_a_peer_may_add_a_need_but_not_change_one(alice, peer):
    need = NeedFactory(client=alice)
    http = login(peer)
    assert http.get(add_url(alice)).status_code == 200
    assert (
        http.post(
            add_url(alice), {"category": "transportation", "description": "Bus pass", "urgency": "routine"}
        ).status_code
        == 302
    )
    assert http.get(edit_url(need)).status_code == 403
    assert http.post(status_url(need), {"status": "met"}).status_code == 403


def test_the_outsider_gets_404_on_every_page(alice, outsider):
    need = NeedFactory(client=alice)
    http = login(outsider)
    for url in (add_url(alice), edit_url(need), status_url(need)):
        assert http.get(url).status_code == 404, url
    assert (
        http.post(add_url(alice), {"category": "food", "description": "x", "urgency": "routine"}).status_code
        == 404
    )


def test_a_need_of_another_client_is_404_under_this_one(alice, counselor, team):
    from tests.factories import ClientFactory

    bob = ClientFactory(primary_team=team)
    assign(bob, counselor)
    bobs = NeedFactory(client=bob)
    assert login(counselor).get(reverse("clients:needs:update", args=[alice.pk, bobs.pk])).status_code == 404


def test_a_view_only_place_on_the_care_team_cannot_edit_or_close_a_need(alice, case_manager):
    """GIVEN a case manager on Alice's care team in the view-only "other" role
    WHEN they try to edit or close her need, on the page or through the API
    THEN they are refused (403) and the need is unchanged."""
    from tests.conftest import api_login

    assign(alice, case_manager, "other")
    need = NeedFactory(client=alice)
    http = login(case_manager)
    assert http.get(edit_url(need)).status_code == 403
    assert (
        http.post(edit_url(need), {"category": "food", "description": "x", "urgency": "urgent"}).status_code
        == 403
    )
    assert http.post(status_url(need), {"status": "met", "note": "done"}).status_code == 403
    api = api_login(case_manager)
    assert api.patch(f"/api/v1/needs/{need.pk}/", {"description": "x"}, format="json").status_code == 403
    assert (
        api.post(f"/api/v1/needs/{need.pk}/set-status/", {"status": "met"}, format="json").status_code == 403
    )
    need.refresh_from_db()
    assert (need.status, need.description) == (
        NeedStatus.OPEN,
        "Runs out of groceries before the end of the month.",
    )
