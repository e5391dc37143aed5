"""Break the glass: a reason, a time limit, every view audited with it, the supervisors told, a review.

Harbor's crisis worker needs Jamie Parker's record, a Riverside client; Riverside's supervisor
(``other_supervisor``) is told and reviews it afterwards.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from careteam.errors import DomainError
from careteam.models import AuditAction, AuditEvent, EmergencyAccess, Task, TaskKind, TaskPriority, TaskStatus
from careteam.services import emergency_access_open
from tests.conftest import api_login, login

WHY = "Caller says Jamie is on the bridge and has a plan; the Riverside on-call does not answer."


def chart(client):
    return reverse("clients:detail", args=[client.pk])


def break_glass(http, client, justification=WHY, reason="imminent_risk"):
    return http.post(
        reverse("emergency-open", args=[client.pk]), {"reason": reason, "justification": justification}
    )


def test_the_search_shows_who_the_person_is_and_no_more_and_is_audited(crisis_worker, jamie):
    http = login(crisis_worker)
    assert http.get(chart(jamie)).status_code == 404
    body = http.get(reverse("emergency-search"), {"q": "Park"}).content.decode()
    assert "Jamie Parker" in body and jamie.record_number in body and "Riverside Crisis" in body
    assert "1980" in body and "Aug 8, 1980" not in body and "1980-08-08" not in body
    assert "Request emergency access" in body
    row = AuditEvent.objects.get(user=crisis_worker, action=AuditAction.LIST)
    assert row.client_id == jamie.pk and row.detail["page"] == "emergency-search"


def test_breaking_the_glass_opens_the_chart_audits_every_view_with_the_reason_and_tells_the_supervisor(
    crisis_worker, jamie, other_supervisor
):
    http = login(crisis_worker)
    form = http.get(reverse("emergency-open", args=[jamie.pk])).content.decode()
    assert "Jamie Parker" in form and "Aug 8, 1980" not in form and "4 hours" in form
    response = break_glass(http, jamie)
    assert response.status_code == 302 and response["Location"] == chart(jamie)

    grant = EmergencyAccess.objects.get(user=crisis_worker, client=jamie)
    assert grant.expires_at - grant.started_at == dt.timedelta(hours=4)
    opened = AuditEvent.objects.get(action=AuditAction.EMERGENCY_ACCESS)
    assert opened.reason == WHY and opened.client_id == jamie.pk
    assert opened.detail == {"reason": "imminent_risk", "expires": grant.expires_at.isoformat()}

    assert http.get(chart(jamie)).status_code == 200
    assert http.get(reverse("crisis:client-tab", args=[jamie.pk])).status_code == 200
    views = AuditEvent.objects.filter(user=crisis_worker, client=jamie, action=AuditAction.VIEW)
    assert views.count() == 2
    assert {v.reason for v in views} == {WHY}

    task = Task.objects.get(kind=TaskKind.EMERGENCY_ACCESS)
    assert task.assignee == other_supervisor and task.priority == TaskPriority.URGENT
    assert task.client == jamie and "Jamie Parker" in task.title and WHY in task.detail
    assert "Emergency access" in login(other_supervisor).get(reverse("workspace:worklist")).content.decode()


def test_without_supervisors_the_team_gets_the_task(crisis_worker, jamie, other_team, other_supervisor):
    other_team.supervisors.clear()
    emergency_access_open(user=crisis_worker, client=jamie, reason="medical_emergency", justification=WHY)
    task = Task.objects.get(kind=TaskKind.EMERGENCY_ACCESS)
    assert task.assignee is None and task.team == other_team


def test_the_grant_is_to_read_not_to_change(crisis_worker, jamie):
    http = login(crisis_worker)
    break_glass(http, jamie)
    assert http.get(reverse("clients:update", args=[jamie.pk])).status_code == 403
    # Not even what a peer may do on the chart (log a contact), nor anything through the API.
    logged = http.post(reverse("clients:contacts:list", args=[jamie.pk]), {"summary": "Called"})
    assert logged.status_code == 403
    api = api_login(crisis_worker)
    writes = {
        "/api/v1/contacts/": {"client": jamie.pk, "channel": "phone", "summary": "Called"},
        "/api/v1/needs/": {"client": jamie.pk, "category": "housing", "description": "Shelter"},
        "/api/v1/appointments/": {"client": jamie.pk, "kind": "intake", "starts_at": "2030-01-01T10:00Z"},
    }
    for url, body in writes.items():
        response = api.post(url, body, format="json")
        assert response.status_code in (400, 403, 404), (url, response.status_code)
        assert response.status_code != 400 or "client" in response.json(), (url, response.json())
    assert not jamie.needs.exists() and not jamie.appointments.exists()
    # Nor is the client in any list: a grant is not a caseload.
    assert jamie.pk not in [row["id"] for row in api.get("/api/v1/clients/").json()["results"]]
    assert api.get(f"/api/v1/clients/{jamie.pk}/").status_code == 200  # reading it is the point
    read = AuditEvent.objects.filter(user=crisis_worker, client=jamie, action=AuditAction.VIEW).last()
    assert read.detail == {"via": "api"} and read.reason == WHY


def test_the_access_ends_at_the_time_limit(crisis_worker, jamie, settings):
    settings.CARETEAM_EMERGENCY_ACCESS_HOURS = 1
    http = login(crisis_worker)
    break_glass(http, jamie)
    assert http.get(chart(jamie)).status_code == 200
    # A fresh sign-in each time: the session's own idle limit is not what is tested here.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=59)):
        assert login(crisis_worker).get(chart(jamie)).status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1, seconds=1)):
        later = login(crisis_worker)
        assert later.get(chart(jamie)).status_code == 404
        assert "Jamie" not in later.get(reverse("clients:list")).content.decode()


def test_the_user_ends_the_access_early(crisis_worker, jamie):
    http = login(crisis_worker)
    break_glass(http, jamie)
    grant = EmergencyAccess.objects.get()
    page = http.get(reverse("emergency-search")).content.decode()
    assert "Your emergency access in force" in page and "End now" in page
    assert http.post(reverse("emergency-end", args=[grant.pk])).status_code == 302
    assert http.get(chart(jamie)).status_code == 404
    grant.refresh_from_db()
    assert grant.ended_at is not None


def test_someone_else_cannot_end_my_access(crisis_worker, counselor, jamie):
    break_glass(login(crisis_worker), jamie)
    grant = EmergencyAccess.objects.get()
    assert login(counselor).post(reverse("emergency-end", args=[grant.pk])).status_code == 404


def test_a_justification_is_required(crisis_worker, jamie):
    http = login(crisis_worker)
    response = break_glass(http, jamie, justification="need it")
    assert response.status_code == 400
    assert "at least 20 characters" in response.content.decode()
    response = break_glass(http, jamie, reason="")
    assert response.status_code == 400
    assert not EmergencyAccess.objects.exists()
    assert http.get(chart(jamie)).status_code == 404


def test_no_grant_for_someone_who_already_sees_the_record(outsider, jamie):
    with pytest.raises(DomainError):
        emergency_access_open(user=outsider, client=jamie, reason="imminent_risk", justification=WHY)


def test_the_peer_cannot_break_the_glass(peer, jamie):
    http = login(peer)
    assert http.get(reverse("emergency-search"), {"q": "Park"}).status_code == 403
    assert http.get(reverse("emergency-open", args=[jamie.pk])).status_code == 403
    assert break_glass(http, jamie).status_code == 403
    with pytest.raises(DomainError):
        emergency_access_open(user=peer, client=jamie, reason="imminent_risk", justification=WHY)
    assert http.get(chart(jamie)).status_code == 404


def test_someone_who_already_sees_the_client_goes_straight_to_the_chart(counselor, alice):
    response = login(counselor).get(reverse("emergency-open", args=[alice.pk]))
    assert response.status_code == 302 and response["Location"] == chart(alice)


def test_the_supervisor_reviews_a_past_access(crisis_worker, jamie, other_supervisor, supervisor):
    grant = emergency_access_open(user=crisis_worker, client=jamie, reason="imminent_risk", justification=WHY)
    http = login(other_supervisor)
    assert "Break-glass review" in http.get(reverse("workspace:today")).content.decode()
    listing = http.get(reverse("emergency-review")).content.decode()
    assert "Jamie Parker" in listing and WHY in listing
    response = http.post(reverse("emergency-review-detail", args=[grant.pk]), {"note": ""})
    assert response.status_code == 400
    response = http.post(
        reverse("emergency-review-detail", args=[grant.pk]),
        {"note": "Justified: 988 transfer, no team on call."},
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == other_supervisor and grant.review_note.startswith("Justified")
    assert AuditEvent.objects.filter(action=AuditAction.EMERGENCY_REVIEW, client=jamie).exists()
    assert Task.objects.get(kind=TaskKind.EMERGENCY_ACCESS).status == TaskStatus.DONE
    assert "Jamie Parker" not in http.get(reverse("emergency-review")).content.decode()  # none awaiting
    assert "Jamie Parker" in http.get(reverse("emergency-review"), {"show": "reviewed"}).content.decode()

    # Harbor's supervisor does not supervise Riverside: not theirs to read or review.
    other = login(supervisor)
    assert "Jamie Parker" not in other.get(reverse("emergency-review"), {"show": "all"}).content.decode()
    assert other.get(reverse("emergency-review-detail", args=[grant.pk])).status_code == 404


def test_the_review_page_is_for_supervisors(crisis_worker, counselor):
    assert login(crisis_worker).get(reverse("emergency-review")).status_code == 403
    assert "Break-glass review" not in login(counselor).get(reverse("workspace:today")).content.decode()


def test_nobody_reviews_their_own_access(supervisor, jamie, other_team):
    """A supervisor breaking the glass elsewhere is reviewed by that team's supervisors, never by themself."""
    from careteam.services import emergency_access_review

    grant = emergency_access_open(user=supervisor, client=jamie, reason="continuity", justification=WHY)
    with pytest.raises(DomainError):
        emergency_access_review(grant=grant, acting_user=supervisor, note="fine")


def test_the_client_list_filter_stays_one_query(crisis_worker, jamie, django_assert_num_queries):
    from careteam.access import clients_visible_to

    emergency_access_open(user=crisis_worker, client=jamie, reason="imminent_risk", justification=WHY)
    with django_assert_num_queries(1):
        assert list(clients_visible_to(crisis_worker, emergency=True)) == [jamie]
    assert list(clients_visible_to(crisis_worker)) == []  # lists are the caseload; a grant is not


def test_under_the_grant_the_crisis_tab_offers_to_open_an_episode(crisis_worker, jamie):
    http = login(crisis_worker)
    break_glass(http, jamie)
    assert "Open a crisis episode" in http.get(reverse("crisis:client-tab", args=[jamie.pk])).content.decode()
    picker = http.get(reverse("crisis:open"), {"client": jamie.pk}).content.decode()
    assert (
        "Jamie Parker" in picker and "Aug 8, 1980" in picker
    )  # the grant opens the record, so the picker too


def test_every_page_of_the_chart_under_the_grant_is_audited_with_the_reason(crisis_worker, jamie):
    http = login(crisis_worker)
    break_glass(http, jamie)
    for name in ("plans:client-plan", "clients:contacts:list", "clients:consents:tab"):
        assert http.get(reverse(name, args=[jamie.pk])).status_code == 200, name
    rows = AuditEvent.objects.filter(user=crisis_worker, client=jamie, path__startswith="/clients/")
    assert {row.path for row in rows} >= {f"/clients/{jamie.pk}/plans/", f"/clients/{jamie.pk}/consents/"}
    assert {row.reason for row in rows} == {WHY}
