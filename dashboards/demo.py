"""Demo rows for the dashboard's panels 1-3: makes sure the supervisor's team shows every risk flag.

Runs last (``workspace.demo.DOMAIN_SEEDERS``), looks at what the earlier seeders already produced for
the supervisor's team through the dashboard's own metrics, and adds only what a flag is missing: two
no-shows in a row, sudden isolation, a PHQ-9 rise of 5 and an item-9 answer, a moderate C-SSRS, a
crisis without its 7-day visit, a missed medication appointment, an urgent client reply left open,
and an active client still waiting for a primary counselor. Writes go through the services a person
would use where one exists (client records, assessments, contacts, crisis episodes, tasks); past
appointment outcomes are written as rows, since no one can book an appointment in the past.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from careteam.models import TaskKind, TaskPriority, User
from careteam.services import assignment_start, task_create
from clients.models import Appointment, AppointmentKind, AppointmentStatus, Client, ClientStatus

from .panels import risk
from .scope import scope_for


def _new_client(
    first: str, last: str, *, team, opened_by: User, today: dt.date, rng: random.Random
) -> Client:
    from clients.services import client_create

    return client_create(
        acting_user=opened_by,
        data={
            "legal_first_name": first,
            "legal_last_name": last,
            "date_of_birth": today - dt.timedelta(days=rng.randint(25 * 365, 55 * 365)),
            "phone": f"+1202555{rng.randint(150, 199):04d}",
            "preferred_channel": "phone",
            "status": ClientStatus.ACTIVE,
            "admitted_on": today - dt.timedelta(days=120),
            "primary_team": team,
        },
    )


def _phq9(client: Client, staff: User, total: int, *, q9: int = 0, at: dt.datetime) -> None:
    answers = {f"q{i}": 0 for i in range(1, 10)}
    answers["q9"] = q9
    remaining = total - q9
    for i in range(1, 9):
        step = min(3, remaining)
        answers[f"q{i}"] = step
        remaining -= step
    _administer(client, staff, "phq9", answers, at)


def _administer(client: Client, staff: User, code: str, answers: dict, at: dt.datetime) -> None:
    from clients.assessments.services import assessment_administer
    from clients.models import Instrument

    assessment_administer(
        client=client,
        instrument=Instrument.objects.get(code=code),
        answers=answers,
        acting_user=staff,
        administered_at=at,
    )


def _no_show(client: Client, staff: User, kind: str, at: dt.datetime) -> None:
    Appointment.objects.create(
        client=client,
        staff=staff,
        kind=kind,
        starts_at=at,
        status=AppointmentStatus.NO_SHOW,
        status_changed_at=at + dt.timedelta(minutes=20),
        status_changed_by=staff,
        created_by=staff,
    )


def seed(*, rng: random.Random, clients: list, staff: dict[str, User]) -> dict:
    supervisor, counselor = staff["supervisor"], staff["counselor"]
    now = timezone.now()
    today = timezone.localdate()
    scope = scope_for(supervisor)
    team = scope.teams().first()
    if team is None:
        return {}
    present: set[str] = {flag for row in risk.risk_rows(scope) for flag in row["flag_keys"]}
    # Active clients of the team with a counselor, in a fixed order; each added flag takes the next one.
    pool = list(
        scope.clients()
        .filter(status=ClientStatus.ACTIVE, assignments__role="primary_counselor", assignments__ended_on=None)
        .order_by("pk")
        .distinct()
    )
    rng.shuffle(pool)
    added: list[str] = []

    def take() -> Client:
        return pool.pop()

    if "no_shows" not in present and pool:
        c = take()
        _no_show(c, counselor, AppointmentKind.INDIVIDUAL, now - dt.timedelta(days=8, hours=2))
        _no_show(c, counselor, AppointmentKind.INDIVIDUAL, now - dt.timedelta(hours=2))
        added.append("no_shows")
    if "med_no_show" not in present and pool:
        _no_show(take(), counselor, AppointmentKind.MEDICATION, now - dt.timedelta(days=3, hours=4))
        added.append("med_no_show")
    if "phq9_item9" not in present and pool:
        _phq9(take(), counselor, 11, q9=1, at=now - dt.timedelta(hours=5))
        added.append("phq9_item9")
    if "phq9_rise" not in present and pool:
        c = take()
        _phq9(c, counselor, 7, at=now - dt.timedelta(days=24))
        _phq9(c, counselor, 14, at=now - dt.timedelta(days=1))
        added.append("phq9_rise")
    if "cssrs" not in present and pool:
        answers = {"q1": 1, "q2": 1, "q3": 1, "q4": 0, "q5": 0, "q6": 0}  # Q3 yes: moderate
        _administer(take(), counselor, "cssrs_screener", answers, now - dt.timedelta(days=2))
        added.append("cssrs")
    if "urgent_reply" not in present and pool:
        c = take()
        task_create(
            kind=TaskKind.CLIENT_REPLY,
            title=f"Urgent: reply from {c.preferred_name or c.legal_first_name} with risk words",
            detail="Risk words: can't go on\n\nI can't go on like this.",
            acting_user=None,
            assignee=counselor,
            client=c,
            priority=TaskPriority.URGENT,
            due_at=now - dt.timedelta(hours=3),
            dedupe_key=f"demo-dashboard-reply-{c.pk}",
        )
        added.append("urgent_reply")
    if "isolation" not in present:
        # Seen every week until 5 weeks ago, then nothing: a silence five times their usual gap.
        from clients.contacts.services import contact_log

        c = _new_client("Jordan", "Whitfield", team=team, opened_by=supervisor, today=today, rng=rng)
        assignment_start(client=c, staff=counselor, role="primary_counselor", acting_user=supervisor)
        for days in (64, 57, 50, 43, 36):
            contact_log(
                client=c,
                acting_user=counselor,
                data={"contacted_at": now - dt.timedelta(days=days), "mode": "phone", "reached": True,
                      "summary": "Weekly check-in call."},
            )  # fmt: skip
        added.append("isolation")
    if "crisis_7d" not in present:
        from crisis import services as crisis_services

        c = _new_client("Morgan", "Ellery", team=team, opened_by=supervisor, today=today, rng=rng)
        assignment_start(client=c, staff=counselor, role="primary_counselor", acting_user=supervisor)
        crisis = staff.get("crisis") or counselor
        if crisis != counselor:
            assignment_start(client=c, staff=crisis, role="crisis", acting_user=supervisor)
        episode = crisis_services.episode_open(
            client=c,
            acting_user=crisis,
            data={"source": "call", "concerns": ["suicidal_ideation"], "risk_level": "moderate",
                  "opened_at": now - dt.timedelta(days=11)},
        )  # fmt: skip
        crisis_services.episode_record_disposition(
            episode=episode,
            disposition="community",
            acting_user=crisis,
            at=now - dt.timedelta(days=11) + dt.timedelta(hours=2),
        )
        added.append("crisis_7d")
    # An active client waiting for a primary counselor (the caseload panel's unassigned count).
    unassigned = (
        scope.clients()
        .filter(status=ClientStatus.ACTIVE)
        .exclude(assignments__role="primary_counselor", assignments__ended_on=None)
    )
    if not unassigned.exists():
        _new_client("Avery", "Lindqvist", team=team, opened_by=supervisor, today=today, rng=rng)
        added.append("unassigned")
    return {"dashboard_rows_added": added}
