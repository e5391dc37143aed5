"""Admin for medications, recommendations and allergies: pages open, writes go through the services
(so the allergy review state follows), and nothing is deleted."""

import pytest
from django.urls import reverse

from clients.models import Allergy, AllergyReview, Medication, PrescriberRecommendation
from tests.conftest import login
from tests.factories import AllergyFactory, MedicationFactory, PrescriberRecommendationFactory

pytestmark = pytest.mark.django_db


def test_admin_pages_open_and_offer_no_delete(alice, admin_user):
    rows = {
        Medication: MedicationFactory(client=alice),
        PrescriberRecommendation: PrescriberRecommendationFactory(client=alice),
        Allergy: AllergyFactory(client=alice),
    }
    http = login(admin_user)
    for model, obj in rows.items():
        name = f"admin:clients_{model._meta.model_name}"
        assert http.get(reverse(f"{name}_changelist")).status_code == 200
        assert http.get(reverse(f"{name}_change", args=[obj.pk])).status_code == 200
        assert http.get(reverse(f"{name}_add")).status_code == 200
        assert http.post(reverse(f"{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
        assert model.objects.filter(pk=obj.pk).exists()


def test_an_allergy_added_in_admin_sets_the_review_state(alice, admin_user):
    response = login(admin_user).post(
        reverse("admin:clients_allergy_add"),
        {
            "client": alice.pk,
            "substance": "Codeine",
            "category": "medication",
            "kind": "intolerance",
            "reaction": "Nausea",
            "severity": "mild",
            "onset_date": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    alice.refresh_from_db()
    assert alice.allergy_review == AllergyReview.RECORDED and Allergy.objects.get().recorded_by == admin_user


def test_both_prescribers_in_admin_is_a_field_error(alice, admin_user):
    response = login(admin_user).post(
        reverse("admin:clients_medication_add"),
        {
            "client": alice.pk,
            "name": "Naltrexone 50 mg",
            "prescriber": admin_user.pk,
            "prescriber_name": "Dr. Out",
            "route": "",
            "moud_type": "naltrexone_oral",
        },
    )
    assert response.status_code == 200 and "not both" in response.content.decode()
    assert not Medication.objects.exists()
