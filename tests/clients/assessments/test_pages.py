"""The Assessments chart tab, the administer page, the suicide-risk alert and Today's assessments due."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent, Task, TaskKind, TaskPriority
from careteam.services import assignment_end
from clients.assessments import registry, selectors
from clients.assessments.definitions import PFIZER_COPYRIGHT
from clients.assessments.services import assessment_administer, instrument_load_text
from clients.models import AssessmentResponse, ClientStatus
from tests.conftest import login
from tests.factories import AssessmentResponseFactory, ClientFactory, assign
from tests.factories.assessments import answers_totalling, instrument


def administer_url(client, code="phq9"):
    return reverse("clients:assessment-administer", args=[client.pk, code])


def tab_url(client):
    return reverse("clients:assessments", args=[client.pk])


def phq9_post(total=0, **overrides):
    answers = answers_totalling("phq9", total) | overrides
    return {k: str(v) for k, v in answers.items()}


def give(client, code, total, by, days_ago=0, **extra):
    answers = answers_totalling(code, total) | extra
    return assessment_administer(
        client=client,
        instrument=instrument(code),
        answers=answers,
        acting_user=by,
        administered_at=timezone.now() - dt.timedelta(days=days_ago),
    )


# --- administering ----------------------------------------------------------------------------------


def test_a_counselor_administers_a_phq9_through_the_page(alice, counselor):
    response = login(counselor).post(administer_url(alice), phq9_post(12))

    assert response.status_code == 302 and response["Location"] == tab_url(alice)
    saved = AssessmentResponse.objects.get(client=alice)
    assert (saved.total, saved.band, saved.administered_by) == (12, "moderate", counselor)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, client=alice, object_type="clients.assessmentresponse"
    ).exists()


def test_the_form_has_one_labelled_radio_group_per_item_and_the_copyright_line(alice, counselor):
    html = login(counselor).get(administer_url(alice)).content.decode()

    assert html.count("<fieldset") == 9 and html.count("<legend") == 9
    assert "9. Thoughts that you would be better off dead" in html
    for radio_id in re.findall(r'type="radio"[^>]*id="([^"]+)"', html):
        assert f'for="{radio_id}"' in html
    assert PFIZER_COPYRIGHT in html


def test_missing_and_out_of_range_answers_are_field_errors_and_nothing_is_saved(alice, counselor):
    data = phq9_post(5)
    del data["q3"]
    data["q5"] = "7"

    response = login(counselor).post(administer_url(alice), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert not AssessmentResponse.objects.exists()
    assert 'id="id_q3_error"' in html and "Answer this question." in html
    assert 'id="id_q5_error"' in html and "Choose one of the options." in html
    assert html.count('aria-invalid="true"') == 4 + 4  # every radio of the two items in error
    assert re.search(rf'name="q1" value="{data["q1"]}"[^>]*checked', html)  # what was entered is kept


def test_an_instrument_without_its_licensed_text_cannot_be_given_through_the_form(alice, counselor):
    http = login(counselor)

    page = http.get(administer_url(alice, "dast10"))
    refused = http.post(administer_url(alice, "dast10"), {f"q{i}": "0" for i in range(1, 11)})

    assert "load_instrument_text" in page.content.decode() and "<fieldset" not in page.content.decode()
    assert refused.status_code == 400 and not AssessmentResponse.objects.exists()


def test_the_cssrs_skip_logic_is_checked_on_the_page_once_its_text_is_loaded(alice, counselor):
    cssrs = instrument("cssrs_screener")
    instrument_load_text(
        instrument=cssrs, texts={i["key"]: f"Licensed {i['key']}" for i in cssrs.items}, acting_user=None
    )
    http = login(counselor)

    refused = http.post(administer_url(alice, "cssrs_screener"), {"q1": "1", "q2": "1", "q6": "0"})
    saved = http.post(
        administer_url(alice, "cssrs_screener"),
        {"q1": "1", "q2": "1", "q3": "0", "q4": "1", "q5": "0", "q6": "0"},
    )

    assert refused.status_code == 400 and 'id="id_q4_error"' in refused.content.decode()
    assert saved.status_code == 302
    response = AssessmentResponse.objects.get()
    assert response.band == "high"
    assert Task.objects.filter(kind=TaskKind.RISK_SCREEN, client=alice).count() == 1


def test_an_unknown_instrument_is_404(alice, counselor):
    assert login(counselor).get(administer_url(alice, "nope")).status_code == 404


# --- the suicide-risk flag --------------------------------------------------------------------------


def test_phq9_item_9_shows_a_flag_on_the_chart_and_makes_exactly_one_urgent_task(
    alice, counselor, supervisor
):
    login(supervisor).post(administer_url(alice), phq9_post(6, q9=2))

    task = Task.objects.get(kind=TaskKind.RISK_SCREEN)
    assert task.assignee == counselor  # the primary counselor, not the supervisor who gave it
    assert task.priority == TaskPriority.URGENT and task.client == alice
    response = AssessmentResponse.objects.get()
    assert task.source_id == str(response.pk)
    html = login(counselor).get(reverse("clients:detail", args=[alice.pk])).content.decode()
    today = timezone.localdate().strftime("%b %-d, %Y")
    assert f"Suicide risk flag: PHQ-9 item 9 answered 2 on {today}" in html


def test_the_flag_goes_when_the_latest_phq9_no_longer_has_it(alice, counselor):
    give(alice, "phq9", 8, counselor, days_ago=20, q9=1)
    give(alice, "phq9", 4, counselor, days_ago=1)

    html = login(counselor).get(reverse("clients:detail", args=[alice.pk])).content.decode()

    assert "Suicide risk flag" not in html
    assert Task.objects.filter(kind=TaskKind.RISK_SCREEN).count() == 1


def test_without_a_primary_counselor_the_task_goes_to_whoever_administered(alice, counselor, supervisor):
    assignment_end(
        assignment=alice.assignments.get(staff=counselor), acting_user=supervisor, reason="left the program"
    )

    give(alice, "phq9", 3, supervisor, q9=1)

    assert Task.objects.get(kind=TaskKind.RISK_SCREEN).assignee == supervisor


def test_the_alert_costs_one_query(alice, counselor):
    give(alice, "phq9", 3, counselor, q9=1)
    selectors.scores_can_see(counselor)  # warm the permission and role caches, as the chart page has

    with CaptureQueriesContext(connection) as ctx:
        alerts = registry.suicide_risk_alert(counselor, alice)

    assert len(alerts) == 1 and len(ctx.captured_queries) == 1


# --- the tab ----------------------------------------------------------------------------------------


def test_the_tab_shows_each_history_with_a_trend_chart_and_the_change_since_baseline(alice, counselor):
    give(alice, "phq9", 18, counselor, days_ago=60)
    give(alice, "phq9", 12, counselor, days_ago=30)
    give(alice, "phq9", 9, counselor, days_ago=1)
    give(alice, "audit_c", 3, counselor, days_ago=60)

    response = login(counselor).get(tab_url(alice))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html and "<polyline" in html and html.count("<rect") >= 5
    assert 'Since baseline (18): <strong class="text-success">\u22129</strong>' in html
    assert 'Since previous: <strong class="text-success">\u22123</strong>' in html
    assert "Moderately severe" in html and "Mild" in html
    assert "Cutoff ≥" in html  # AUDIT-C says which cutoff it used
    assert PFIZER_COPYRIGHT in html
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, client=alice, detail__tab="assessments"
    ).exists()


def test_a_supervisor_of_the_team_sees_the_tab(alice, supervisor):
    AssessmentResponseFactory(client=alice)
    assert login(supervisor).get(tab_url(alice)).status_code == 200


@pytest.mark.parametrize("persona", ["outsider", "other_supervisor", "case_manager"])
def test_people_off_the_care_team_get_404(alice, persona, request):
    http = login(request.getfixturevalue(persona))
    assert http.get(tab_url(alice)).status_code == 404
    assert http.get(administer_url(alice)).status_code == 404
    assert http.post(administer_url(alice), phq9_post(3)).status_code == 404
    assert not AssessmentResponse.objects.exists()


def test_a_peer_specialist_sees_no_tab_no_page_and_no_score(alice, peer, counselor):
    give(alice, "phq9", 17, counselor, q9=3)
    http = login(peer)

    chart = http.get(reverse("clients:detail", args=[alice.pk])).content.decode()
    tab = http.get(tab_url(alice))
    form = http.get(administer_url(alice))
    posted = http.post(administer_url(alice), phq9_post(3))

    assert tab_url(alice) not in chart and "Assessments" not in chart
    assert "Suicide risk flag" not in chart and "PHQ-9" not in chart
    assert tab.status_code == 403 and "17" not in tab.content.decode()
    assert form.status_code == 403 and posted.status_code == 403
    assert AssessmentResponse.objects.count() == 1


def test_a_case_manager_on_the_care_team_reads_scores_but_cannot_administer(alice, case_manager, counselor):
    assign(alice, case_manager, "case_manager")
    give(alice, "gad7", 11, counselor)
    http = login(case_manager)

    assert "Moderate" in http.get(tab_url(alice)).content.decode()
    assert http.get(administer_url(alice, "gad7")).status_code == 403


def test_the_tab_query_count_stays_flat_as_responses_grow(alice, counselor):
    http = login(counselor)

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(tab_url(alice)).status_code == 200
        return len(ctx.captured_queries)

    for days in (40, 10):
        AssessmentResponseFactory(client=alice, administered_by=counselor, administered_at=_ago(days))
    few = count_queries()
    for n in range(18):
        code = ("phq9", "gad7", "audit_c")[n % 3]
        AssessmentResponseFactory(
            client=alice,
            instrument=instrument(code),
            answers=answers_totalling(code, n % 10),
            administered_by=counselor,
            administered_at=_ago(100 - n),
        )
    many = count_queries()

    assert few == many
    assert many <= 25


def _ago(days):
    return timezone.now() - dt.timedelta(days=days)


# --- Today: assessments due -------------------------------------------------------------------------


def section(user):
    request = RequestFactory().get("/")
    request.user = user
    return registry.assessments_due_context(request)


def test_today_lists_instruments_past_their_cadence_for_my_active_clients(alice, counselor, team):
    give(alice, "phq9", 5, counselor, days_ago=40)  # cadence 30: due
    give(alice, "gad7", 5, counselor, days_ago=10)  # cadence 30: not yet
    give(alice, "audit_c", 2, counselor, days_ago=200)  # no cadence: never due
    discharged = ClientFactory(primary_team=team)
    assign(discharged, counselor)
    give(discharged, "phq9", 5, counselor, days_ago=90)
    discharged.status, discharged.discharged_on, discharged.discharge_reason = (
        ClientStatus.DISCHARGED,
        timezone.localdate(),
        "completed",
    )
    discharged.save()
    never_measured = ClientFactory(primary_team=team)
    assign(never_measured, counselor)

    due = section(counselor)["due"]

    assert [(d.client_id, d.instrument_code) for d in due] == [(alice.pk, "phq9")]
    assert due[0].days_overdue == 10

    html = login(counselor).get(reverse("workspace:today")).content.decode()
    assert "Assessments due" in html
    assert administer_url(alice, "phq9") in html
    assert administer_url(alice, "gad7") not in html


def test_today_leaves_out_clients_i_do_not_measure(alice, counselor, peer, supervisor):
    give(alice, "phq9", 5, counselor, days_ago=40)

    assert section(supervisor)["due"] == []  # sees the client, is not on the care team
    assert section(peer) is None  # no scores for the minimum-necessary view


def test_the_today_section_query_count_does_not_grow_with_the_caseload(counselor, team):
    def make_clients(n):
        for _ in range(n):
            c = ClientFactory(primary_team=team)
            assign(c, counselor)
            AssessmentResponseFactory(client=c, administered_by=counselor, administered_at=_ago(45))
            AssessmentResponseFactory(
                client=c,
                instrument=instrument("gad7"),
                answers=answers_totalling("gad7", 3),
                administered_by=counselor,
                administered_at=_ago(50),
            )

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            ctx_data = section(counselor)
        return len(ctx.captured_queries), len(ctx_data["due"])

    section(counselor)  # warm the user's permission cache, as the page's earlier sections do
    make_clients(2)
    few, shown_few = count_queries()
    make_clients(8)
    many, shown_many = count_queries()

    assert (shown_few, shown_many) == (4, 15)
    assert few == many == 1


def test_the_barc10_remission_badge_shows_the_cutoff_the_scoring_uses(alice, counselor, monkeypatch):
    """GIVEN a BARC-10 at the sustained-remission cutoff WHEN the tab shows it THEN the badge reads the
    cutoff from ``scoring.BARC10_REMISSION_CUTOFF`` (Vilsaint et al. 2017), not a number of its own."""
    from clients.assessments import scoring

    give(alice, "barc10", scoring.BARC10_REMISSION_CUTOFF, counselor)
    monkeypatch.setattr(scoring, "BARC10_REMISSION_CUTOFF", 99)  # what the page says follows the source

    html = login(counselor).get(tab_url(alice)).content.decode()

    assert '<span class="badge text-bg-success">≥99</span>' in html


@pytest.mark.parametrize(
    ("days_ago", "flagged"), [(10, True), (selectors.CSSRS_RISK_LOOKBACK_DAYS + 1, False)]
)
def test_a_moderate_cssrs_in_the_last_30_days_flags_the_chart_as_the_caseload_does(
    alice, counselor, days_ago, flagged
):
    """The chart header and the caseload's risk column say the same: a C-SSRS screener scored moderate
    (yes to Q3) in the last 30 days is a suicide-risk flag; one older than that is not."""
    AssessmentResponseFactory(
        client=alice,
        instrument=instrument("cssrs_screener"),
        answers={"q1": 1, "q2": 1, "q3": 1, "q4": 0, "q5": 0, "q6": 0},
        administered_by=counselor,
        administered_at=timezone.now() - dt.timedelta(days=days_ago),
    )

    html = login(counselor).get(reverse("clients:detail", args=[alice.pk])).content.decode()
    caseload = login(counselor).get(reverse("clients:list"), {"sort": "risk"}).context["clients"]

    assert ("Suicide risk flag: C-SSRS screener moderate risk" in html) is flagged
    assert next(c.risk_flag for c in caseload if c.pk == alice.pk) is flagged
