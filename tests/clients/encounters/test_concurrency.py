"""No lost updates on draft notes (the author in two tabs) and appointments (the API)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clients.encounters import services
from clients.models import Appointment, EncounterNote
from tests.concurrency import etag_of, form_as_sent, opened
from tests.conftest import api_login, login

from .conftest import dap

pytestmark = pytest.mark.django_db


def test_a_draft_note_saved_in_another_tab_is_not_overwritten(alice, counselor):
    note = services.note_create(client=alice, acting_user=counselor, data=dap())
    url = reverse("clients:encounters:note-update", args=[alice.pk, note.pk])
    first_tab, second_tab = login(counselor), login(counselor)
    first = first_tab.get(url)
    assert second_tab.post(url, form_as_sent(second_tab.get(url), plan="Meet Friday.")).status_code == 302

    refused = first_tab.post(url, form_as_sent(first, assessment="Ambivalent about meetings."))

    assert refused.status_code == 400
    note.refresh_from_db()
    assert note.plan == "Meet Friday." and note.assessment == dap()["assessment"]
    assert "Ambivalent about meetings." in refused.content.decode()
    [change] = refused.context["form"].concurrency_conflict
    assert (change.name, change.now) == ("plan", "Meet Friday.")
    again = first_tab.post(
        url,
        {
            **form_as_sent(first, assessment="Ambivalent about meetings."),
            "plan": "Meet Friday.",
            **opened(refused),
        },
    )
    assert again.status_code == 302
    assert EncounterNote.objects.get(pk=note.pk).assessment == "Ambivalent about meetings."


def test_the_appointment_api_checks_if_match(scheduled, counselor, supervisor):
    detail = f"/api/v1/appointments/{scheduled.pk}/"
    casey, sam = api_login(counselor), api_login(supervisor)
    etag = etag_of(casey, detail)
    assert sam.patch(detail, {"location": "Room 7"}, format="json", HTTP_IF_MATCH=etag).status_code == 200

    assert casey.patch(detail, {"notes": "Bring ID"}, format="json").status_code == 428
    stale = casey.patch(detail, {"notes": "Bring ID"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["current"] == {"location": "Room 7"}
    assert Appointment.objects.get(pk=scheduled.pk).notes != "Bring ID"
    fresh = casey.patch(detail, {"notes": "Bring ID"}, format="json", HTTP_IF_MATCH=stale["ETag"])
    assert fresh.status_code == 200 and fresh["ETag"] == etag_of(casey, detail)
