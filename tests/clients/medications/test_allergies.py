"""Allergies and the client's allergy review state: "not asked" is not "no known allergies"."""

import pytest
from django.urls import reverse

from careteam.errors import DomainError
from careteam.models import AuditAction, AuditEvent
from clients.allergies import services
from clients.allergies.selectors import active_allergies
from clients.models import Allergy, AllergyReview, AllergyStatus
from tests.concurrency import opened
from tests.conftest import login
from tests.factories import AllergyFactory, assign

pytestmark = pytest.mark.django_db


def tab(client):
    return reverse("clients:medications:tab", args=[client.pk])


def create_url(client):
    return reverse("clients:allergies:create", args=[client.pk])


def none_known_url(client):
    return reverse("clients:allergies:none-known", args=[client.pk])


def status_url(allergy):
    return reverse("clients:allergies:status", args=[allergy.client_id, allergy.pk])


def allergy_data(**changes):
    data = {
        "substance": "Penicillin",
        "category": "medication",
        "kind": "allergy",
        "reaction": "Hives and swelling",
        "severity": "severe",
        "onset_date": "",
    }
    data.update(changes)
    return data


def service_data(**changes):
    return {**allergy_data(onset_date=None), **changes}


def test_a_new_client_shows_allergies_not_asked_yet(alice, counselor):
    assert alice.allergy_review == AllergyReview.NOT_ASKED
    page = login(counselor).get(tab(alice)).content.decode()
    assert "Allergies: not asked yet." in page
    assert none_known_url(alice) in page


def test_no_known_allergies_is_an_answer_with_a_date_and_a_person(alice, counselor):
    http = login(counselor)
    response = http.post(none_known_url(alice))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.allergy_review == AllergyReview.NO_KNOWN_ALLERGIES
    assert alice.allergy_reviewed_by == counselor and alice.allergy_reviewed_at is not None
    page = http.get(tab(alice)).content.decode()
    assert "No known allergies</strong>" in page and "Casey Morgan" in page
    assert "not asked yet" not in page
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, client=alice, detail__allergy_review="no_known"
    ).exists()


def test_recording_an_allergy_sets_recorded_and_no_known_allergies_is_then_refused(alice, counselor):
    http = login(counselor)
    http.post(none_known_url(alice))
    response = http.post(create_url(alice), allergy_data())
    assert response.status_code == 302
    allergy = Allergy.objects.get()
    assert allergy.recorded_by == counselor and allergy.severity == "severe"
    alice.refresh_from_db()
    assert alice.allergy_review == AllergyReview.RECORDED
    page = http.get(tab(alice)).content.decode()
    assert "Penicillin" in page and "Hives and swelling" in page
    assert none_known_url(alice) not in page  # the button is not offered

    refused = http.post(none_known_url(alice), follow=True)
    assert "An active allergy is on the chart" in refused.content.decode()
    alice.refresh_from_db()
    assert alice.allergy_review == AllergyReview.RECORDED
    with pytest.raises(DomainError):
        services.allergy_record_none_known(client=alice, acting_user=counselor)


def test_the_last_active_allergy_no_longer_applying_keeps_recorded(alice, counselor):
    """Decision: the question was asked and answered; nobody said "no known allergies" for the client."""
    allergy = services.allergy_create(client=alice, acting_user=counselor, data=service_data(severity="mild"))
    http = login(counselor)
    assert http.get(status_url(allergy)).status_code == 200
    assert http.post(status_url(allergy), {"status": "inactive", "reason": "Outgrown"}).status_code == 302
    allergy.refresh_from_db()
    alice.refresh_from_db()
    assert allergy.status == AllergyStatus.INACTIVE and allergy.status_reason == "Outgrown"
    assert alice.allergy_review == AllergyReview.RECORDED
    page = http.get(tab(alice)).content.decode()
    assert "No active allergies (reviewed" in page
    assert not active_allergies(alice).exists()
    # Now "no known allergies" may be said, and the allergy may apply again.
    assert http.post(none_known_url(alice)).status_code == 302
    alice.refresh_from_db()
    assert alice.allergy_review == AllergyReview.NO_KNOWN_ALLERGIES
    assert http.post(status_url(allergy), {"status": "active"}).status_code == 302
    alice.refresh_from_db()
    assert alice.allergy_review == AllergyReview.RECORDED


def test_the_only_allergy_entered_in_error_puts_the_state_back_to_not_asked(alice, counselor):
    allergy = services.allergy_create(client=alice, acting_user=counselor, data=service_data())
    http = login(counselor)
    refused = http.post(status_url(allergy), {"status": "entered_in_error", "reason": ""})
    assert refused.status_code == 400 and "Say what was wrong" in refused.content.decode()
    allergy.refresh_from_db()
    assert allergy.status == AllergyStatus.ACTIVE
    assert (
        http.post(status_url(allergy), {"status": "entered_in_error", "reason": "Wrong chart"}).status_code
        == 302
    )
    alice.refresh_from_db()
    assert alice.allergy_review == AllergyReview.NOT_ASKED
    page = http.get(tab(alice)).content.decode()
    assert "not asked yet" in page and "<del>Penicillin</del>" in page


def test_an_allergy_entered_in_error_beside_others_keeps_recorded(alice, counselor):
    wrong = services.allergy_create(client=alice, acting_user=counselor, data=service_data())
    services.allergy_create(client=alice, acting_user=counselor, data=service_data(substance="Latex"))
    services.allergy_set_status(allergy=wrong, status="entered_in_error", acting_user=counselor, reason="dup")
    alice.refresh_from_db()
    assert alice.allergy_review == AllergyReview.RECORDED
    assert list(active_allergies(alice).values_list("substance", flat=True)) == ["Latex"]


def test_an_illegal_status_move_is_refused(alice, counselor):
    allergy = AllergyFactory(client=alice, status=AllergyStatus.ENTERED_IN_ERROR)
    response = login(counselor).post(status_url(allergy), {"status": "active"})
    assert response.status_code == 400
    allergy.refresh_from_db()
    assert allergy.status == AllergyStatus.ENTERED_IN_ERROR


@pytest.mark.parametrize(
    "changes,text",
    [
        ({"substance": ""}, "This field is required"),
        ({"severity": "deadly"}, "Select a valid choice"),
        ({"kind": "phobia"}, "Select a valid choice"),
        ({"onset_date": "2999-01-01"}, "future"),
    ],
)
def test_bad_allergy_input_gives_field_errors_and_saves_nothing(alice, counselor, changes, text):
    response = login(counselor).post(create_url(alice), allergy_data(**changes))
    assert response.status_code == 400 and text in response.content.decode()
    assert not Allergy.objects.exists()
    alice.refresh_from_db()
    assert alice.allergy_review == AllergyReview.NOT_ASKED


def test_editing_an_allergy_carries_its_version(alice, counselor, supervisor):
    allergy = AllergyFactory(client=alice, reaction="Rash")
    http = login(counselor)
    url = reverse("clients:allergies:update", args=[alice.pk, allergy.pk])
    page = http.get(url)
    services.allergy_update(allergy=allergy, acting_user=supervisor, data={"reaction": "Anaphylaxis"})
    data = allergy_data(substance=allergy.substance, reaction="Itching", **opened(page))
    stale = http.post(url, data)
    assert stale.status_code == 400 and "Someone else changed this record" in stale.content.decode()
    allergy.refresh_from_db()
    assert allergy.reaction == "Anaphylaxis"


def test_a_crisis_worker_records_an_allergy_they_learn_of(alice, crisis_worker):
    assign(alice, crisis_worker, "crisis")
    response = login(crisis_worker).post(create_url(alice), allergy_data(substance="Haloperidol"))
    assert response.status_code == 302
    assert Allergy.objects.get().recorded_by == crisis_worker


def test_a_peer_cannot_see_or_record_allergies(alice, peer):
    AllergyFactory(client=alice, substance="Sulfa")
    http = login(peer)
    assert http.get(create_url(alice)).status_code == 404
    assert http.post(none_known_url(alice)).status_code == 404
    assert http.post(create_url(alice), allergy_data()).status_code == 404
    alice.refresh_from_db()
    assert alice.allergy_review == AllergyReview.NOT_ASKED and Allergy.objects.count() == 1


def test_a_case_manager_sees_allergies_but_records_none(alice, case_manager):
    assign(alice, case_manager, "case_manager")
    AllergyFactory(client=alice, substance="Sulfa")
    http = login(case_manager)
    page = http.get(tab(alice)).content.decode()
    assert "Sulfa" in page and create_url(alice) not in page
    assert http.post(none_known_url(alice)).status_code == 403
