"""No lost updates on a need: two people edit it at once, on the page and through the API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clients.models import Need, NeedStatus
from clients.needs import services
from tests.concurrency import etag_of, form_as_sent, opened
from tests.conftest import api_login, login
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


def edit_url(need):
    return reverse("clients:needs:update", args=[need.client_id, need.pk])


def test_a_stale_save_of_a_need_is_refused_and_nothing_is_lost(alice, counselor, supervisor):
    need = NeedFactory(client=alice, category="food", description="Runs out of groceries", urgency="routine")
    casey, sam = login(counselor), login(supervisor)
    caseys_page = casey.get(edit_url(need))
    sams = form_as_sent(
        sam.get(edit_url(need)), description="Food bank closed until Monday", urgency="urgent"
    )
    assert sam.post(edit_url(need), sams).status_code == 302

    caseys = form_as_sent(caseys_page, description="Needs SNAP recertification")
    refused = casey.post(edit_url(need), caseys)

    assert refused.status_code == 400
    need.refresh_from_db()
    assert (need.description, need.urgency) == ("Food bank closed until Monday", "urgent")
    assert "Needs SNAP recertification" in refused.content.decode()
    conflict = {c.name: (c.label, c.started, c.now) for c in refused.context["form"].concurrency_conflict}
    assert conflict == {
        "description": ("Description", "Runs out of groceries", "Food bank closed until Monday"),
        "urgency": ("Urgency", "Routine", "Urgent"),
    }

    # Casey reads what Sam changed, keeps his urgency and saves her description on purpose.
    assert casey.post(edit_url(need), {**caseys, "urgency": "urgent", **opened(refused)}).status_code == 302
    need.refresh_from_db()
    assert need.description == "Needs SNAP recertification" and need.urgency == "urgent"


def test_closing_the_need_meanwhile_does_not_make_the_edit_stale(alice, counselor, case_manager):
    """The status is not on the edit form: a change to it is no reason to refuse the edit."""
    need = NeedFactory(client=alice)
    casey = login(counselor)
    caseys_page = casey.get(edit_url(need))
    services.need_set_status(need=need, status=NeedStatus.MET, acting_user=counselor, note="Food bank")

    response = casey.post(edit_url(need), form_as_sent(caseys_page, description="Groceries for two weeks"))

    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == NeedStatus.MET and need.description == "Groceries for two weeks"


def test_the_needs_api_checks_if_match(alice, counselor, supervisor):
    need = NeedFactory(client=alice, description="Runs out of groceries")
    detail = f"/api/v1/needs/{need.pk}/"
    casey, sam = api_login(counselor), api_login(supervisor)
    etag = etag_of(casey, detail)
    assert sam.patch(detail, {"urgency": "urgent"}, format="json", HTTP_IF_MATCH=etag).status_code == 200

    assert casey.patch(detail, {"description": "x"}, format="json").status_code == 428
    stale = casey.patch(detail, {"description": "Food bank closed"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["changed"] == ["urgency"] and stale.json()["current"] == {"urgency": "urgent"}
    assert Need.objects.get(pk=need.pk).description == "Runs out of groceries"

    fresh = casey.patch(
        detail, {"description": "Food bank closed"}, format="json", HTTP_IF_MATCH=stale["ETag"]
    )
    assert fresh.status_code == 200 and fresh["ETag"] == etag_of(casey, detail)
    assert Need.objects.get(pk=need.pk).description == "Food bank closed"
