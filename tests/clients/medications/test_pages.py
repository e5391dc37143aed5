"""The "Medications & allergies" tab and the pages to record, edit, stop and correct medications and
the prescriber's recommendations: the issue's journey, who may use them, bad input, query counts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent
from clients.medications import services
from clients.models import Medication, MedicationStatus, MoudType, PrescriberRecommendation
from tests.concurrency import opened
from tests.conftest import api_login, login
from tests.factories import (
    AllergyFactory,
    MedicationFactory,
    PrescriberRecommendationFactory,
    TeamFactory,
    UserFactory,
    assign,
)

pytestmark = pytest.mark.django_db


def tab(client):
    return reverse("clients:medications:tab", args=[client.pk])


def create_url(client):
    return reverse("clients:medications:create", args=[client.pk])


def med_url(name, medication):
    return reverse(f"clients:medications:{name}", args=[medication.client_id, medication.pk])


def medication_data(**changes):
    data = {
        "name": "Buprenorphine/naloxone 8 mg/2 mg film",
        "rxnorm_code": "1010600",
        "dose": "16 mg",
        "route": "sublingual",
        "frequency": "once a day",
        "moud_type": MoudType.BUPRENORPHINE_NALOXONE,
        "prescriber": "",
        "prescriber_name": "Dr. Ana Lopez",
        "prescriber_organization": "Eastside Recovery Clinic",
        "prescriber_phone": "+12025550199",
        "start_date": (timezone.localdate() - dt.timedelta(days=14)).isoformat(),
        "comment": "",
    }
    data.update(changes)
    return data


def days_ago(n):
    return timezone.localdate() - dt.timedelta(days=n)


# --- the journey -----------------------------------------------------------------------------


def test_a_counselor_records_buprenorphine_from_an_outside_prescriber_and_the_peer_sees_none_of_it(
    alice, counselor, peer
):
    """GIVEN Alice with her counselor and a peer specialist on her care team
    WHEN the counselor records buprenorphine/naloxone prescribed at an outside clinic
    THEN the tab shows it highlighted as MOUD with the prescriber, and the peer gets neither the tab
    nor any row from the API."""
    http = login(counselor)
    assert http.get(create_url(alice)).status_code == 200
    response = http.post(create_url(alice), medication_data())
    assert response.status_code == 302 and response.url == tab(alice)
    medication = Medication.objects.get(client=alice)
    assert medication.moud_type == MoudType.BUPRENORPHINE_NALOXONE and medication.is_moud
    assert medication.prescriber is None and medication.prescriber_name == "Dr. Ana Lopez"
    assert medication.recorded_by == counselor and medication.status == MedicationStatus.ACTIVE
    assert AuditEvent.objects.filter(
        user=counselor, action=AuditAction.CREATE, client=alice, object_id=str(medication.pk)
    ).exists()

    page = http.get(tab(alice)).content.decode()
    assert "Buprenorphine/naloxone 8 mg/2 mg film" in page
    assert "medication-moud" in page and ">MOUD</span>" in page
    assert "Dr. Ana Lopez, Eastside Recovery Clinic" in page
    assert AuditEvent.objects.filter(
        user=counselor, action=AuditAction.VIEW, client=alice, detail__tab="medications"
    ).exists()

    peer_http = login(peer)
    assert peer_http.get(tab(alice)).status_code == 404
    assert peer_http.get(create_url(alice)).status_code == 404
    overview = peer_http.get(reverse("clients:detail", args=[alice.pk])).content.decode()
    assert tab(alice) not in overview and "Buprenorphine" not in overview
    api = api_login(peer)
    answer = api.get("/api/v1/medications/", {"client": alice.pk})
    assert answer.status_code == 403 and "results" not in answer.json()
    assert api.get(f"/api/v1/medications/{medication.pk}/").status_code == 403


def test_the_tab_is_on_the_chart_for_the_clinical_team(alice, counselor):
    page = login(counselor).get(reverse("clients:detail", args=[alice.pk])).content.decode()
    assert tab(alice) in page and "Medications &amp; allergies" in page


def test_current_medications_list_moud_first(alice, counselor):
    MedicationFactory(client=alice, name="Atorvastatin 20 mg")
    MedicationFactory(client=alice, moud=True)
    MedicationFactory(
        client=alice, name="Sertraline 50 mg", status=MedicationStatus.STOPPED, stop_date=days_ago(1)
    )
    page = login(counselor).get(tab(alice)).content.decode()
    current = page.split('id="h-current-medications"')[1].split('id="h-recommendations"')[0]
    assert current.index("Buprenorphine") < current.index("Atorvastatin")
    assert "Sertraline" not in current
    assert "Sertraline" in page.split('id="h-past-medications"')[1]


# --- the prescriber: here or outside, never both -------------------------------------------------------


def test_the_prescriber_here_is_picked_from_the_clients_organisation_only(alice, counselor, outsider):
    colleague = UserFactory(username="drkim", first_name="Jun", last_name="Kim", role="counselor")
    TeamFactory(name="Harbor Prescribers").members.add(colleague)  # no organisation: not offered
    page = login(counselor).get(create_url(alice)).content.decode()
    assert "Casey Morgan" in page  # the counselor's own team
    assert outsider.get_full_name() not in page and "Jun Kim" not in page
    refused = login(counselor).post(
        create_url(alice), medication_data(prescriber=outsider.pk, prescriber_name="")
    )
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    assert not Medication.objects.exists()


def test_a_team_of_the_same_organisation_is_offered(alice, counselor, team):
    from careteam.models import Organization

    org = Organization.objects.create(name="Harbor Health")
    team.organization = org
    team.save()
    sister = TeamFactory(name="Harbor Psychiatry", organization=org)
    psychiatrist = UserFactory(username="drkim", first_name="Jun", last_name="Kim", role="counselor")
    sister.members.add(psychiatrist)
    http = login(counselor)
    assert "Jun Kim" in http.get(create_url(alice)).content.decode()
    data = medication_data(
        prescriber=psychiatrist.pk, prescriber_name="", prescriber_organization="", prescriber_phone=""
    )
    assert http.post(create_url(alice), data).status_code == 302
    assert Medication.objects.get().prescriber == psychiatrist
    assert "Jun Kim" in http.get(tab(alice)).content.decode()


def test_naming_both_prescribers_is_a_field_error_and_nothing_is_saved(alice, counselor):
    response = login(counselor).post(create_url(alice), medication_data(prescriber=counselor.pk))
    assert response.status_code == 400
    assert "not both" in response.content.decode()
    assert "Dr. Ana Lopez" in response.content.decode()  # what was typed is kept
    assert not Medication.objects.exists()


def test_the_service_refuses_both_prescribers_too(alice, counselor):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.medication_create(
            client=alice,
            acting_user=counselor,
            data={"name": "X", "prescriber": counselor, "prescriber_name": "Dr. Y"},
        )
    assert "prescriber_name" in refused.value.message_dict
    assert not Medication.objects.exists()


@pytest.mark.parametrize(
    "changes,field_text",
    [
        ({"name": ""}, "This field is required"),
        ({"rxnorm_code": "RX-12"}, "digits only"),
        ({"start_date": (timezone.localdate() + dt.timedelta(days=3)).isoformat()}, "future"),
        ({"moud_type": "heroin"}, "Select a valid choice"),
        ({"prescriber_name": "", "prescriber_organization": "Eastside"}, "outside prescriber"),
    ],
)
def test_bad_input_gives_field_errors_and_saves_nothing(alice, counselor, changes, field_text):
    response = login(counselor).post(create_url(alice), medication_data(**changes))
    assert response.status_code == 400
    assert field_text in response.content.decode()
    assert not Medication.objects.exists()


# --- stop, entered in error, edit -------------------------------------------------------------------------


def test_stopping_without_a_reason_is_a_field_error_and_nothing_changes(alice, counselor):
    medication = MedicationFactory(client=alice, moud=True)
    http = login(counselor)
    page = http.get(med_url("stop", medication))
    assert page.status_code == 200 and timezone.localdate().isoformat() in page.content.decode()  # default
    refused = http.post(
        med_url("stop", medication), {"stop_date": timezone.localdate().isoformat(), "reason": ""}
    )
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    medication.refresh_from_db()
    assert medication.status == MedicationStatus.ACTIVE and medication.stop_date is None
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE, object_id=str(medication.pk)).exists()


def test_stopping_a_medication_keeps_the_date_and_the_reason(alice, counselor):
    medication = MedicationFactory(client=alice, moud=True)
    http = login(counselor)
    response = http.post(
        med_url("stop", medication), {"stop_date": days_ago(2).isoformat(), "reason": "Switched to injection"}
    )
    assert response.status_code == 302
    medication.refresh_from_db()
    assert medication.status == MedicationStatus.STOPPED
    assert medication.stop_date == days_ago(2) and medication.status_reason == "Switched to injection"
    change = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(medication.pk))
    assert change.reason == "Switched to injection" and change.detail["status"] == "stopped"
    past = http.get(tab(alice)).content.decode().split('id="h-past-medications"')[1]
    assert "Switched to injection" in past
    # A stopped medication is not stopped again, and a restart is a new row.
    again = http.post(med_url("stop", medication), {"stop_date": days_ago(1).isoformat(), "reason": "x"})
    assert again.status_code == 400 and "stopped" in again.content.decode()


def test_a_stop_date_before_the_start_is_refused(alice, counselor):
    medication = MedicationFactory(client=alice, start_date=days_ago(3))
    response = login(counselor).post(
        med_url("stop", medication), {"stop_date": days_ago(10).isoformat(), "reason": "x"}
    )
    assert response.status_code == 400 and "before the start date" in response.content.decode()
    medication.refresh_from_db()
    assert medication.status == MedicationStatus.ACTIVE


def test_entered_in_error_needs_a_reason_and_keeps_the_row_struck_through(alice, counselor):
    medication = MedicationFactory(client=alice, name="Wrong patient's lithium")
    http = login(counselor)
    refused = http.post(med_url("entered-in-error", medication), {"reason": " "})
    assert refused.status_code == 400
    medication.refresh_from_db()
    assert medication.status == MedicationStatus.ACTIVE
    assert (
        http.post(med_url("entered-in-error", medication), {"reason": "Other client's chart"}).status_code
        == 302
    )
    medication.refresh_from_db()
    assert medication.status == MedicationStatus.ENTERED_IN_ERROR
    assert "<del>Wrong patient&#x27;s lithium</del>" in http.get(tab(alice)).content.decode()
    assert http.get(med_url("update", medication)).status_code == 404  # final: not edited


def test_editing_a_medication_with_a_stale_copy_is_refused(alice, counselor, supervisor):
    medication = MedicationFactory(client=alice, dose="8 mg")
    http = login(counselor)
    page = http.get(med_url("update", medication))
    assert page.status_code == 200 and "8 mg" in page.content.decode()
    services.medication_update(medication=medication, acting_user=supervisor, data={"dose": "12 mg"})
    data = medication_data(
        name=medication.name,
        moud_type="",
        dose="16 mg",
        prescriber_phone="",
        rxnorm_code="",
        **opened(page),
    )
    stale = http.post(med_url("update", medication), data)
    assert stale.status_code == 400 and "Someone else changed this record" in stale.content.decode()
    medication.refresh_from_db()
    assert medication.dose == "12 mg"
    fresh = http.post(
        med_url("update", medication), {**data, **opened(http.get(med_url("update", medication)))}
    )
    assert fresh.status_code == 302
    medication.refresh_from_db()
    assert medication.dose == "16 mg" and medication.prescriber_organization == "Eastside Recovery Clinic"
    change = AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_id=str(medication.pk), user=counselor
    ).get()
    assert "dose" in change.changed_fields


# --- recommendations ---------------------------------------------------------------------------------------


def test_a_recommendation_defaults_to_the_medications_prescriber_and_the_whole_team_sees_it(
    alice, counselor, case_manager, peer
):
    assign(alice, case_manager, "case_manager")
    medication = MedicationFactory(client=alice, moud=True, prescriber_name="Dr. Ana Lopez")
    http = login(counselor)
    url = reverse("clients:medications:recommendation-create", args=[alice.pk])
    assert http.get(url + f"?medication={medication.pk}").status_code == 200
    response = http.post(
        url,
        {
            "recommended_on": timezone.localdate().isoformat(),
            "medication": medication.pk,
            "prescriber_name": "",
            "text": "Increase to 24 mg if cravings persist after a week.",
        },
    )
    assert response.status_code == 302
    rec = PrescriberRecommendation.objects.get()
    assert rec.prescriber_name == "Dr. Ana Lopez, Bayside Primary Care"
    assert rec.medication == medication and rec.recorded_by == counselor
    assert "Increase to 24 mg" in login(case_manager).get(tab(alice)).content.decode()
    assert login(peer).get(tab(alice)).status_code == 404


def test_a_recommendation_without_text_or_author_is_refused(alice, counselor):
    url = reverse("clients:medications:recommendation-create", args=[alice.pk])
    response = login(counselor).post(
        url,
        {
            "recommended_on": timezone.localdate().isoformat(),
            "medication": "",
            "prescriber_name": "",
            "text": "",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required" in page and "Say who made the recommendation" in page
    assert not PrescriberRecommendation.objects.exists()


def test_a_recommendation_entered_in_error_leaves_the_list_and_stays_in_the_history(alice, counselor):
    rec = PrescriberRecommendationFactory(client=alice, text="Taper off clonazepam")
    http = login(counselor)
    url = reverse("clients:medications:recommendation-entered-in-error", args=[alice.pk, rec.pk])
    assert http.post(url, {"reason": ""}).status_code == 400
    assert http.post(url, {"reason": "Meant for another client"}).status_code == 302
    rec.refresh_from_db()
    assert rec.entered_in_error_at is not None and rec.entered_in_error_reason == "Meant for another client"
    page = http.get(tab(alice)).content.decode()
    current = page.split('id="h-recommendations"')[1].split("History: entered in error")[0]
    assert "Taper off clonazepam" not in current
    assert "<del>" in page and "Meant for another client" in page
    assert PrescriberRecommendation.objects.count() == 1  # never deleted
    assert http.post(url, {"reason": "again"}).status_code == 400


# --- who may do what ----------------------------------------------------------------------------------------


def test_the_outsider_gets_404_everywhere(alice, outsider):
    medication = MedicationFactory(client=alice)
    rec = PrescriberRecommendationFactory(client=alice)
    allergy = AllergyFactory(client=alice)
    http = login(outsider)
    urls = [
        tab(alice),
        create_url(alice),
        med_url("update", medication),
        med_url("stop", medication),
        med_url("entered-in-error", medication),
        reverse("clients:medications:recommendation-create", args=[alice.pk]),
        reverse("clients:medications:recommendation-entered-in-error", args=[alice.pk, rec.pk]),
        reverse("clients:allergies:create", args=[alice.pk]),
        reverse("clients:allergies:update", args=[alice.pk, allergy.pk]),
        reverse("clients:allergies:status", args=[alice.pk, allergy.pk]),
    ]
    for url in urls:
        assert http.get(url).status_code == 404, url
        assert http.post(url, {"reason": "x", "name": "x"}).status_code == 404, url
    assert http.post(reverse("clients:allergies:none-known", args=[alice.pk])).status_code == 404
    medication.refresh_from_db()
    assert medication.status == MedicationStatus.ACTIVE
    api = api_login(outsider)
    for path in ("medications", "prescriber-recommendations", "allergies"):
        assert api.get(f"/api/v1/{path}/", {"client": alice.pk}).json()["results"] == []


def test_another_clients_medication_is_404_under_this_client(alice, jamie, counselor, outsider):
    theirs = MedicationFactory(client=jamie)
    mine = MedicationFactory(client=alice)
    http = login(counselor)
    assert http.get(reverse("clients:medications:update", args=[alice.pk, theirs.pk])).status_code == 404
    assert (
        login(outsider).get(reverse("clients:medications:stop", args=[jamie.pk, mine.pk])).status_code == 404
    )


def test_a_case_manager_reads_but_does_not_change_medications(alice, case_manager):
    assign(alice, case_manager, "case_manager")
    medication = MedicationFactory(client=alice, moud=True)
    http = login(case_manager)
    page = http.get(tab(alice))
    assert page.status_code == 200 and "Buprenorphine" in page.content.decode()
    assert create_url(alice) not in page.content.decode()
    assert http.get(create_url(alice)).status_code == 403
    assert http.post(med_url("stop", medication), {"stop_date": "", "reason": "x"}).status_code == 403
    medication.refresh_from_db()
    assert medication.status == MedicationStatus.ACTIVE


def test_a_view_only_place_on_the_care_team_changes_nothing(alice, team):
    reader = UserFactory(username="reader", role="counselor")
    team.members.add(reader)
    assign(alice, reader, "other")
    medication = MedicationFactory(client=alice)
    http = login(reader)
    assert http.get(tab(alice)).status_code == 200
    assert http.post(create_url(alice), medication_data()).status_code == 403
    assert http.post(med_url("entered-in-error", medication), {"reason": "x"}).status_code == 403
    assert Medication.objects.count() == 1


# --- queries ---------------------------------------------------------------------------------------


def _queries(http, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_tab_costs_the_same_queries_for_2_or_50_rows(alice, counselor):
    from tests.factories.outreach import ClientReminderFactory

    http = login(counselor)

    def add(n):
        for i in range(n):
            m = MedicationFactory(
                client=alice,
                moud=i % 2 == 0,
                prescriber=counselor,
                prescriber_name="",
                prescriber_organization="",
            )
            MedicationFactory(
                client=alice, status=MedicationStatus.STOPPED, stop_date=days_ago(1), status_reason="x"
            )
            ClientReminderFactory(client=alice, medication=m, created_by=counselor)
            PrescriberRecommendationFactory(client=alice, medication=m)
            PrescriberRecommendationFactory(client=alice, entered_in_error_at=timezone.now())
            AllergyFactory(client=alice)
            AllergyFactory(client=alice, status="inactive")

    add(2)
    few = _queries(http, tab(alice))
    add(48)
    assert _queries(http, tab(alice)) == few


def test_the_forms_cost_the_same_queries_for_2_or_50_medications(alice, counselor):
    http = login(counselor)
    MedicationFactory.create_batch(2, client=alice)
    url = reverse("clients:medications:recommendation-create", args=[alice.pk])
    few = _queries(http, url), _queries(http, create_url(alice))
    MedicationFactory.create_batch(48, client=alice)
    assert (_queries(http, url), _queries(http, create_url(alice))) == few


def test_a_prescriber_who_left_the_team_stays_on_their_medication_when_it_is_edited(alice, counselor, team):
    psychiatrist = UserFactory(username="drkim", first_name="Jun", last_name="Kim", role="counselor")
    team.members.add(psychiatrist)
    medication = MedicationFactory(
        client=alice, prescriber=psychiatrist, prescriber_name="", prescriber_organization="", dose="8 mg"
    )
    team.members.remove(psychiatrist)
    http = login(counselor)
    page = http.get(med_url("update", medication))
    assert "Jun Kim" in page.content.decode()
    assert "Jun Kim" not in http.get(create_url(alice)).content.decode()
    data = medication_data(
        name=medication.name,
        moud_type="",
        dose="12 mg",
        rxnorm_code="",
        prescriber=psychiatrist.pk,
        prescriber_name="",
        prescriber_organization="",
        prescriber_phone="",
        **opened(page),
    )
    assert http.post(med_url("update", medication), data).status_code == 302
    medication.refresh_from_db()
    assert medication.dose == "12 mg" and medication.prescriber == psychiatrist
