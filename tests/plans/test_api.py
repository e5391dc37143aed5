"""The plans API: scoped like the pages, drafts only editable, illegal changes are 400s."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from plans.models import ActionStep, ActionStepCompletion, Goal, PlanStatus, TreatmentPlan
from tests.concurrency import etag_of
from tests.conftest import api_login
from tests.factories import ClientFactory, active_plan, assign
from tests.factories.plans import GoalFactory


@pytest.fixture
def plan(alice, counselor):
    return active_plan(alice, counselor)


def test_a_counselor_drafts_edits_and_activates_a_plan(alice, counselor):
    api = api_login(counselor)
    created = api.post("/api/v1/plans/", {"client": alice.pk, "strengths": "Resourceful"}, format="json")
    assert created.status_code == 201, created.json()
    plan_id = created.json()["id"]
    problem = api.post(
        "/api/v1/plan-problems/",
        {"plan": plan_id, "domain": "legal", "description": "Court date"},
        format="json",
    ).json()
    goal = api.post(
        "/api/v1/plan-goals/",
        {
            "problem": problem["id"],
            "client_words": "Get my license back",
            "measurable_target": "license reinstated",
        },
        format="json",
    ).json()
    step = api.post(
        "/api/v1/action-steps/",
        {
            "goal": goal["id"],
            "description": "Pay one fine a month",
            "frequency_count": 1,
            "frequency_period": "month",
        },
        format="json",
    )
    assert step.status_code == 201, step.json()
    etag = etag_of(api, f"/api/v1/plans/{plan_id}/")
    assert (
        api.patch(
            f"/api/v1/plans/{plan_id}/", {"barriers": "No car"}, format="json", HTTP_IF_MATCH=etag
        ).status_code
        == 200
    )

    activated = api.post(
        f"/api/v1/plans/{plan_id}/activate/",
        {"client_agreement": "verbal", "client_agreement_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert activated.status_code == 200, activated.json()
    body = activated.json()
    assert body["status"] == "active" and body["barriers"] == "No car"
    assert body["problems"][0]["goals"][0]["action_steps"][0]["frequency_period"] == "month"


def test_an_active_plan_is_read_only_through_the_api(alice, counselor, plan):
    api = api_login(counselor)
    goal = Goal.objects.get(problem__plan=plan)
    response = api.patch(f"/api/v1/plans/{plan.pk}/", {"strengths": "changed"}, format="json")
    assert response.status_code == 400 and "no longer be changed" in str(response.json())
    response = api.patch(f"/api/v1/plan-goals/{goal.pk}/", {"client_words": "changed"}, format="json")
    assert response.status_code == 400
    response = api.post("/api/v1/action-steps/", {"goal": goal.pk, "description": "x"}, format="json")
    assert response.status_code == 400
    goal.refresh_from_db()
    assert goal.client_words != "changed"


def test_new_version_copies_the_active_plan_and_activation_supersedes_it(alice, counselor, plan):
    api = api_login(counselor)
    draft = api.post(f"/api/v1/plans/{plan.pk}/new-version/", format="json")
    assert draft.status_code == 201
    assert draft.json()["version"] == 2 and draft.json()["problems"][0]["lineage"] == str(
        plan.problems.get().lineage
    )
    again = api.post(f"/api/v1/plans/{plan.pk}/new-version/", format="json")
    assert again.status_code == 400
    api.post(
        f"/api/v1/plans/{draft.json()['id']}/activate/",
        {"client_agreement": "declined", "client_agreement_on": timezone.localdate().isoformat()},
        format="json",
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUPERSEDED
    assert TreatmentPlan.objects.filter(client=alice, status=PlanStatus.ACTIVE).count() == 1


def test_bad_input_is_a_400_with_field_messages_and_nothing_saved(alice, counselor):
    api = api_login(counselor)
    draft = api.post("/api/v1/plans/", {"client": alice.pk}, format="json").json()
    goal = GoalFactory(problem__plan_id=draft["id"])
    response = api.post(
        "/api/v1/action-steps/",
        {"goal": goal.pk, "description": "Meetings", "frequency_count": 2},
        format="json",
    )
    assert response.status_code == 400 and "frequency_period" in response.json()
    bad_activation = api.post(
        f"/api/v1/plans/{draft['id']}/activate/", {"client_agreement": "maybe"}, format="json"
    )
    assert bad_activation.status_code == 400 and "client_agreement" in bad_activation.json()
    assert not ActionStep.objects.exists()


def test_an_outsider_gets_404_and_sees_no_plans(alice, outsider, plan):
    api = api_login(outsider)
    assert api.get(f"/api/v1/plans/{plan.pk}/").status_code == 404
    assert api.get("/api/v1/plans/").json()["results"] == []
    assert api.get("/api/v1/step-completions/").json()["results"] == []
    step = ActionStep.objects.get(goal__problem__plan=plan)
    assert api.post("/api/v1/step-completions/", {"step": step.pk}, format="json").status_code == 400
    assert api.post("/api/v1/plans/", {"client": alice.pk}, format="json").status_code == 400
    assert not ActionStepCompletion.objects.exists()


def test_a_peer_reads_the_plan_and_logs_completions_but_cannot_edit(alice, peer, plan):
    api = api_login(peer)
    assert api.get(f"/api/v1/plans/{plan.pk}/").status_code == 200
    step = ActionStep.objects.get(goal__problem__plan=plan)
    created = api.post(
        "/api/v1/step-completions/", {"step": step.pk, "comment": "Tuesday group"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert ActionStepCompletion.objects.get().logged_by == peer
    assert api.patch(f"/api/v1/plans/{plan.pk}/", {"strengths": "x"}, format="json").status_code == 403
    assert api.post("/api/v1/plans/", {"client": alice.pk}, format="json").status_code == 403


def test_the_plan_list_issues_the_same_queries_for_2_and_12_plans(team, counselor):
    def count(n):
        for _ in range(n):
            client = ClientFactory(primary_team=team)
            assign(client, counselor)
            active_plan(client, counselor, goals=2, steps=2)
        api = api_login(type(counselor).objects.get(pk=counselor.pk))  # fresh: no permission cache
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/api/v1/plans/").status_code == 200
        return len(ctx.captured_queries)

    few, many = count(2), count(10)
    assert few == many
    assert many <= 20
