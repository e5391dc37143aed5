"""The diagnoses API and the ICD-10-CM code search API."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careteam.models import AuditAction, AuditEvent
from clients.models import Diagnosis, DiagnosisStatus, DiagnosisType
from tests.concurrency import etag_of
from tests.conftest import api_login
from tests.factories import ClientFactory, DiagnosisFactory, assign

pytestmark = pytest.mark.django_db

LIST = "/api/v1/diagnoses/"
CODES = "/api/v1/diagnosis-codes/"


def detail(dx):
    return f"{LIST}{dx.pk}/"


def test_a_counselor_records_a_diagnosis_through_the_api(alice, counselor):
    api = api_login(counselor)
    response = api.post(
        LIST, {"client": alice.pk, "code": "F11.20", "diagnosis_type": "primary"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["code"] == "F11.20" and body["description"] == "Opioid dependence, uncomplicated"
    assert body["status"] == "active" and body["recorded_by"] == counselor.pk
    # A code without the dot is understood.
    second = api.post(LIST, {"client": alice.pk, "code": "Z5901"}, format="json")
    assert second.status_code == 201 and second.json()["code"] == "Z59.01"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "X99.99"}, "code"),
        ({"code": "F11"}, "code"),  # a heading
        ({"code": "F11.20", "diagnosis_type": "bogus"}, "diagnosis_type"),
        ({"code": "F11.20", "onset_date": "2999-01-01"}, "onset_date"),
        ({}, "code"),
    ],
)
def test_bad_input_answers_400_with_field_messages_and_saves_nothing(alice, counselor, data, field):
    response = api_login(counselor).post(LIST, {"client": alice.pk, **data}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Diagnosis.objects.exists()


def test_a_second_active_primary_answers_400_not_a_server_error(alice, counselor):
    DiagnosisFactory(client=alice, diagnosis_type=DiagnosisType.PRIMARY)
    response = api_login(counselor).post(
        LIST, {"client": alice.pk, "code": "F10.20", "diagnosis_type": "primary"}, format="json"
    )
    assert response.status_code == 400
    assert "already has an active primary diagnosis" in str(response.json())
    assert Diagnosis.objects.count() == 1


def test_list_filters_and_retrieve_is_audited(alice, counselor):
    dx = DiagnosisFactory(client=alice)
    DiagnosisFactory(client=alice, code__code="Z59.01", status=DiagnosisStatus.RESOLVED)
    api = api_login(counselor)
    assert [r["id"] for r in api.get(LIST, {"client": alice.pk, "status": "active"}).json()["results"]] == [
        dx.pk
    ]
    assert [r["code"] for r in api.get(LIST, {"code": "Z5901"}).json()["results"]] == ["Z59.01"]
    assert api.get(LIST, {"status": "bogus"}).status_code == 400
    assert api.get(detail(dx)).status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type="clients.diagnosis", object_id=str(dx.pk)
    ).exists()


def test_update_needs_if_match_and_refuses_a_stale_one(alice, counselor, supervisor):
    dx = DiagnosisFactory(client=alice)
    casey, sam = api_login(counselor), api_login(supervisor)
    etag = etag_of(casey, detail(dx))
    assert (
        sam.patch(detail(dx), {"comment": "Confirmed"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    )
    assert casey.patch(detail(dx), {"code": "F11.21"}, format="json").status_code == 428
    stale = casey.patch(detail(dx), {"code": "F11.21"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["changed"] == ["comment"]
    fresh = casey.patch(detail(dx), {"code": "F11.21"}, format="json", HTTP_IF_MATCH=stale["ETag"])
    assert fresh.status_code == 200 and fresh.json()["code"] == "F11.21"
    # The client of a diagnosis does not move.
    other = ClientFactory(primary_team=alice.primary_team)
    etag = etag_of(casey, detail(dx))
    casey.patch(detail(dx), {"client": other.pk}, format="json", HTTP_IF_MATCH=etag)
    assert Diagnosis.objects.get(pk=dx.pk).client_id == alice.pk


def test_set_status_resolves_and_entered_in_error_needs_a_reason(alice, counselor):
    dx = DiagnosisFactory(client=alice)
    api = api_login(counselor)
    url = f"{detail(dx)}set-status/"
    resolved = api.post(url, {"status": "resolved", "resolved_date": "2025-01-02"}, format="json")
    assert resolved.status_code == 200 and resolved.json()["resolved_date"] == "2025-01-02"
    refused = api.post(url, {"status": "entered_in_error"}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()
    done = api.post(url, {"status": "entered_in_error", "reason": "Duplicate"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "entered_in_error"
    assert api.post(url, {"status": "active"}, format="json").status_code == 400
    assert api.delete(detail(dx)).status_code in (403, 405)
    assert Diagnosis.objects.filter(pk=dx.pk).exists()


def test_a_peer_on_the_same_client_gets_nothing(alice, peer):
    dx = DiagnosisFactory(client=alice)
    api = api_login(peer)
    assert api.get(LIST).status_code == 403
    assert api.get(detail(dx)).status_code == 403
    assert api.post(LIST, {"client": alice.pk, "code": "F11.20"}, format="json").status_code == 403
    assert api.get(CODES, {"q": "F11"}).status_code == 403


def test_an_outsider_gets_404_and_an_empty_list(alice, outsider):
    dx = DiagnosisFactory(client=alice)
    api = api_login(outsider)
    assert api.get(LIST).json()["results"] == []
    assert api.get(detail(dx)).status_code == 404
    assert api.post(f"{detail(dx)}set-status/", {"status": "resolved"}, format="json").status_code == 404
    created = api.post(LIST, {"client": alice.pk, "code": "F11.20"}, format="json")
    assert created.status_code == 400 and "client" in created.json()


def test_a_case_manager_reads_but_cannot_write(alice, case_manager):
    assign(alice, case_manager, "case_manager")
    dx = DiagnosisFactory(client=alice)
    api = api_login(case_manager)
    assert api.get(detail(dx)).status_code == 200
    assert api.post(LIST, {"client": alice.pk, "code": "F10.20"}, format="json").status_code == 403
    assert api.post(f"{detail(dx)}set-status/", {"status": "resolved"}, format="json").status_code == 403


@pytest.mark.parametrize("q", ["F11.2", "F112", "opioid dependence"])
def test_the_code_search_api(counselor, q):
    response = api_login(counselor).get(CODES, {"q": q})
    assert response.status_code == 200
    codes = [r["code"] for r in response.json()["results"]]
    assert "F11.20" in codes


def test_a_code_is_read_by_its_code(counselor):
    body = api_login(counselor).get(f"{CODES}T40.411A/").json()
    assert body["description"].startswith("Poisoning by fentanyl or fentanyl analogs, accidental")
    assert body["billable"] is True


def _queries(user) -> int:
    api = api_login(user)
    api.get(LIST)  # warm the per-process caches (content types, permissions) first
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(LIST)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_list_issues_the_same_number_of_queries_for_2_and_50_rows(alice, counselor):
    for _ in range(2):
        DiagnosisFactory(client=alice, recorded_by=counselor)
    few = _queries(counselor)
    for _ in range(24):
        client = ClientFactory(primary_team=alice.primary_team)
        assign(client, counselor, "primary_counselor")
        DiagnosisFactory(client=client, recorded_by=counselor)
        DiagnosisFactory(client=client, recorded_by=counselor, code__code="Z59.01")
    assert _queries(counselor) == few
