"""Treatment-plan pages: the chart tab, drafts, activation, versions and diff, print, review,
completions, the note panel, the chart alert and Today."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from careteam.models import AuditAction, AuditEvent
from plans import services
from plans.models import (
    ActionStep,
    ActionStepCompletion,
    Goal,
    PlanReview,
    PlanStatus,
    Problem,
    TreatmentPlan,
)
from tests.concurrency import open_form
from tests.conftest import login
from tests.factories import ClientFactory, EncounterNoteFactory, active_plan, assign
from tests.factories.assessments import AssessmentResponseFactory, instrument
from tests.factories.plans import ActionStepCompletionFactory, ActionStepFactory, GoalFactory


def url(name, client, *args):
    return reverse(f"plans:{name}", args=[client.pk, *args])


@pytest.fixture
def plan(alice, counselor):
    return active_plan(alice, counselor)


def test_the_plan_tab_shows_the_active_plan_at_a_glance(alice, counselor, plan):
    step = ActionStep.objects.get(goal__problem__plan=plan)
    ActionStepCompletionFactory(step=step, logged_by=counselor)
    response = login(counselor).get(url("client-plan", alice))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Treatment plan" in html and "version 1" in html
    assert "I want to stay sober so I can get my kids back by summer." in html
    assert "Go to 2 support groups a week" in html
    assert "This week" in html and "1/2" in html
    assert "Log completion" in html
    assert "Relapse prevention" in html
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, client=alice, object_type="plans.treatmentplan"
    ).exists()


@pytest.mark.parametrize(
    "name,extra",
    [
        ("client-plan", ()),
        ("print", ()),
        ("versions", ()),
        ("version", ("plan",)),
        ("review-create", ("plan",)),
    ],
)
def test_an_outsider_gets_404_on_every_plan_page(alice, outsider, plan, name, extra):
    args = [plan.pk for _ in extra]
    assert login(outsider).get(url(name, alice, *args)).status_code == 404


def test_an_outsider_gets_404_on_drafts_completions_and_the_note_panel(alice, counselor, outsider, plan):
    draft = services.plan_create_draft(client=alice, acting_user=counselor)
    step = ActionStep.objects.get(goal__problem__plan=plan)
    note = EncounterNoteFactory(client=alice, author=counselor)
    http = login(outsider)
    assert http.get(url("draft", alice, draft.pk)).status_code == 404
    assert http.post(url("completion-create", alice, step.pk)).status_code == 404
    assert http.get(url("note-panel", alice, note.pk)).status_code == 404
    assert http.post(url("create", alice)).status_code == 404
    assert not ActionStepCompletion.objects.exists()


def test_a_peer_sees_the_plan_without_scores_and_logs_a_completion(alice, counselor, peer, plan):
    AssessmentResponseFactory(client=alice, instrument=instrument("phq9"))
    services.plan_review_record(
        plan=plan, acting_user=counselor, reviewed_on=timezone.localdate(), note="ok", goal_progress={}
    )
    step = ActionStep.objects.get(goal__problem__plan=plan)
    http = login(peer)
    html = http.get(url("client-plan", alice)).content.decode()
    assert "Go to 2 support groups a week" in html
    assert "Scores at review" not in html and "PHQ-9" not in html
    assert "Start a new version" not in html

    response = http.post(url("completion-create", alice, step.pk))

    assert response.status_code == 302
    completion = ActionStepCompletion.objects.get()
    assert completion.logged_by == peer and completion.step_lineage == step.lineage
    assert (
        http.get(
            url("note-panel", alice, EncounterNoteFactory(client=alice, author=counselor).pk)
        ).status_code
        == 404
    )


def test_a_peer_cannot_start_or_edit_a_plan(alice, counselor, peer, plan):
    draft = services.plan_create_draft(client=alice, acting_user=counselor)
    http = login(peer)
    assert http.post(url("create", alice)).status_code == 403
    assert (
        http.post(url("draft", alice, draft.pk), {"section": "header", "strengths": "x"}).status_code == 403
    )


def test_a_counselor_builds_and_signs_a_plan_through_the_pages(alice, counselor):
    http = login(counselor)
    response = http.post(url("create", alice))
    plan = TreatmentPlan.objects.get(client=alice)
    assert response["Location"] == url("draft", alice, plan.pk)

    version = open_form(http, url("draft", alice, plan.pk), form_with='value="header"')
    assert (
        http.post(
            url("draft", alice, plan.pk),
            {"section": "header", "stage_of_change": "preparation", "strengths": "Funny", **version},
        ).status_code
        == 302
    )
    assert (
        http.post(
            url("problem-create", alice, plan.pk), {"domain": "family", "description": "Kids in foster care"}
        ).status_code
        == 302
    )
    problem = Problem.objects.get(plan=plan)
    assert (
        http.post(
            url("goal-create", alice, plan.pk, problem.pk),
            {
                "client_words": "I want my kids back by summer",
                "measurable_target": "reunification hearing",
                "status": "in_progress",
            },
        ).status_code
        == 302
    )
    goal = Goal.objects.get(problem=problem)
    assert (
        http.post(
            url("step-create", alice, plan.pk, goal.pk),
            {
                "description": "Parenting class",
                "responsible": "client",
                "frequency_count": "1",
                "frequency_period": "week",
            },
        ).status_code
        == 302
    )
    assert (
        http.post(
            url("intervention-create", alice, plan.pk, goal.pk),
            {"modality": "family", "frequency": "twice a month", "responsible_staff": counselor.pk},
        ).status_code
        == 302
    )
    response = http.post(
        url("activate", alice, plan.pk),
        {"client_agreement": "signed", "client_agreement_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE and plan.strengths == "Funny" and plan.signed_by == counselor
    assert "Parenting class" in http.get(url("client-plan", alice)).content.decode()


def test_bad_step_input_shows_field_errors_and_saves_nothing(alice, counselor):
    draft = services.plan_create_draft(client=alice, acting_user=counselor)
    goal = GoalFactory(problem__plan=draft)
    response = login(counselor).post(
        url("step-create", alice, draft.pk, goal.pk),
        {"description": "Meetings", "responsible": "client", "frequency_count": "2", "frequency_period": ""},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-invalid="true"' in html and "Say per what period" in html
    assert 'value="Meetings"' in html
    assert not ActionStep.objects.filter(goal=goal).exists()


def test_activation_without_agreement_is_refused_with_field_errors(alice, counselor):
    draft = services.plan_create_draft(client=alice, acting_user=counselor)
    GoalFactory(problem__plan=draft)
    response = login(counselor).post(url("activate", alice, draft.pk), {"client_agreement_on": "2999-01-01"})
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT


def test_the_pages_refuse_to_edit_an_active_plan(alice, counselor, plan):
    problem = plan.problems.get()
    http = login(counselor)
    response = http.post(
        url("draft", alice, plan.pk), {"section": "header", "strengths": "changed"}, follow=True
    )
    assert "read-only" in response.content.decode()
    response = http.post(
        url("problem-update", alice, plan.pk, problem.pk), {"domain": "legal", "description": "x"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    problem.refresh_from_db()
    assert plan.strengths != "changed" and problem.domain != "legal"


def test_the_versions_page_diffs_two_versions(alice, counselor, plan):
    draft = services.plan_create_draft(client=alice, acting_user=counselor)
    services.plan_update(plan=draft, acting_user=counselor, data={"stage_of_change": "action"})
    goal = Goal.objects.get(problem__plan=draft)
    services.goal_update(goal=goal, acting_user=counselor, data={"measurable_target": "120 days sober"})
    services.plan_item_remove(item=ActionStep.objects.get(goal=goal), acting_user=counselor)
    services.action_step_create(
        goal=goal,
        acting_user=counselor,
        data={"description": "Call my sponsor daily", "frequency_count": 1, "frequency_period": "day"},
    )
    services.problem_create(
        plan=draft, acting_user=counselor, data={"domain": "housing", "description": "Eviction notice"}
    )

    html = login(counselor).get(url("versions", alice), {"old": plan.pk, "new": draft.pk}).content.decode()

    assert "Changes from v1 to v2" in html
    assert "Stage of change" in html and "Preparation" in html and "Action" in html
    assert "Added" in html and "Call my sponsor daily" in html and "Eviction notice" in html
    assert "Removed" in html and "Go to 2 support groups a week" in html
    assert "Changed" in html and "120 days sober" in html


def test_printing_is_audited_as_an_export(alice, counselor, plan):
    response = login(counselor).get(url("print", alice))
    assert response.status_code == 200
    assert "Client signature" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, client=alice, object_id=str(plan.pk)).exists()


def test_a_review_through_the_page_records_progress(alice, counselor, plan):
    goal = Goal.objects.get(problem__plan=plan)
    http = login(counselor)
    bad = http.post(url("review-create", alice, plan.pk), {"reviewed_on": timezone.localdate().isoformat()})
    assert bad.status_code == 400 and not PlanReview.objects.exists()
    response = http.post(
        url("review-create", alice, plan.pk),
        {
            "reviewed_on": timezone.localdate().isoformat(),
            "note": "Good month",
            f"progress_{goal.pk}": "significant",
        },
    )
    assert response.status_code == 302
    assert PlanReview.objects.get().goal_reviews.get().progress == "significant"
    assert "Significant progress" in http.get(url("client-plan", alice)).content.decode()


def test_the_note_panel_links_goals_and_is_read_only_once_signed(alice, counselor, plan):
    goal = Goal.objects.get(problem__plan=plan)
    step = ActionStep.objects.get(goal=goal)
    note = EncounterNoteFactory(client=alice, author=counselor)
    http = login(counselor)
    panel = url("note-panel", alice, note.pk)
    assert 'name="goals"' in http.get(panel, headers={"HX-Request": "true"}).content.decode()

    assert http.post(panel, {"goals": [goal.pk]}, headers={"HX-Request": "true"}).status_code == 200
    assert http.post(panel, {"step": step.pk}, headers={"HX-Request": "true"}).status_code == 200
    assert list(goal.addressed_in_notes.all()) == [note]
    assert ActionStepCompletion.objects.get().note == note

    note.status, note.signed_at, note.signed_by = "signed", timezone.now(), counselor
    note.save()
    html = http.get(panel, headers={"HX-Request": "true"}).content.decode()
    assert 'name="goals"' not in html and "locked" in html and goal.client_words in html
    assert http.post(panel, {"goals": []}).status_code == 403
    assert list(goal.addressed_in_notes.all()) == [note]


def test_the_chart_shows_an_overdue_review_and_a_missing_plan(alice, counselor, plan):
    http = login(counselor)
    TreatmentPlan.objects.filter(pk=plan.pk).update(review_due_on=dt.date(2024, 1, 5))
    assert (
        "Treatment plan review overdue since Jan 5, 2024"
        in http.get(reverse("clients:detail", args=[alice.pk])).content.decode()
    )
    bob = ClientFactory(primary_team=alice.primary_team)
    assign(bob, counselor)
    assert "No active treatment plan" in http.get(reverse("clients:detail", args=[bob.pk])).content.decode()


def test_today_lists_my_clients_due_for_review_or_without_a_plan(alice, counselor, case_manager, plan):
    TreatmentPlan.objects.filter(pk=plan.pk).update(review_due_on=timezone.localdate())
    bob = ClientFactory(primary_team=alice.primary_team, legal_first_name="Bob")
    assign(bob, counselor)
    carol = ClientFactory(primary_team=alice.primary_team, legal_first_name="Carol")
    assign(carol, counselor)
    active_plan(carol, counselor)  # not due
    html = login(counselor).get(reverse("workspace:today")).content.decode()
    assert "Plans due for review" in html
    assert "Review due today" in html and "No active plan" in html
    assert "Bob" in html and "Carol" not in html


def _grow_plan(plan, user, n):
    goal = Goal.objects.filter(problem__plan=plan).first()
    for _i in range(n):
        g = GoalFactory(problem=goal.problem)
        step = ActionStepFactory(goal=g)
        ActionStepFactory(goal=g, frequency_count=None, frequency_period="", due_on=dt.date(2030, 1, 1))
        for _ in range(3):
            ActionStepCompletionFactory(step=step, logged_by=user)


def test_the_plan_tab_issues_the_same_queries_for_small_and_large_plans(team, counselor):
    def count(n):
        client = ClientFactory(primary_team=team)
        assign(client, counselor)
        plan = active_plan(client, counselor)
        _grow_plan(plan, counselor, n)
        services.plan_review_record(
            plan=plan, acting_user=counselor, reviewed_on=timezone.localdate(), note="", goal_progress={}
        )
        http = login(counselor)
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(url("client-plan", client)).status_code == 200
        return len(ctx.captured_queries)

    few, many = count(2), count(20)
    assert few == many
    assert many <= 40


def test_today_plans_section_issues_the_same_queries_for_2_and_20_clients(team, counselor):
    def count(n):
        for _ in range(n):
            client = ClientFactory(primary_team=team)
            assign(client, counselor)
        http = login(counselor)
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(reverse("workspace:today")).status_code == 200
        return len(ctx.captured_queries)

    few = count(2)
    many = count(18)
    assert few == many
    assert many <= 40


def test_every_draft_page_renders_for_the_counselor(alice, counselor, plan):
    draft = services.plan_create_draft(client=alice, acting_user=counselor)
    problem = draft.problems.get()
    goal = Goal.objects.get(problem=problem)
    step = ActionStep.objects.get(goal=goal)
    intervention = goal.interventions.get()
    http = login(counselor)
    pages = [
        url("draft", alice, draft.pk),
        url("activate", alice, draft.pk),
        url("problem-create", alice, draft.pk),
        url("problem-update", alice, draft.pk, problem.pk),
        url("goal-create", alice, draft.pk, problem.pk),
        url("goal-update", alice, draft.pk, goal.pk),
        url("step-create", alice, draft.pk, goal.pk),
        url("step-update", alice, draft.pk, step.pk),
        url("intervention-create", alice, draft.pk, goal.pk),
        url("intervention-update", alice, draft.pk, intervention.pk),
        url("version", alice, draft.pk),
        url("review-create", alice, plan.pk),
        url("note-panel", alice, EncounterNoteFactory(client=alice, author=counselor).pk),
    ]
    for page in pages:
        assert http.get(page).status_code == 200, page
    assert "Continue editing" in http.get(url("client-plan", alice)).content.decode()
