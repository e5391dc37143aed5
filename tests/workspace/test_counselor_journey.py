"""A counselor's working day, through the pages only (no admin, no services called by the test):
intake, an intake PHQ-9, a signed treatment plan with a goal and a tracked step, a session held,
noted and signed, and the trend on the chart. Each part is tested in depth in its own app; this
proves they work together the way a counselor meets them."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from careteam.models import Task, TaskKind
from clients.models import Appointment, AssessmentResponse, Client, EncounterNote
from plans.models import ActionStep, Goal, Problem, TreatmentPlan
from tests.conftest import login


def follow_ok(response, status=302):
    assert response.status_code == status, response.content.decode()[:3000]
    return response


def test_a_counselor_does_intake_assessment_plan_and_a_signed_session_note_in_the_browser(team, counselor):
    http = login(counselor)

    # Intake.
    follow_ok(
        http.post(
            reverse("clients:create"),
            {
                "legal_first_name": "Rosa",
                "legal_last_name": "Delgado",
                "date_of_birth": "1988-04-02",
                "sex_at_birth": "female",
                "preferred_language": "es",
                "interpreter_needed": "on",
                "phone": "(202) 555-0199",
                "preferred_channel": "phone",
                "time_zone": "America/New_York",
                "status": "active",
                "primary_team": team.pk,
            },
        )
    )
    rosa = Client.objects.get(legal_last_name="Delgado")
    assert http.get(reverse("clients:detail", args=[rosa.pk])).status_code == 200

    # An intake PHQ-9 with item 9 answered: the chart flags it and one risk-screen task appears.
    answers = {f"q{i}": "2" for i in range(1, 9)} | {"q9": "1"}
    follow_ok(http.post(reverse("clients:assessment-administer", args=[rosa.pk, "phq9"]), answers))
    phq9 = AssessmentResponse.objects.get(client=rosa, instrument__code="phq9")
    assert (phq9.total, phq9.band) == (17, "moderately_severe")
    chart = http.get(reverse("clients:detail", args=[rosa.pk])).content.decode()
    assert "Suicide risk flag" in chart
    assert Task.objects.filter(client=rosa, kind=TaskKind.RISK_SCREEN, assignee=counselor).count() == 1

    # A treatment plan: a problem, a goal in her words, a step "2 per week", signed with her agreement.
    follow_ok(http.post(reverse("plans:create", args=[rosa.pk])))
    plan = TreatmentPlan.objects.get(client=rosa)
    follow_ok(
        http.post(
            reverse("plans:problem-create", args=[rosa.pk, plan.pk]),
            {"domain": "substance_use", "description": "Drinking daily since losing her job."},
        )
    )
    problem = Problem.objects.get(plan=plan)
    follow_ok(
        http.post(
            reverse("plans:goal-create", args=[rosa.pk, plan.pk, problem.pk]),
            {
                "client_words": "Quiero estar sobria para mi hija.",
                "measurable_target": "30 days without alcohol, confirmed at weekly sessions",
                "target_date": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
                "status": "in_progress",
            },
        )
    )
    goal = Goal.objects.get(problem=problem)
    follow_ok(
        http.post(
            reverse("plans:step-create", args=[rosa.pk, plan.pk, goal.pk]),
            {
                "description": "Go to 2 support groups a week",
                "responsible": "client",
                "frequency_count": "2",
                "frequency_period": "week",
            },
        )
    )
    follow_ok(
        http.post(
            reverse("plans:activate", args=[rosa.pk, plan.pk]),
            {"client_agreement": "verbal", "client_agreement_on": timezone.localdate().isoformat()},
        )
    )
    plan.refresh_from_db()
    assert plan.status == "active" and plan.signed_by == counselor
    plan_page = http.get(reverse("plans:client-plan", args=[rosa.pk])).content.decode()
    assert "Quiero estar sobria para mi hija." in plan_page and "Go to 2 support groups a week" in plan_page

    # A session an hour ago, marked attended, noted in DAP and signed.
    local = timezone.now().astimezone(ZoneInfo(counselor.time_zone)) - dt.timedelta(hours=1)
    follow_ok(
        http.post(
            reverse("clients:encounters:appointment-create", args=[rosa.pk]),
            {
                "staff": counselor.pk,
                "kind": "individual",
                "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
                "duration_minutes": "50",
                "location": "Room 2",
            },
        )
    )
    session = Appointment.objects.get(client=rosa)
    follow_ok(
        http.post(
            reverse("clients:encounters:appointment-status", args=[rosa.pk, session.pk]),
            {"status": "attended"},
        )
    )
    follow_ok(
        http.post(
            reverse("clients:encounters:note-create", args=[rosa.pk]) + f"?appointment={session.pk}",
            {
                "format": "dap",
                "data": "Rosa reports four days without alcohol; attended one group.",
                "assessment": "Engaged, motivated by her daughter; cravings in the evenings.",
                "plan": "Second group this week; review coping plan next session.",
                "minutes_spent": "50",
                "appointment": session.pk,
                "sign": "1",
            },
        )
    )
    note = EncounterNote.objects.get(client=rosa)
    assert note.status == "signed" and note.appointment == session

    # The locked note refuses edits; the trend shows on the assessments tab.
    follow_ok(http.get(reverse("clients:encounters:note-update", args=[rosa.pk, note.pk])))
    note.refresh_from_db()
    assert note.status == "signed"
    trends = http.get(reverse("clients:assessments", args=[rosa.pk])).content.decode()
    assert "<svg" in trends and "Moderately severe" in trends
    assert ActionStep.objects.filter(goal__problem__plan=plan).count() == 1
