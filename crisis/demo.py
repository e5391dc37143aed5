"""Demo crisis work: episodes in every state, safety plans with several versions, caring contacts.

Through the services (episodes, dispositions, plans, caring contacts; contacts and appointments
through their own apps' services), with times set in the past so the checkpoints show met, due
and missed. One caring-contact plan started about three months ago has its first messages marked
sent — the one raw update, standing in for the dispatcher having run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random

from django.core.exceptions import ValidationError
from django.utils import timezone

from careteam import access
from careteam.errors import DomainError
from careteam.models import EmergencyAccessReason, User
from careteam.services import emergency_access_end, emergency_access_open
from clients.contacts.services import contact_log
from clients.encounters import services as encounters
from clients.models import Client, ClientStatus
from outreach.models import MessageStatus, ScheduledMessage

from . import services
from .models import CrisisEpisode

PLAN_V1 = {
    "warning_signs": ["Not sleeping for two nights", "Skipping meals", "Staying in my room all day"],
    "coping_strategies": ["Walk around the block", "Shower and put on music"],
    "distractions": ["The library on Main Street", "Coffee with my cousin"],
    "help_contacts": [{"name": "My sister", "phone": "555-0142"}],
    "professionals": [
        {"name": "988 Suicide & Crisis Lifeline (call or text)", "phone": "988"},
        {"name": "Clinic front desk", "phone": "555-0100"},
    ],
    "environment_safety": ["Medicines kept by my sister"],
    "reasons_for_living": ["My daughter", "Finishing my course"],
}


def _reachable(client: Client) -> bool:
    return bool(client.email or (client.text_consent_on_file and client.phone))


def seed(*, rng: random.Random, clients: list, staff: dict[str, User]) -> dict:
    """Four crisis episodes (open; disposition with met and unmet checkpoints; ED with follow-up;
    closed), safety plans with two or three versions, and a caring-contact plan three months in."""
    worker = staff.get("counselor") or next(iter(staff.values()))
    now = timezone.now()
    mine = [
        c
        for c in clients
        if c.status == ClientStatus.ACTIVE and access.client_can_access(worker, c, access.CHANGE)
    ]
    if len(mine) < 4 or CrisisEpisode.objects.filter(client__in=mine).exists():
        return {"episodes": 0}
    reachable = [c for c in mine if _reachable(c)]
    long_running = rng.choice(reachable) if reachable else rng.choice(mine)
    picked = [*rng.sample([c for c in mine if c != long_running], 3), long_running]
    counts = {"episodes": 0, "safety_plans": 0, "caring_contact_plans": 0}

    def open_(client, days_ago, risk, concerns, source="call"):
        counts["episodes"] += 1
        return services.episode_open(
            client=client,
            acting_user=worker,
            data={
                "source": source,
                "concerns": concerns,
                "risk_level": risk,
                "immediate_actions": ["gave_988", "safety_plan", "means_restriction"],
                "opened_at": now - dt.timedelta(days=days_ago),
                "summary": "Demo episode.",
            },
        )

    def contact(client, at):
        with contextlib.suppress(ValidationError):
            contact_log(
                client=client,
                acting_user=worker,
                data={"contacted_at": at, "mode": "phone", "purpose": "crisis_follow_up", "reached": True},
            )

    def attended(client, at):
        try:
            appt = encounters.appointment_schedule(
                client=client,
                staff=worker,
                kind="crisis_follow_up",
                starts_at=at,
                duration_minutes=50,
                location="Room 3",
                acting_user=worker,
                allow_double_booking=True,
            )
            encounters.appointment_set_status(appointment=appt, status="attended", acting_user=worker)
        except (DomainError, ValidationError):
            pass

    # 1. Open today, no disposition yet, high risk.
    open_(picked[0], 0, "high", ["suicidal_ideation", "intoxication_withdrawal"], source="crisis_line")

    # 2. Disposition two days ago: 24 h contact met, 72 h still due, the 7-day visit ahead.
    ep = open_(picked[1], 2.2, "moderate", ["self_harm", "grief"])
    services.episode_record_disposition(
        episode=ep, disposition="urgent_outpatient", acting_user=worker, at=now - dt.timedelta(days=2)
    )
    contact(picked[1], now - dt.timedelta(days=2) + dt.timedelta(hours=20))

    # 3. ED ten days ago: 24 h contact missed, 72 h met by a call, 7-day visit met, 30-day still open.
    ep = open_(picked[2], 10.5, "high", ["overdose"], source="ed")
    discharge = now - dt.timedelta(days=10)
    services.episode_record_disposition(episode=ep, disposition="ed", acting_user=worker, at=discharge)
    contact(picked[2], discharge + dt.timedelta(hours=50))
    attended(picked[2], discharge + dt.timedelta(days=6))

    # 4. Three months ago, closed; caring contacts running since then.
    ep = open_(picked[3], 92, "moderate", ["homelessness", "suicidal_ideation"], source="walk_in")
    at = now - dt.timedelta(days=91)
    services.episode_record_disposition(episode=ep, disposition="community", acting_user=worker, at=at)
    contact(picked[3], at + dt.timedelta(hours=5))
    services.episode_close(episode=ep, acting_user=worker)

    for i, client in enumerate(picked[1:]):
        services.safety_plan_save(client=client, acting_user=worker, data=PLAN_V1, reason="new_crisis")
        coping = [*PLAN_V1["coping_strategies"], "Breathing app, 5 minutes"]
        updated = {**PLAN_V1, "coping_strategies": coping}
        services.safety_plan_save(client=client, acting_user=worker, data=updated, reason="review")
        counts["safety_plans"] += 2
        if i == 0:
            services.safety_plan_save(
                client=client,
                acting_user=worker,
                data={**updated, "reasons_for_living": [*updated["reasons_for_living"], "My dog"]},
                reason="client_request",
            )
            counts["safety_plans"] += 1

    if _reachable(long_running):
        plan = services.caring_contacts_start(
            client=long_running,
            acting_user=worker,
            start_date=(now - dt.timedelta(days=90)).date(),
            episode=ep,
        )
        counts["caring_contact_plans"] += 1
        past = ScheduledMessage.objects.filter(
            source_type="crisis.caringcontactplan", source_id=str(plan.pk), due_at__lt=now
        )
        for message in past:
            ScheduledMessage.objects.filter(pk=message.pk).update(
                status=MessageStatus.SENT, sent_at=message.due_at, attempts=1, provider="demo"
            )
    services.checkpoints_sweep(now=now)
    counts["emergency_accesses"] = _break_glass_example(clients, staff)
    return counts


def _break_glass_example(clients: list, staff: dict[str, User]) -> int:
    """Harbor's crisis worker broke the glass on a Riverside client and ended it: the break-glass review
    page (supervisor2) has one access awaiting review, and supervisor2 an urgent task."""
    worker = staff.get("crisis")
    if worker is None:
        return 0
    elsewhere = (
        Client.objects.filter(pk__in=[c.pk for c in clients], status=ClientStatus.ACTIVE)
        .exclude(access.organisation_clients_q(worker))
        .exclude(access.visible_clients_q(worker))
        .order_by("pk")
        .first()
    )
    if elsewhere is None:
        return 0
    grant = emergency_access_open(
        user=worker,
        client=elsewhere,
        reason=EmergencyAccessReason.CRISIS_RESPONSE,
        justification="Night call to the crisis line: the client named us, and their team's on-call did not "
        "answer within 20 minutes. Needed the safety plan and medications.",
    )
    emergency_access_end(grant=grant, acting_user=worker)
    return 1
