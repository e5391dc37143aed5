"""Admin for ICD-10-CM codes and diagnoses: codes searchable and never deleted; diagnoses read only."""

import pytest
from django.urls import reverse

from careteam.models import AuditAction, AuditEvent
from clients.models import Diagnosis, DiagnosisCode
from tests.conftest import login
from tests.factories import DiagnosisFactory

pytestmark = pytest.mark.django_db


def url(model, view, *args):
    return reverse(f"admin:clients_{model._meta.model_name}_{view}", args=args)


def test_codes_are_searched_by_code_or_words_and_filtered(admin_user):
    http = login(admin_user)
    page = http.get(url(DiagnosisCode, "changelist"), {"q": "F11.20"}).content.decode()
    assert "Opioid dependence, uncomplicated" in page
    page = http.get(
        url(DiagnosisCode, "changelist"), {"q": "unsheltered", "billable__exact": "1"}
    ).content.decode()
    assert "Z59.02" in page


def test_a_code_is_never_deleted(admin_user):
    code = DiagnosisCode.objects.get(code="F11.20")
    http = login(admin_user)
    assert http.get(url(DiagnosisCode, "delete", code.pk)).status_code == 403
    assert http.get(url(DiagnosisCode, "change", code.pk)).status_code == 200


def test_diagnoses_are_read_only_and_reading_them_is_audited(alice, admin_user):
    dx = DiagnosisFactory(client=alice)
    http = login(admin_user)
    assert http.get(url(Diagnosis, "changelist")).status_code == 200
    assert http.get(url(Diagnosis, "change", dx.pk)).status_code == 200
    assert http.get(url(Diagnosis, "delete", dx.pk)).status_code == 403
    assert http.get(url(Diagnosis, "add")).status_code == 403
    http.post(url(Diagnosis, "change", dx.pk), {"comment": "changed"})
    assert Diagnosis.objects.get(pk=dx.pk).comment == ""
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="clients.diagnosis", object_id=str(dx.pk), detail__page="admin"
    ).exists()
