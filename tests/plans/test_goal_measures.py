"""Goals measured by an instrument ("PHQ-9 below 10 by 2027-03-01"): the form and API take the measure
whole or not at all, new versions copy it, and the plan tab and reviews show progress toward it — to
clinicians only; peers see the goal, never the scores."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans import selectors, services
from plans.models import Goal, MeasureComparator, TreatmentPlan
from tests.concurrency import etag_of, open_form
from tests.conftest import api_login, login
from tests.factories.assessments import AssessmentResponseFactory, answers_totalling, instrument
from tests.factories.plans import GoalFactory, ProblemFactory, TreatmentPlanFactory, active_plan

NOW = timezone.now()


def url(name, client, *args):
    return reverse(f"plans:{name}", args=[client.pk, *args])


def score(client, code, total, days_ago, by=None):
    extra = {"administered_by": by} if by else {}
    return AssessmentResponseFactory(
        client=client,
        instrument=instrument(code),
        answers=answers_totalling(code, total),
        administered_at=timezone.now() - dt.timedelta(days=days_ago),
        **extra,
    )


def measured_plan(client, user, *, code="phq9", comparator=MeasureComparator.BELOW, target=10, started=60):
    """An active plan signed ``started`` days ago whose one goal is measured."""
    plan = active_plan(client, user)
    TreatmentPlan.objects.filter(pk=plan.pk).update(signed_at=timezone.now() - dt.timedelta(days=started))
    Goal.objects.filter(problem__plan=plan).update(
        measure_instrument=instrument(code), measure_comparator=comparator, measure_target=target
    )
    return plan


@pytest.fixture
def draft(alice, counselor):
    plan = TreatmentPlanFactory(client=alice, created_by=counselor)
    return plan, ProblemFactory(plan=plan)


def goal_post(**measure):
    return {
        "client_words": "I want to feel like myself again.",
        "measurable_target": "PHQ-9 under 10",
        "target_date": "2027-03-01",
        "status": "not_started",
        "measure_instrument": "",
        "measure_comparator": "",
        "measure_target": "",
    } | {k: str(v) for k, v in measure.items()}


# --- the one rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comparator", "target", "total", "met"),
    [
        (MeasureComparator.BELOW, 10, 9, True),
        (MeasureComparator.BELOW, 10, 10, False),
        (MeasureComparator.AT_OR_ABOVE, 13, 13, True),
        (MeasureComparator.AT_OR_ABOVE, 13, 12, False),
    ],
)
def test_a_goal_is_met_below_its_target_or_at_or_above_it(comparator, target, total, met):
    assert selectors.goal_measure_met(comparator=comparator, target=target, total=total) is met
    status = selectors.goal_measure_status(
        comparator=comparator, target=target, latest_total=total, scored_since=True
    )
    assert status == (selectors.MEASURE_MET if met else selectors.MEASURE_NOT_YET)


def test_a_score_from_before_the_plan_does_not_say_whether_the_goal_is_met():
    for latest in (None, 3):
        status = selectors.goal_measure_status(
            comparator=MeasureComparator.BELOW, target=10, latest_total=latest, scored_since=False
        )
        assert status == selectors.MEASURE_NO_SCORE


# --- the goal form ---------------------------------------------------------------------------------


def test_a_counselor_adds_a_goal_measured_by_phq9_below_10(alice, counselor, draft):
    plan, problem = draft
    response = login(counselor).post(
        url("goal-create", alice, plan.pk, problem.pk),
        goal_post(measure_instrument=instrument("phq9").pk, measure_comparator="below", measure_target=10),
    )
    assert response.status_code == 302
    goal = Goal.objects.get(problem=problem)
    assert (goal.measure_instrument.code, goal.measure_comparator, goal.measure_target) == (
        "phq9",
        "below",
        10,
    )
    assert goal.target_date == dt.date(2027, 3, 1)


def test_a_goal_without_a_measure_is_still_fine(alice, counselor, draft):
    plan, problem = draft
    response = login(counselor).post(url("goal-create", alice, plan.pk, problem.pk), goal_post())
    assert response.status_code == 302
    assert Goal.objects.get(problem=problem).measure_instrument is None


@pytest.mark.parametrize(
    ("measure", "bad_fields"),
    [
        ({"measure_instrument": "phq9"}, {"measure_comparator", "measure_target"}),
        ({"measure_comparator": "below", "measure_target": 10}, {"measure_instrument"}),
        (
            {"measure_instrument": "phq9", "measure_comparator": "below", "measure_target": 28},
            {"measure_target"},
        ),
        (
            {"measure_instrument": "phq9", "measure_comparator": "below", "measure_target": 0},
            {"measure_target"},
        ),
        (
            {"measure_instrument": "barc10", "measure_comparator": "at_or_above", "measure_target": 5},
            {"measure_target"},
        ),
        # The C-SSRS screen has a risk level, not a total: it is not offered.
        (
            {"measure_instrument": "cssrs_screener", "measure_comparator": "below", "measure_target": 1},
            {"measure_instrument"},
        ),
    ],
)
def test_a_partial_or_out_of_range_measure_is_refused_with_field_errors(
    alice, counselor, draft, measure, bad_fields
):
    plan, problem = draft
    if "measure_instrument" in measure:
        measure["measure_instrument"] = instrument(measure["measure_instrument"]).pk
    response = login(counselor).post(url("goal-create", alice, plan.pk, problem.pk), goal_post(**measure))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == bad_fields
    assert not Goal.objects.filter(problem=problem).exists()


def test_the_form_offers_the_new_instruments_with_a_total(alice, counselor, draft):
    plan, problem = draft
    html = login(counselor).get(url("goal-create", alice, plan.pk, problem.pk)).content.decode()
    assert "WHO-5" in html and "PHQ-9" in html and "COWS" in html
    assert "C-SSRS" not in html


def test_editing_a_goal_can_clear_its_measure(alice, counselor, draft):
    plan, problem = draft
    goal = GoalFactory(
        problem=problem, measure_instrument=instrument("gad7"), measure_comparator="below", measure_target=5
    )
    http = login(counselor)
    post = goal_post() | open_form(http, url("goal-update", alice, plan.pk, goal.pk))
    response = http.post(url("goal-update", alice, plan.pk, goal.pk), post)
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.measure_instrument, goal.measure_comparator, goal.measure_target) == (None, "", None)


# --- the API ---------------------------------------------------------------------------------------


def test_the_api_takes_a_measure_by_instrument_code(alice, counselor, draft):
    _, problem = draft
    api = api_login(counselor)
    body = {
        "problem": problem.pk,
        "client_words": "Feel well again",
        "measurable_target": "WHO-5 of 13 or more",
        "measure_instrument": "who5",
        "measure_comparator": "at_or_above",
        "measure_target": 13,
    }
    created = api.post("/api/v1/plan-goals/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["measure_instrument"] == "who5" and created.json()["measure_target"] == 13


@pytest.mark.parametrize(
    ("measure", "bad_fields"),
    [
        ({"measure_instrument": "phq9"}, {"measure_comparator", "measure_target"}),
        (
            {"measure_instrument": "phq9", "measure_comparator": "below", "measure_target": 30},
            {"measure_target"},
        ),
        (
            {"measure_instrument": "cssrs_screener", "measure_comparator": "below", "measure_target": 1},
            {"measure_instrument"},
        ),
        (
            {"measure_instrument": "phq9", "measure_comparator": "sideways", "measure_target": 3},
            {"measure_comparator"},
        ),
    ],
)
def test_the_api_refuses_a_partial_or_out_of_range_measure(alice, counselor, draft, measure, bad_fields):
    _, problem = draft
    body = {"problem": problem.pk, "client_words": "x", "measurable_target": "y"} | measure
    response = api_login(counselor).post("/api/v1/plan-goals/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == bad_fields
    assert not Goal.objects.filter(problem=problem).exists()


def test_a_partial_api_update_is_checked_against_the_stored_measure(alice, counselor, draft):
    _, problem = draft
    goal = GoalFactory(
        problem=problem, measure_instrument=instrument("phq9"), measure_comparator="below", measure_target=10
    )
    api = api_login(counselor)
    path = f"/api/v1/plan-goals/{goal.pk}/"
    response = api.patch(path, {"measure_target": 40}, format="json", HTTP_IF_MATCH=etag_of(api, path))
    assert response.status_code == 400 and set(response.json()) == {"measure_target"}
    response = api.patch(path, {"measure_target": 5}, format="json", HTTP_IF_MATCH=etag_of(api, path))
    assert response.status_code == 200
    goal.refresh_from_db()
    assert goal.measure_target == 5


def test_a_peer_reads_goals_through_the_api_without_their_measure(alice, counselor, peer):
    plan = measured_plan(alice, counselor)
    goal = Goal.objects.get(problem__plan=plan)
    response = api_login(peer).get(f"/api/v1/plan-goals/{goal.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["client_words"] == goal.client_words
    assert not {"measure_instrument", "measure_comparator", "measure_target"} & set(body)


def test_an_outsider_gets_404_on_a_measured_goal(alice, counselor, outsider):
    plan = measured_plan(alice, counselor)
    goal = Goal.objects.get(problem__plan=plan)
    assert api_login(outsider).get(f"/api/v1/plan-goals/{goal.pk}/").status_code == 404
    assert login(outsider).get(url("client-plan", alice)).status_code == 404


# --- new versions -----------------------------------------------------------------------------------


def test_a_new_version_copies_each_goals_measure(alice, counselor):
    plan = measured_plan(alice, counselor, code="who5", comparator=MeasureComparator.AT_OR_ABOVE, target=13)
    draft = services.plan_create_draft(client=alice, acting_user=counselor)
    copied = Goal.objects.get(problem__plan=draft)
    original = Goal.objects.get(problem__plan=plan)
    assert copied.lineage == original.lineage
    assert (copied.measure_instrument.code, copied.measure_comparator, copied.measure_target) == (
        "who5",
        "at_or_above",
        13,
    )


# --- progress on the plan tab -------------------------------------------------------------------------


def test_the_plan_tab_shows_baseline_latest_target_and_met(alice, counselor):
    measured_plan(alice, counselor, started=60)
    score(alice, "phq9", 18, days_ago=90)  # before the plan: not the baseline when there are later ones
    score(alice, "phq9", 16, days_ago=50)  # first since the plan started: the baseline
    score(alice, "phq9", 12, days_ago=20)
    score(alice, "phq9", 8, days_ago=2)  # latest: below 10, met
    response = login(counselor).get(url("client-plan", alice))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Measured by PHQ-9: below 10" in html
    goal = response.context["plan"].problems.all()[0].goals.all()[0]
    progress = goal.measure_progress
    assert (progress.baseline.total, progress.latest.total, progress.target) == (16, 8, 10)
    assert progress.status == selectors.MEASURE_MET and "Met" in html
    assert progress.direction == "better" and progress.arrow == "↓"
    assert "Scores, oldest first: 16, 12, 8" in html


def test_the_baseline_is_the_latest_score_before_the_plan_when_none_came_after(alice, counselor):
    measured_plan(alice, counselor, started=30)
    score(alice, "phq9", 20, days_ago=90)
    score(alice, "phq9", 14, days_ago=40)
    response = login(counselor).get(url("client-plan", alice))
    progress = response.context["plan"].problems.all()[0].goals.all()[0].measure_progress
    assert progress.baseline.total == 14
    assert progress.status == selectors.MEASURE_NO_SCORE
    assert "No score since the plan started" in response.content.decode()


def test_a_goal_not_yet_met_and_a_goal_with_no_scores(alice, counselor):
    plan = measured_plan(alice, counselor, code="who5", comparator=MeasureComparator.AT_OR_ABOVE, target=13)
    GoalFactory(
        problem=plan.problems.get(),
        client_words="Sleep through the night",
        measure_instrument=instrument("gad7"),
        measure_comparator="below",
        measure_target=5,
    )
    score(alice, "who5", 10, days_ago=3)
    response = login(counselor).get(url("client-plan", alice))
    goals = {g.client_words: g for g in response.context["plan"].problems.all()[0].goals.all()}
    assert goals["Sleep through the night"].measure_progress.status == selectors.MEASURE_NO_SCORE
    assert goals["Sleep through the night"].measure_progress.latest is None
    assert "no scores" in response.content.decode()
    measured = [g for g in goals.values() if g.measure_instrument and g.measure_instrument.code == "who5"]
    assert measured[0].measure_progress.status == selectors.MEASURE_NOT_YET


def test_a_peer_sees_the_goal_but_not_its_measure_or_scores(alice, counselor, peer):
    measured_plan(alice, counselor)
    score(alice, "phq9", 8, days_ago=2)
    response = login(peer).get(url("client-plan", alice))
    html = response.content.decode()
    assert response.status_code == 200
    assert "I want to stay sober so I can get my kids back by summer." in html
    assert "Measured by" not in html and "PHQ-9" not in html and "Baseline" not in html
    goal = response.context["plan"].problems.all()[0].goals.all()[0]
    assert not hasattr(goal, "measure_progress")


def _plan_tab_queries(http, client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url("client-plan", client)).status_code == 200
    return len(ctx.captured_queries)


def test_the_plan_tab_query_count_stays_flat_from_2_to_50_measured_goals_and_scores(alice, counselor):
    plan = measured_plan(alice, counselor)
    problem = plan.problems.get()
    codes = ["phq9", "gad7", "who5", "barc10"]

    def add(n):
        for i in range(n):
            code = codes[i % len(codes)]
            low, high = {"phq9": (0, 27), "gad7": (0, 21), "who5": (0, 25), "barc10": (10, 60)}[code]
            GoalFactory(
                problem=problem,
                measure_instrument=instrument(code),
                measure_comparator="below",
                measure_target=high,
            )
            score(alice, code, low + i % 5, days_ago=i % 40, by=counselor)

    http = login(counselor)
    add(2)
    small = _plan_tab_queries(http, alice)
    add(48)
    assert _plan_tab_queries(http, alice) == small


# --- reviews ----------------------------------------------------------------------------------------


def test_the_review_form_shows_progress_and_the_recorded_review_keeps_the_status_of_the_day(alice, counselor):
    plan = measured_plan(alice, counselor)
    score(alice, "phq9", 12, days_ago=10)
    http = login(counselor)
    form_page = http.get(url("review-create", alice, plan.pk))
    assert form_page.status_code == 200
    assert "Measured by PHQ-9: below 10" in form_page.content.decode()
    goal = Goal.objects.get(problem__plan=plan)
    posted = http.post(
        url("review-create", alice, plan.pk),
        {
            "reviewed_on": timezone.localdate().isoformat(),
            f"progress_{goal.pk}": "some",
            f"note_{goal.pk}": "",
        },
    )
    assert posted.status_code == 302
    score(alice, "phq9", 4, days_ago=0)  # after the review: met now, not at the review
    page = http.get(url("client-plan", alice))
    (review,) = page.context["reviews"]
    (gr,) = review.goal_reviews.all()
    assert gr.measure_progress.status == selectors.MEASURE_NOT_YET and gr.measure_progress.latest.total == 12
    live = page.context["plan"].problems.all()[0].goals.all()[0].measure_progress
    assert live.status == selectors.MEASURE_MET


def test_a_peer_sees_no_measure_on_past_reviews(alice, counselor, peer):
    plan = measured_plan(alice, counselor)
    score(alice, "phq9", 12, days_ago=10)
    goal = Goal.objects.get(problem__plan=plan)
    services.plan_review_record(
        plan=plan,
        acting_user=counselor,
        reviewed_on=timezone.localdate(),
        note="",
        goal_progress={goal.pk: ("some", "")},
    )
    html = login(peer).get(url("client-plan", alice)).content.decode()
    assert "Some progress" in html
    assert "PHQ-9" not in html and "Not yet" not in html


def test_the_versions_diff_shows_a_changed_measure_to_clinicians_only(alice, counselor, peer):
    from careteam.minimum_necessary import sections_visible_to
    from plans.diff import plan_diff

    plan = measured_plan(alice, counselor)
    draft = services.plan_create_draft(client=alice, acting_user=counselor)
    Goal.objects.filter(problem__plan=draft).update(measure_target=5)
    old = selectors.plan_get_for_client(alice, plan.pk)
    new = selectors.plan_get_for_client(alice, draft.pk)
    changed = plan_diff(old, new, visible=sections_visible_to(counselor)).of("changed")
    assert [(f.old, f.new) for f in changed[0].fields] == [("10", "5")]
    assert not plan_diff(old, new, visible=sections_visible_to(peer)).of("changed")
