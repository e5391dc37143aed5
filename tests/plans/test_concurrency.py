"""No lost updates on a plan draft: its header, its problems, goals and action steps, page and API.

Casey (Alice's counselor) and Sam (the supervisor) work on the same draft. Whoever saves from a copy
that someone else has changed since is refused, keeps what they typed and sees what changed.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans import services
from plans.models import ActionStep, Goal, Problem, TreatmentPlan
from tests.concurrency import etag_of, form_as_sent, opened
from tests.conftest import api_login, login
from tests.factories import ActionStepFactory, GoalFactory, ProblemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(alice, counselor):
    return services.plan_create_draft(client=alice, acting_user=counselor)


def url(name, client, *args):
    return reverse(f"plans:{name}", args=[client.pk, *args])


def test_a_stale_save_of_the_draft_header_is_refused_and_nothing_is_lost(alice, draft, counselor, supervisor):
    casey, sam = login(counselor), login(supervisor)
    page = url("draft", alice, draft.pk)
    caseys_page = casey.get(page)

    sams_page = sam.get(page)
    sams = form_as_sent(sams_page, form_key="header_form", section="header", strengths="Loyal to her sister")
    assert sam.post(page, sams).status_code == 302

    caseys = form_as_sent(
        caseys_page, form_key="header_form", section="header", strengths="Funny, resourceful"
    )
    refused = casey.post(page, caseys)

    assert refused.status_code == 400
    assert TreatmentPlan.objects.get(pk=draft.pk).strengths == "Loyal to her sister"
    html = refused.content.decode()
    assert "Someone else changed this record since you opened it" in html
    assert "Funny, resourceful" in html  # Casey's text is still in the form
    [change] = refused.context["header_form"].concurrency_conflict
    assert (change.label, change.now) == ("Strengths", "Loyal to her sister")

    again = casey.post(page, {**caseys, **opened(refused, form_with='value="header"')})
    assert again.status_code == 302
    assert TreatmentPlan.objects.get(pk=draft.pk).strengths == "Funny, resourceful"


def test_saving_the_relapse_section_does_not_make_the_header_stale(alice, draft, counselor, supervisor):
    casey, sam = login(counselor), login(supervisor)
    page = url("draft", alice, draft.pk)
    caseys_page = casey.get(page)

    sams_page = sam.get(page)
    sams = form_as_sent(sams_page, form_key="relapse_form", section="relapse", triggers="Payday")
    assert sam.post(page, sams).status_code == 302

    caseys = form_as_sent(caseys_page, form_key="header_form", section="header", barriers="No car")
    assert casey.post(page, caseys).status_code == 302
    stored = TreatmentPlan.objects.get(pk=draft.pk)
    assert (stored.triggers, stored.barriers) == ("Payday", "No car")


ITEMS = [
    # (url name, what, the field both change, Sam's value, Casey's value, its label)
    ("problem-update", "problem", "description", "Evicted Friday", "Sleeping in her car", "Description"),
    (
        "goal-update",
        "goal",
        "client_words",
        "I want my own place",
        "I want my kids back",
        "Goal, in the client's words",
    ),
    ("step-update", "step", "description", "Call the housing line", "Visit the shelter", "Description"),
]


@pytest.mark.parametrize(("name", "what", "field", "sams_value", "caseys_value", "label"), ITEMS)
def test_a_stale_save_of_a_draft_item_is_refused(
    alice, draft, counselor, supervisor, name, what, field, sams_value, caseys_value, label
):
    step = ActionStepFactory(goal=GoalFactory(problem=ProblemFactory(plan=draft)))
    item = {"problem": step.goal.problem, "goal": step.goal, "step": step}[what]
    page = url(name, alice, draft.pk, item.pk)
    casey, sam = login(counselor), login(supervisor)
    caseys_page = casey.get(page)
    assert sam.post(page, form_as_sent(sam.get(page), **{field: sams_value})).status_code == 302

    caseys = form_as_sent(caseys_page, **{field: caseys_value})
    refused = casey.post(page, caseys)

    assert refused.status_code == 400
    item.refresh_from_db()
    assert getattr(item, field) == sams_value
    assert caseys_value in refused.content.decode()
    conflict = refused.context["form"].concurrency_conflict
    assert [(c.label, c.now) for c in conflict] == [(label, sams_value)]

    assert casey.post(page, {**caseys, **opened(refused)}).status_code == 302
    item.refresh_from_db()
    assert getattr(item, field) == caseys_value


def test_the_goal_api_refuses_a_stale_if_match_and_asks_for_a_missing_one(draft, counselor, supervisor):
    goal = GoalFactory(problem=ProblemFactory(plan=draft), client_words="Stay sober")
    detail = f"/api/v1/plan-goals/{goal.pk}/"
    casey, sam = api_login(counselor), api_login(supervisor)
    etag = etag_of(casey, detail)
    sams = sam.patch(
        detail, {"client_words": "Stay sober, one day at a time"}, format="json", HTTP_IF_MATCH=etag
    )
    assert sams.status_code == 200

    stale = casey.patch(detail, {"client_words": "Get sober"}, format="json", HTTP_IF_MATCH=etag)
    missing = casey.patch(detail, {"client_words": "Get sober"}, format="json")

    assert stale.status_code == 412
    assert stale.json()["changed"] == ["client_words"]
    assert stale.json()["current"] == {"client_words": "Stay sober, one day at a time"}
    assert missing.status_code == 428
    assert Goal.objects.get(pk=goal.pk).client_words == "Stay sober, one day at a time"
    fresh = casey.patch(detail, {"client_words": "Get sober"}, format="json", HTTP_IF_MATCH=stale["ETag"])
    assert fresh.status_code == 200 and fresh["ETag"] == etag_of(casey, detail)


def test_the_plan_and_its_items_answer_with_an_etag(draft, counselor):
    step = ActionStepFactory(goal=GoalFactory(problem=ProblemFactory(plan=draft)))
    api = api_login(counselor)
    for detail in (
        f"/api/v1/plans/{draft.pk}/",
        f"/api/v1/plan-problems/{step.goal.problem_id}/",
        f"/api/v1/plan-goals/{step.goal_id}/",
        f"/api/v1/action-steps/{step.pk}/",
    ):
        assert etag_of(api, detail).startswith('"')
    plan = api.patch(
        f"/api/v1/plans/{draft.pk}/",
        {"barriers": "No car"},
        format="json",
        HTTP_IF_MATCH=etag_of(api, f"/api/v1/plans/{draft.pk}/"),
    )
    assert plan.status_code == 200
    assert Problem.objects.filter(plan=draft).exists() and ActionStep.objects.filter(pk=step.pk).exists()
