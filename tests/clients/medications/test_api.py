"""The medications, prescriber-recommendations and allergies API: scoped, filtered, versioned."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent
from clients.models import Allergy, AllergyReview, Medication, MedicationStatus, PrescriberRecommendation
from tests.concurrency import etag_of
from tests.conftest import api_login
from tests.factories import AllergyFactory, MedicationFactory, PrescriberRecommendationFactory, assign

pytestmark = pytest.mark.django_db


def rows(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def outside_bup(client, **changes):
    return {
        "client": client.pk,
        "name": "Buprenorphine/naloxone 8 mg/2 mg film",
        "rxnorm_code": "1010600",
        "dose": "16 mg",
        "route": "sublingual",
        "frequency": "once a day",
        "moud_type": "buprenorphine_naloxone",
        "prescriber_name": "Dr. Ana Lopez",
        "prescriber_organization": "Eastside Recovery Clinic",
        "prescriber_phone": "+12025550199",
        **changes,
    }


def test_a_counselor_records_lists_and_filters_medications(alice, jamie, counselor):
    api = api_login(counselor)
    made = api.post("/api/v1/medications/", outside_bup(alice), format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["is_moud"] is True and made.json()["prescriber_display"].startswith("Dr. Ana Lopez")
    MedicationFactory(client=alice, name="Atorvastatin")
    MedicationFactory(client=alice, name="Old one", status=MedicationStatus.STOPPED)
    MedicationFactory(client=jamie, moud=True)  # not visible
    assert len(rows(api.get("/api/v1/medications/"))) == 3
    assert [r["name"] for r in rows(api.get("/api/v1/medications/", {"moud": "true"}))] == [
        "Buprenorphine/naloxone 8 mg/2 mg film"
    ]
    assert {r["name"] for r in rows(api.get("/api/v1/medications/", {"moud": "false"}))} == {
        "Atorvastatin",
        "Old one",
    }
    assert [r["name"] for r in rows(api.get("/api/v1/medications/", {"status": "stopped"}))] == ["Old one"]
    assert rows(api.get("/api/v1/medications/", {"client": jamie.pk})) == []
    assert api.get("/api/v1/medications/", {"client": "x"}).status_code == 400
    assert AuditEvent.objects.filter(
        action=AuditAction.LIST, client=alice, detail__page="api-medications"
    ).exists()


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"name": ""}, "name"),
        ({"rxnorm_code": "RX1"}, "rxnorm_code"),
        ({"moud_type": "heroin"}, "moud_type"),
        ({"prescriber": "SELF"}, "prescriber_name"),
        ({"start_date": "2999-01-01"}, "start_date"),
    ],
)
def test_bad_medication_input_is_a_400_with_field_messages(alice, counselor, changes, field):
    if changes.get("prescriber") == "SELF":
        changes = {"prescriber": counselor.pk}
    answer = api_login(counselor).post("/api/v1/medications/", outside_bup(alice, **changes), format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.json()
    assert not Medication.objects.exists()


def test_a_prescriber_from_another_organisation_is_refused(alice, counselor, outsider):
    answer = api_login(counselor).post(
        "/api/v1/medications/",
        outside_bup(
            alice, prescriber=outsider.pk, prescriber_name="", prescriber_organization="", prescriber_phone=""
        ),
        format="json",
    )
    assert answer.status_code == 400 and "prescriber" in answer.json()
    assert not Medication.objects.exists()


def test_updates_need_the_etag_and_a_stale_one_is_refused(alice, counselor):
    medication = MedicationFactory(client=alice, dose="8 mg")
    api = api_login(counselor)
    url = f"/api/v1/medications/{medication.pk}/"
    assert api.patch(url, {"dose": "12 mg"}, format="json").status_code == 428
    etag = etag_of(api, url)
    assert api.patch(url, {"dose": "12 mg"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    stale = api.patch(url, {"dose": "16 mg"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["changed"] == ["dose"]
    medication.refresh_from_db()
    assert medication.dose == "12 mg"
    both = api.patch(url, {"prescriber": counselor.pk}, format="json", HTTP_IF_MATCH=etag_of(api, url))
    assert both.status_code == 400 and "prescriber_name" in both.json()


def test_stop_and_entered_in_error_through_the_api(alice, counselor):
    medication = MedicationFactory(
        client=alice, moud=True, start_date=timezone.localdate() - dt.timedelta(days=9)
    )
    api = api_login(counselor)
    url = f"/api/v1/medications/{medication.pk}/"
    no_reason = api.post(url + "stop/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    medication.refresh_from_db()
    assert medication.status == MedicationStatus.ACTIVE
    stopped = api.post(url + "stop/", {"reason": "Completed taper"}, format="json")
    assert stopped.status_code == 200 and stopped.json()["stop_date"] == timezone.localdate().isoformat()
    assert api.post(url + "stop/", {"reason": "again"}, format="json").status_code == 400
    error = api.post(url + "entered-in-error/", {"reason": "Duplicate"}, format="json")
    assert error.status_code == 200 and error.json()["status"] == "entered_in_error"


def test_recommendations_through_the_api(alice, jamie, counselor):
    medication = MedicationFactory(client=alice, prescriber_name="Dr. Lee", prescriber_organization="")
    theirs = MedicationFactory(client=jamie)
    api = api_login(counselor)
    made = api.post(
        "/api/v1/prescriber-recommendations/",
        {"client": alice.pk, "medication": medication.pk, "text": "Recheck liver tests in 3 months."},
        format="json",
    )
    assert made.status_code == 201, made.json()
    assert (
        made.json()["prescriber_name"] == "Dr. Lee"
        and made.json()["recommended_on"] == timezone.localdate().isoformat()
    )
    other = api.post(
        "/api/v1/prescriber-recommendations/",
        {"client": alice.pk, "medication": theirs.pk, "prescriber_name": "X", "text": "y"},
        format="json",
    )
    assert other.status_code == 400 and "medication" in other.json()
    blank = api.post("/api/v1/prescriber-recommendations/", {"client": alice.pk, "text": "y"}, format="json")
    assert blank.status_code == 400 and "prescriber_name" in blank.json()
    rec_id = made.json()["id"]
    assert (
        api.post(
            f"/api/v1/prescriber-recommendations/{rec_id}/entered-in-error/", {}, format="json"
        ).status_code
        == 400
    )
    done = api.post(
        f"/api/v1/prescriber-recommendations/{rec_id}/entered-in-error/", {"reason": "Wrong"}, format="json"
    )
    assert done.status_code == 200 and done.json()["entered_in_error"] is True
    assert rows(api.get("/api/v1/prescriber-recommendations/", {"status": "current"})) == []
    assert len(rows(api.get("/api/v1/prescriber-recommendations/", {"client": alice.pk}))) == 1
    assert PrescriberRecommendation.objects.count() == 1
    assert api.delete(f"/api/v1/prescriber-recommendations/{rec_id}/").status_code in (403, 405)
    assert PrescriberRecommendation.objects.count() == 1


def test_allergies_through_the_api(alice, counselor):
    api = api_login(counselor)
    nka = api.post("/api/v1/allergies/no-known-allergies/", {"client": alice.pk}, format="json")
    assert nka.status_code == 200 and nka.json()["allergy_review"] == "no_known"
    made = api.post(
        "/api/v1/allergies/",
        {
            "client": alice.pk,
            "substance": "Peanuts",
            "category": "food",
            "reaction": "Anaphylaxis",
            "severity": "severe",
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    alice.refresh_from_db()
    assert alice.allergy_review == AllergyReview.RECORDED
    refused = api.post("/api/v1/allergies/no-known-allergies/", {"client": alice.pk}, format="json")
    assert refused.status_code == 400 and "active allergy" in str(refused.json())
    assert (
        api.post("/api/v1/allergies/", {"client": alice.pk, "substance": " "}, format="json").status_code
        == 400
    )
    assert len(rows(api.get("/api/v1/allergies/", {"client": alice.pk, "status": "active"}))) == 1
    url = f"/api/v1/allergies/{made.json()['id']}/"
    assert (
        api.patch(url, {"reaction": "Hives"}, format="json", HTTP_IF_MATCH=etag_of(api, url)).status_code
        == 200
    )
    moved = api.post(url + "set-status/", {"status": "inactive"}, format="json")
    assert moved.status_code == 200 and moved.json()["status"] == "inactive"
    bad = api.post(url + "set-status/", {"status": "entered_in_error"}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()
    assert Allergy.objects.count() == 1


def test_peers_get_nothing_from_any_of_the_three(alice, peer):
    MedicationFactory(client=alice)
    PrescriberRecommendationFactory(client=alice)
    allergy = AllergyFactory(client=alice)
    api = api_login(peer)
    for path in ("medications", "prescriber-recommendations", "allergies"):
        answer = api.get(f"/api/v1/{path}/", {"client": alice.pk})
        assert answer.status_code == 403 and "results" not in answer.json(), path
    assert (
        api.post("/api/v1/allergies/no-known-allergies/", {"client": alice.pk}, format="json").status_code
        == 403
    )
    assert (
        api.post(
            f"/api/v1/allergies/{allergy.pk}/set-status/", {"status": "inactive"}, format="json"
        ).status_code
        == 403
    )
    assert api.post("/api/v1/medications/", outside_bup(alice), format="json").status_code == 403
    assert not Medication.objects.filter(name__startswith="Buprenorphine").exists()


def test_a_reader_cannot_write(alice, case_manager):
    assign(alice, case_manager, "case_manager")
    medication = MedicationFactory(client=alice)
    api = api_login(case_manager)
    assert len(rows(api.get("/api/v1/medications/", {"client": alice.pk}))) == 1
    assert api.post("/api/v1/medications/", outside_bup(alice), format="json").status_code in (400, 403)
    assert (
        api.post(f"/api/v1/medications/{medication.pk}/stop/", {"reason": "x"}, format="json").status_code
        == 403
    )
    assert Medication.objects.count() == 1


def _count(api, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_api_lists_cost_the_same_queries_for_2_or_50_rows(alice, counselor):
    api = api_login(counselor)

    def add(n):
        for _ in range(n):
            m = MedicationFactory(
                client=alice, prescriber=counselor, prescriber_name="", prescriber_organization=""
            )
            PrescriberRecommendationFactory(client=alice, medication=m)
            AllergyFactory(client=alice)

    urls = ["/api/v1/medications/?page_size=100", "/api/v1/prescriber-recommendations/", "/api/v1/allergies/"]
    add(2)
    [_count(api, url) for url in urls]  # warm: the role's permissions are cached after the first request
    few = [_count(api, url) for url in urls]
    add(48)
    assert [_count(api, url) for url in urls] == few
