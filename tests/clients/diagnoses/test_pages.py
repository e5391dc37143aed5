"""The chart's Diagnoses tab and its pages, as staff use them; who may use them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careteam.models import AuditAction, AuditEvent
from clients.models import Diagnosis, DiagnosisCode, DiagnosisStatus, DiagnosisType
from tests.conftest import login
from tests.factories import DiagnosisFactory, assign

pytestmark = pytest.mark.django_db


def tab_url(client):
    return reverse("clients:diagnoses:tab", args=[client.pk])


def add_url(client):
    return reverse("clients:diagnoses:create", args=[client.pk])


def edit_url(dx):
    return reverse("clients:diagnoses:update", args=[dx.client_id, dx.pk])


def status_url(dx):
    return reverse("clients:diagnoses:status", args=[dx.client_id, dx.pk])


SEARCH_URL = reverse("clients:diagnoses:code-search")


def test_a_counselor_records_opioid_dependence_as_primary_and_sees_it_on_the_tab(alice, counselor):
    http = login(counselor)
    assert http.get(add_url(alice)).status_code == 200
    response = http.post(
        add_url(alice), {"code": "F11.20", "diagnosis_type": "primary", "onset_date": "2024-05-01"}
    )
    assert response.status_code == 302 and response.url == tab_url(alice)
    dx = Diagnosis.objects.get(client=alice)
    assert dx.diagnosis_type == DiagnosisType.PRIMARY and dx.description == "Opioid dependence, uncomplicated"
    page = http.get(tab_url(alice)).content.decode()
    assert "F11.20" in page and "Opioid dependence, uncomplicated" in page and "Primary" in page
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, client=alice, detail__tab="diagnoses").exists()


def test_the_tab_is_in_the_chart_for_the_counselor_but_not_for_the_peer(alice, counselor, peer):
    overview = reverse("clients:detail", args=[alice.pk])
    assert tab_url(alice) in login(counselor).get(overview).content.decode()
    assert tab_url(alice) not in login(peer).get(overview).content.decode()


def test_a_code_typed_without_the_dot_is_understood(alice, counselor):
    login(counselor).post(add_url(alice), {"code": "f1120", "diagnosis_type": "secondary"})
    assert Diagnosis.objects.get(client=alice).code.code == "F11.20"


def test_a_second_active_primary_gets_a_clear_error_and_nothing_is_saved(alice, counselor):
    DiagnosisFactory(client=alice, diagnosis_type=DiagnosisType.PRIMARY)
    response = login(counselor).post(add_url(alice), {"code": "F10.20", "diagnosis_type": "primary"})
    assert response.status_code == 400
    assert "already has an active primary diagnosis" in response.content.decode()
    assert Diagnosis.objects.filter(client=alice).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "", "diagnosis_type": "secondary"}, "Give an ICD-10-CM code"),
        ({"code": "X99.99", "diagnosis_type": "secondary"}, "is not an ICD-10-CM code we know"),
        ({"code": "F11", "diagnosis_type": "secondary"}, "category heading"),
        ({"code": "F11.20", "diagnosis_type": "bogus"}, "Select a valid choice"),
        ({"code": "F11.20", "diagnosis_type": "secondary", "onset_date": "2999-01-01"}, "future"),
    ],
)
def test_bad_input_is_refused_with_400_and_nothing_saved(alice, counselor, data, message):
    response = login(counselor).post(add_url(alice), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Diagnosis.objects.filter(client=alice).exists()


def test_the_code_search_works_without_javascript_and_a_picked_result_is_saved(alice, counselor):
    http = login(counselor)
    page = http.get(add_url(alice) + "?q=opioid+dependence").content.decode()
    assert 'name="code_choice"' in page and 'value="F11.20"' in page
    # A refused save keeps the search and the pick.
    refused = http.post(
        add_url(alice) + "?q=opioid+dependence",
        {"code_choice": "F11.20", "diagnosis_type": "secondary", "onset_date": "2999-01-01"},
    )
    assert refused.status_code == 400
    assert 'value="F11.20" checked' in refused.content.decode()
    http.post(add_url(alice), {"code_choice": "F11.20", "code": "", "diagnosis_type": "secondary"})
    assert Diagnosis.objects.get(client=alice).code.code == "F11.20"


@pytest.mark.parametrize("q", ["F11.2", "F112", "opioid dependence"])
def test_the_code_search_endpoint_answers_htmx_with_matching_codes(counselor, q):
    response = login(counselor).get(SEARCH_URL, {"q": q}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="F11.20"' in body and "Opioid dependence, uncomplicated" in body
    assert "<html" not in body  # a fragment to swap in


def test_the_code_search_endpoint_needs_a_login_and_a_role_that_sees_diagnoses(peer):
    assert login(peer).get(SEARCH_URL, {"q": "F11"}).status_code == 403
    from django.test import Client as HttpClient

    response = HttpClient().get(SEARCH_URL, {"q": "F11"})
    assert response.status_code == 302 and "login" in response.url


def test_editing_changes_the_code_and_carries_the_version(alice, counselor):
    dx = DiagnosisFactory(client=alice)
    http = login(counselor)
    form = http.get(edit_url(dx)).context["form"]
    data = {
        **{k: v for k, v in form.initial.items() if v is not None},
        "code": "F11.21",
        "comment": "In remission",
    }
    response = http.post(edit_url(dx), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    dx.refresh_from_db()
    assert dx.code.code == "F11.21" and dx.description == DiagnosisCode.objects.get(code="F11.21").description
    # The same (now stale) form again is refused and nothing is overwritten.
    stale = http.post(edit_url(dx), {**data, "code": "F11.23", "comment": "Other"})
    assert stale.status_code == 400
    dx.refresh_from_db()
    assert dx.code.code == "F11.21"


def test_resolve_reactivate_and_entered_in_error_keep_the_row(alice, counselor):
    dx = DiagnosisFactory(client=alice, diagnosis_type=DiagnosisType.PRIMARY)
    http = login(counselor)
    assert http.get(status_url(dx) + "?status=resolved").status_code == 200
    assert (
        http.post(status_url(dx), {"status": "resolved", "reason": "Sustained remission"}).status_code == 302
    )
    dx.refresh_from_db()
    assert dx.status == DiagnosisStatus.RESOLVED and dx.resolved_date is not None
    page = http.get(tab_url(alice)).content.decode()
    assert "Resolved and entered in error" in page and "Sustained remission" in page
    assert http.post(status_url(dx), {"status": "active"}).status_code == 302
    response = http.post(status_url(dx), {"status": "entered_in_error", "reason": ""})
    assert response.status_code == 400 and "Say why" in response.content.decode()
    assert (
        http.post(status_url(dx), {"status": "entered_in_error", "reason": "Wrong client"}).status_code == 302
    )
    dx.refresh_from_db()
    assert dx.status == DiagnosisStatus.ENTERED_IN_ERROR
    assert Diagnosis.objects.filter(pk=dx.pk).exists()
    # Final: no move is offered or accepted.
    assert http.post(status_url(dx), {"status": "active"}).status_code == 400


def test_a_peer_on_the_same_client_cannot_open_the_tab_or_its_pages(alice, peer):
    dx = DiagnosisFactory(client=alice)
    http = login(peer)
    for url in (tab_url(alice), add_url(alice), edit_url(dx), status_url(dx)):
        assert http.get(url).status_code == 403, url
    assert http.post(add_url(alice), {"code": "F11.20", "diagnosis_type": "secondary"}).status_code == 403
    assert Diagnosis.objects.filter(client=alice).count() == 1


def test_an_outsider_gets_404_everywhere(alice, outsider):
    dx = DiagnosisFactory(client=alice)
    http = login(outsider)
    for url in (tab_url(alice), add_url(alice), edit_url(dx), status_url(dx)):
        assert http.get(url).status_code == 404, url
    assert http.post(add_url(alice), {"code": "F11.20", "diagnosis_type": "secondary"}).status_code == 404


def test_a_case_manager_reads_the_tab_but_cannot_add_or_change(alice, case_manager):
    assign(alice, case_manager, "case_manager")
    dx = DiagnosisFactory(client=alice)
    http = login(case_manager)
    page = http.get(tab_url(alice)).content.decode()
    assert "F11.20" in page and add_url(alice) not in page and status_url(dx) not in page
    assert http.get(add_url(alice)).status_code == 403
    assert http.post(status_url(dx), {"status": "resolved"}).status_code == 403


def _tab_queries(user, client) -> int:
    http = login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = http.get(tab_url(client))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_tab_issues_the_same_number_of_queries_for_2_and_50_diagnoses(alice, counselor):
    for _ in range(2):
        DiagnosisFactory(client=alice, recorded_by=counselor)
    few = _tab_queries(counselor, alice)
    for i in range(48):
        DiagnosisFactory(
            client=alice,
            recorded_by=counselor,
            status=DiagnosisStatus.RESOLVED if i % 2 else DiagnosisStatus.ACTIVE,
        )
    assert _tab_queries(counselor, alice) == few


def test_a_stale_edit_lists_the_code_as_a_code(alice, counselor, supervisor):
    from tests.concurrency import form_as_sent

    dx = DiagnosisFactory(client=alice)
    casey, sam = login(counselor), login(supervisor)
    caseys_page = casey.get(edit_url(dx))
    assert sam.post(edit_url(dx), form_as_sent(sam.get(edit_url(dx)), code="F11.21")).status_code == 302
    refused = casey.post(edit_url(dx), form_as_sent(caseys_page, comment="Mine"))
    assert refused.status_code == 400
    conflict = {c.name: (c.started, c.now) for c in refused.context["form"].concurrency_conflict}
    assert conflict == {"code": ("F11.20", "F11.21")}
    assert Diagnosis.objects.get(pk=dx.pk).comment == ""
