"""Demo treatment plans: active plans for most active clients with months of step completions,
a few second versions, a couple overdue for review, one draft in progress, some reviews.

Everything goes through ``plans.services``."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from careteam.models import CareTeamAssignment, CaseRole, User
from careteam.timezones import client_time_zone
from clients.models import Client, ClientStatus

from . import services

# (domain, description, goal in the client's words, measurable target, [(step, who, count, period)], modality)
PROBLEMS = [
    (
        "substance_use",
        "Daily alcohol use for six years; two DUIs; wants to stop.",
        "I want to stay sober so I can be there for my kids.",
        "90 consecutive days alcohol-free, confirmed at weekly check-ins",
        [("Go to 2 support groups a week", "client", 2, "week"), ("Call my sponsor", "client", 3, "week")],
        "relapse_prevention",
    ),
    (
        "substance_use",
        "Opioid use disorder, on buprenorphine since intake.",
        "I don't want to be dope sick ever again.",
        "Attend every MAT appointment for 3 months; negative screens",
        [
            ("Take medication as prescribed", "client", 1, "day"),
            ("Go to a Narcotics Anonymous meeting", "client", 2, "week"),
        ],
        "mat",
    ),
    (
        "family",
        "Children placed with grandmother by CPS in January.",
        "I want to get my kids back by summer.",
        "Unsupervised weekend visits approved by the family court",
        [
            ("Attend parenting class", "client", 1, "week"),
            ("Supervised visit with the kids", "client", 2, "month"),
        ],
        "family",
    ),
    (
        "housing",
        "Staying on a friend's couch; needs own place.",
        "I want my own place with a door that locks.",
        "Signed lease by the target date",
        [
            ("Apply to apartments", "client", 3, "week"),
            ("Housing authority appointment", "case_manager", None, None),
        ],
        "other",
    ),
    (
        "employment",
        "Lost restaurant job after missing shifts.",
        "I want to be working again and paying my own bills.",
        "Part-time job of at least 20 hours a week",
        [
            ("Send job applications", "client", 5, "week"),
            ("Update résumé with the job coach", "client", None, None),
        ],
        "mi",
    ),
    (
        "mental_health",
        "Anxiety and low mood; PHQ-9 moderate at intake.",
        "I want to feel like myself again and sleep through the night.",
        "PHQ-9 under 10 on two readings in a row",
        [("Practice breathing exercise", "client", 4, "week"), ("Keep a mood log", "client", 5, "week")],
        "cbt",
    ),
    (
        "legal",
        "Probation until next year; court fines outstanding.",
        "I want to finish probation without a violation.",
        "No violations; fines paid off on schedule",
        [
            ("Check in with probation officer", "client", 2, "month"),
            ("Court date reminder call", "peer", None, None),
        ],
        "other",
    ),
    (
        "recovery_supports",
        "Few sober friends; isolates on weekends.",
        "I want people around me who don't use.",
        "Two sober activities a week with a peer or group",
        [("Sober activity with a peer", "peer", 2, "week")],
        "other",
    ),
]

RELAPSE = {
    "triggers": "Payday; arguments with my ex; driving past the old bar on 5th Street.",
    "early_warning_signs": "Skipping meetings, not answering my sponsor, staying up late.",
    "coping_strategies": "Call my sister, go for a walk, play the urge out to the end, HALT check.",
    "sober_supports": "Sponsor (Marcus), my sister, Tuesday night group.",
    "lapse_plan": "Tell my counselor within a day; go to a meeting that night; it is a lapse, not a failure.",
}
STRENGTHS = [
    "Loves her kids; funny; six years of steady work as a line cook.",
    "Persistent; good with his hands; close to his grandmother.",
    "Honest about use; finished a GED in treatment; likes to run.",
]


def _primary_counselor(client: Client, staff: dict[str, User]) -> User:
    assignment = (
        CareTeamAssignment.objects.active()
        .filter(client=client, role=CaseRole.PRIMARY_COUNSELOR)
        .select_related("staff")
        .first()
    )
    return assignment.staff if assignment else staff["counselor"]


def _build_draft(*, rng, client, author, k_problems: int, overdue_on: dt.date | None = None):
    plan = services.plan_create_draft(client=client, acting_user=author)
    services.plan_update(
        plan=plan,
        acting_user=author,
        data={
            "stage_of_change": rng.choice(
                ["contemplation", "preparation", "action", "action", "maintenance"]
            ),
            "strengths": rng.choice(STRENGTHS),
            "preferences": "Evening appointments; prefers text reminders.",
            "barriers": rng.choice(
                ["No car; bus pass runs out mid-month.", "Works split shifts.", "No phone minutes."]
            ),
            "review_due_on": overdue_on,
            **RELAPSE,
        },
    )
    today = timezone.localdate()
    for order, (domain, description, words, target, steps, modality) in enumerate(
        rng.sample(PROBLEMS, k_problems)
    ):
        problem = services.problem_create(
            plan=plan, acting_user=author, data={"domain": domain, "description": description, "order": order}
        )
        goal = services.goal_create(
            problem=problem,
            acting_user=author,
            data={
                "client_words": words,
                "measurable_target": target,
                "target_date": today + dt.timedelta(days=rng.randint(45, 200)),
                "status": rng.choice(["in_progress", "in_progress", "not_started"]),
            },
        )
        for description, who, count, period in steps:
            services.action_step_create(
                goal=goal,
                acting_user=author,
                data={
                    "description": description,
                    "responsible": who,
                    "frequency_count": count,
                    "frequency_period": period or "",
                    "due_on": None if count else today + dt.timedelta(days=rng.randint(-10, 40)),
                    # Support-group attendance recorded by peers fills these steps by itself.
                    "counts_group_attendance": "support group" in description
                    or "Anonymous meeting" in description,
                },
            )
        services.intervention_create(
            goal=goal,
            acting_user=author,
            data={
                "modality": modality,
                "frequency": "weekly 50-minute sessions",
                "responsible_staff": author,
            },
        )
    return plan


def _activate(plan, author, rng):
    return services.plan_activate(
        plan=plan,
        acting_user=author,
        client_agreement=rng.choice(["signed", "signed", "verbal", "declined"]),
        client_agreement_on=timezone.localdate() - dt.timedelta(days=rng.randint(0, 3)),
    )


def _log_history(*, rng, plan, loggers: list[User], weeks: int) -> int:
    """Months of completions with realistic irregularity: good weeks, missed weeks, a slump."""
    now = timezone.now()
    tz = client_time_zone(plan.client)
    logged = 0
    slump = rng.randint(2, weeks - 2)
    steps = [s for p in plan.problems.all() for g in p.goals.all() for s in g.action_steps.all()]
    for step in steps:
        if not step.is_recurring:
            if rng.random() < 0.5:
                services.step_completion_log(
                    client=plan.client,
                    step=step,
                    acting_user=rng.choice(loggers),
                    completed_at=now - dt.timedelta(days=rng.randint(1, 20)),
                )
                logged += 1
            continue
        per_week = {
            "day": 7 * step.frequency_count,
            "week": step.frequency_count,
            "month": step.frequency_count / 4,
        }[step.frequency_period]
        for week in range(weeks):
            keen = 0.3 if abs(week - slump) <= 1 else rng.choice([0.6, 0.9, 1.0, 1.1])
            n = max(0, round(per_week * keen + rng.uniform(-0.6, 0.6)))
            for _ in range(n):
                local = (now - dt.timedelta(weeks=week, days=rng.randint(0, 6))).astimezone(tz)
                at = local.replace(
                    hour=rng.choice([8, 12, 18, 19, 20, 21]), minute=rng.choice([0, 15, 30, 45])
                )
                if at >= now:
                    continue
                services.step_completion_log(
                    client=plan.client, step=step, acting_user=rng.choice(loggers), completed_at=at
                )
                logged += 1
    return logged


def seed(*, rng: random.Random, clients: list[Client], staff: dict[str, User]) -> int:
    """Active plans for about 80% of the active clients (2 to 4 problems each, months of completions);
    three with a superseded v1 and an active v2; two overdue for review; one draft in progress;
    reviews on a few. Returns how many plans were saved."""
    active = [c for c in clients if c.status == ClientStatus.ACTIVE and c.archived_at is None]
    with_plans = rng.sample(active, k=round(len(active) * 0.8))
    without = [c for c in active if c not in with_plans]
    saved = 0
    for i, client in enumerate(with_plans):
        author = _primary_counselor(client, staff)
        overdue_on = timezone.localdate() - dt.timedelta(days=rng.randint(3, 20)) if i in (1, 4) else None
        plan = _build_draft(
            rng=rng, client=client, author=author, k_problems=rng.randint(2, 4), overdue_on=overdue_on
        )
        plan = _activate(plan, author, rng)
        saved += 1
        if i in (0, 2, 5):  # a second version: one goal reworded, one step added, a problem dropped
            draft = services.plan_create_draft(
                client=client, acting_user=author, change_reason="90-day review"
            )
            problems = list(draft.problems.all())
            goal = problems[0].goals.first()
            services.goal_update(
                goal=goal,
                acting_user=author,
                data={
                    "measurable_target": goal.measurable_target + " (extended after a lapse)",
                    "status": "revised",
                },
            )
            services.action_step_create(
                goal=goal,
                acting_user=author,
                data={
                    "description": "Check in with my peer coach",
                    "responsible": "peer",
                    "frequency_count": 1,
                    "frequency_period": "week",
                },
            )
            if len(problems) > 2:
                services.plan_item_remove(item=problems[-1], acting_user=author)
            services.plan_update(plan=draft, acting_user=author, data={"stage_of_change": "action"})
            plan = _activate(draft, author, rng)
            saved += 1
        plan = (
            type(plan)
            .objects.prefetch_related("problems__goals__action_steps")
            .select_related("client")
            .get(pk=plan.pk)
        )
        _log_history(rng=rng, plan=plan, loggers=[author, author, staff["peer"]], weeks=rng.randint(8, 18))
        if i in (0, 3, 6, 7) and overdue_on is None:
            goals = [g for p in plan.problems.all() for g in p.goals.all()]
            services.plan_review_record(
                plan=plan,
                acting_user=author,
                reviewed_on=timezone.localdate() - dt.timedelta(days=rng.randint(1, 10)),
                note="Reviewed with the client; adjusted supports where steps slipped.",
                goal_progress={
                    g.pk: (rng.choice(["some", "some", "significant", "none", "achieved"]), "") for g in goals
                },
            )
    if without:
        client = without[0]
        _build_draft(rng=rng, client=client, author=_primary_counselor(client, staff), k_problems=2)
        saved += 1
    return saved
