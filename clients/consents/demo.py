"""Demo needs, Part 2 consents to directory organisations and logged contacts.

Text-messaging consents are given at intake (``client_create`` with ``text_consent``), as staff record
them on the intake form: the consent is the one switch for texts.

Runs after the directory seeder: organisations are looked up at run time, and the
organisation-specific consents are skipped when the directory is empty. Everything goes through
the services (validation, audit; a revocation sends ``consent_revoked``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.utils import timezone

from careteam.models import CareTeamAssignment, User
from clients.contacts.services import contact_log
from clients.models import (
    Client,
    ClientStatus,
    ConsentKind,
    ContactMode,
    ContactPurpose,
    NeedCategory,
    NeedStatus,
    Urgency,
)
from clients.needs.services import need_create, need_set_status

from .forms import organization_model
from .services import consent_record, consent_revoke

NEEDS = [
    (NeedCategory.HOUSING, "Staying with a cousin; has to leave by the end of the month."),
    (NeedCategory.FOOD, "Runs out of groceries in the last week of the month."),
    (NeedCategory.TRANSPORTATION, "No car; two buses to get to group."),
    (NeedCategory.LEGAL, "Court date next month; has no lawyer yet."),
    (NeedCategory.EMPLOYMENT, "Wants part-time work that fits around treatment."),
    (NeedCategory.BENEFITS, "SNAP renewal paperwork is overdue."),
    (NeedCategory.IDENTIFICATION, "Lost ID card; needs it for the housing application."),
    (NeedCategory.CHILDCARE, "Needs childcare on group evenings."),
    (NeedCategory.MEDICAL, "No primary care doctor; blood pressure not checked in a year."),
    (NeedCategory.PEER_RECOVERY, "Would like a peer mentor with lived experience."),
]
SUMMARIES = [
    "Checked in; doing okay, has a ride to Thursday's group.",
    "Left a voicemail asking for a call back.",
    "Talked through the week; no concerns raised.",
    "Confirmed the referral appointment time.",
    "Texted a reminder about tomorrow's session; replied OK.",
]


def seed(*, rng: random.Random, clients: list[Client], staff: dict[str, User]) -> int:
    """Needs for most active clients (some urgent, some met), Part 2 consents to several directory
    organisations (one expired, one revoked) and logged contacts over the last 60 days. Returns how
    many rows it wrote."""
    active = [c for c in clients if c.status == ClientStatus.ACTIVE]
    demo_staff = {u.pk: u for u in staff.values()}
    team_of: dict[int, list[User]] = defaultdict(list)
    for a in CareTeamAssignment.objects.active().filter(client__in=active, staff_id__in=demo_staff):
        team_of[a.client_id].append(demo_staff[a.staff_id])
    today = timezone.localdate()
    now = timezone.now()
    written = 0

    for client in active:
        members = team_of.get(client.pk) or [staff["casemanager"]]
        if rng.random() < 0.8:
            for category, text in rng.sample(NEEDS, k=rng.randint(1, 3)):
                urgency = Urgency.URGENT if rng.random() < 0.2 else Urgency.ROUTINE
                need = need_create(
                    client=client,
                    acting_user=rng.choice(members),
                    data={"category": category, "description": text, "urgency": urgency},
                )
                written += 1
                if urgency == Urgency.ROUTINE and rng.random() < 0.25:
                    need_set_status(
                        need=need, status=NeedStatus.MET, acting_user=rng.choice(members), note="Connected."
                    )
        for _ in range(rng.randint(1, 5)):
            reached = rng.random() < 0.75
            contact_log(
                client=client,
                acting_user=rng.choice(members),
                data={
                    "contacted_at": now - dt.timedelta(days=rng.randint(0, 59), minutes=rng.randint(30, 600)),
                    "mode": rng.choice([ContactMode.PHONE, ContactMode.TEXT, ContactMode.IN_PERSON]),
                    "purpose": rng.choice([ContactPurpose.CHECK_IN, ContactPurpose.REFERRAL_FOLLOW_UP]),
                    "reached": reached,
                    "summary": rng.choice(SUMMARIES[2:]) if reached else SUMMARIES[1],
                },
            )
            written += 1

    organizations = list(organization_model().objects.order_by("id")[:6])
    if not organizations or not active:
        return written
    for i, client in enumerate(active[:8]):
        org = organizations[i % len(organizations)]
        members = team_of.get(client.pk) or [staff["casemanager"]]
        expired = i == 1
        signed = today - dt.timedelta(days=400 if expired else rng.randint(10, 120))
        consent = consent_record(
            client=client,
            acting_user=rng.choice(members),
            data={
                "kind": ConsentKind.PART2,
                "recipient_organization": org,
                "purpose": "Coordinate referrals and care",
                "categories": ["demographics", "sud"] if i % 3 else ["demographics", "sud", "mental_health"],
                "signed_on": signed,
                "signature_method": rng.choice(["paper", "electronic", "verbal"]),
                "expires_on": signed + dt.timedelta(days=365),
            },
        )
        written += 1
        if i == 2:
            consent_revoke(
                consent=consent,
                acting_user=rng.choice(members),
                reason="Client asked to stop sharing with this organisation.",
            )
    return written
