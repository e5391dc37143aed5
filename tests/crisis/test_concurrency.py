"""No lost updates on the safety plan. Each save is a new version; a save made from a version that is
no longer the latest (someone saved another meanwhile) is refused the same way an edit is."""

from __future__ import annotations

import pytest
from django.urls import reverse

from crisis import services
from crisis.models import SafetyPlanVersion
from tests.concurrency import form_as_sent, opened
from tests.conftest import login

pytestmark = pytest.mark.django_db

V1 = {"warning_signs": ["Pacing", "Not sleeping"], "help_contacts": [{"name": "Sam", "phone": "555-0100"}]}


def edit_url(client):
    return reverse("crisis:safety-plan-edit", args=[client.pk])


def test_saving_from_a_version_that_is_no_longer_the_latest_is_refused(alice, counselor, supervisor):
    services.safety_plan_save(client=alice, acting_user=counselor, data=V1, reason="new_crisis")
    casey, sam = login(counselor), login(supervisor)
    caseys_page = casey.get(edit_url(alice))

    sams = form_as_sent(sam.get(edit_url(alice)), reason="review", coping_strategies="Walk the dog")
    assert sam.post(edit_url(alice), sams).status_code == 302  # version 2

    caseys = form_as_sent(caseys_page, reason="review", reasons_for_living="My daughter")
    refused = casey.post(edit_url(alice), caseys)

    assert refused.status_code == 400
    assert list(SafetyPlanVersion.objects.filter(client=alice).values_list("version", flat=True)) == [2, 1]
    assert "My daughter" in refused.content.decode()  # Casey's entry is kept
    conflict = {c.name: (c.label, c.started, c.now) for c in refused.context["form"].concurrency_conflict}
    lifeline = "988 Suicide & Crisis Lifeline (call or text), 988"  # the form offers it on every save
    assert conflict == {
        "version": ("Version", "1", "2"),
        "coping_strategies": ("Things I can do on my own", "(empty)", "Walk the dog"),
        "professionals": ("Professionals and services I can call", "(empty)", lifeline),
    }

    # Having read Sam's version, Casey adds his line and saves on purpose: version 3 keeps both.
    again = {**caseys, "coping_strategies": "Walk the dog", **opened(refused)}
    assert casey.post(edit_url(alice), again).status_code == 302
    latest = SafetyPlanVersion.objects.filter(client=alice).latest("version")
    assert latest.version == 3
    assert latest.coping_strategies == ["Walk the dog"] and latest.reasons_for_living == ["My daughter"]


def test_a_first_plan_saved_by_someone_else_meanwhile_is_not_overwritten(alice, counselor, supervisor):
    casey, sam = login(counselor), login(supervisor)
    caseys_page = casey.get(edit_url(alice))  # no plan yet
    assert (
        sam.post(edit_url(alice), form_as_sent(sam.get(edit_url(alice)), warning_signs="Pacing")).status_code
        == 302
    )

    refused = casey.post(edit_url(alice), form_as_sent(caseys_page, warning_signs="Stops eating"))

    assert refused.status_code == 400
    assert SafetyPlanVersion.objects.filter(client=alice).count() == 1
    conflict = {c.name: c.now for c in refused.context["form"].concurrency_conflict}
    assert conflict == {
        "version": "1",
        "warning_signs": "Pacing",
        "professionals": "988 Suicide & Crisis Lifeline (call or text), 988",
    }


def test_saving_from_the_latest_version_is_not_refused(alice, counselor):
    services.safety_plan_save(client=alice, acting_user=counselor, data=V1, reason="new_crisis")
    casey = login(counselor)
    page = casey.get(edit_url(alice))
    assert (
        casey.post(edit_url(alice), form_as_sent(page, reason="review", distractions="Library")).status_code
        == 302
    )
    assert SafetyPlanVersion.objects.filter(client=alice).latest("version").distractions == ["Library"]
