"""Demo referrals: about 40 across the demo clients, in every status, through the services.

Each referral starts from a need (``need_create``), goes to a directory service that fits the need,
passes the consent gate and is sent (``referral_send``: disclosure, need referred). The partner's answers are
then given as the partner would give them (``partner=True``). Timestamps are moved back afterwards,
referral and timeline together, so the worklist shows waiting, overdue and stale referrals; the
deadline check then raises its flags and tasks. ``casemanager`` made most of them, so their
worklist is full; the newest requested referral goes to a service that takes email referrals, so
its partner link works for the walk-through.

The gate shows both rules (``clients.consents.selectors.disclosure_needs_consent``). The referrals
come from Harbor Outpatient, a 42 CFR Part 2 program: each one sent has a Part 2 consent naming the
organisation, recorded the day before, and the first draft — demographics only, no consent — waits
at "Cannot send yet" with the reason. One Riverside client (not a Part 2 program) is referred with
demographics only and no consent, and it goes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from careteam.models import CareTeamAssignment, User
from clients.consents.selectors import consent_covering
from clients.consents.services import consent_record
from clients.models import Client, ClientStatus, NeedCategory, Urgency
from clients.needs.services import need_create

from . import deadlines, services
from .models import Referral, ReferralEvent, ReferralOutcome, ReferralStatus, Service, ServiceStatus

S = ReferralStatus
O = ReferralOutcome  # noqa: E741

NEEDS = {
    NeedCategory.FOOD: "Runs out of groceries in the last week of the month.",
    NeedCategory.HOUSING: "Staying with a cousin; has to leave by the end of the month.",
    NeedCategory.TRANSPORTATION: "No way to get to appointments across town.",
    NeedCategory.LEGAL: "Court date coming up for an old charge; no lawyer.",
    NeedCategory.EMPLOYMENT: "Wants part-time work that fits around groups.",
    NeedCategory.BENEFITS: "Medicaid lapsed; needs help re-applying.",
    NeedCategory.IDENTIFICATION: "Lost ID and birth certificate.",
    NeedCategory.CHILDCARE: "Needs childcare on group days.",
    NeedCategory.MEDICAL: "No primary care doctor; blood pressure unchecked.",
    NeedCategory.MENTAL_HEALTH: "Asked for a psychiatric evaluation for sleep and mood.",
    NeedCategory.SUD_TREATMENT: "Wants medication for opioid use disorder closer to home.",
    NeedCategory.PEER_RECOVERY: "Looking for a recovery community to join.",
}

# (final status, outcome, days ago sent, appointment offset from now in days (None: none), sud, urgent)
SCENARIOS: list[tuple] = [
    (S.DRAFT, "", 0, None, False, False),
    (S.DRAFT, "", 1, None, True, False),
    (S.DRAFT, "", 2, None, False, True),
    (S.REQUESTED, "", 0, None, False, False),  # the walk-through: fresh, email partner, live link
    (S.REQUESTED, "", 0.1, None, False, True),
    (S.REQUESTED, "", 1, None, True, False),
    (S.REQUESTED, "", 0.5, None, False, False),
    (S.REQUESTED, "", 5, None, False, False),  # overdue (routine, 2 business days)
    (S.REQUESTED, "", 7, None, False, False),  # overdue
    (S.REQUESTED, "", 0.3, None, False, True),  # overdue (urgent, 4 hours)
    (S.ACCEPTED, "", 3, 2, False, False),  # appointment soon
    (S.ACCEPTED, "", 4, 5, False, False),
    (S.ACCEPTED, "", 2, 1, True, False),
    (S.ACCEPTED, "", 6, -3, False, False),  # appointment passed, no outcome
    (S.ACCEPTED, "", 9, -4, False, False),
    (S.ACCEPTED, "", 3, None, False, False),
    (S.IN_PROGRESS, "", 10, -1, False, False),  # needs outcome (not yet overdue)
    (S.IN_PROGRESS, "", 12, 6, False, False),
    (S.IN_PROGRESS, "", 25, None, False, False),  # stale
    (S.IN_PROGRESS, "", 30, None, False, False),  # stale
    (S.ON_HOLD, "", 8, None, False, False),
    (S.ON_HOLD, "", 11, 9, False, False),
    (S.REJECTED, O.NOT_ELIGIBLE, 20, None, False, False),
    (S.REJECTED, O.NO_CAPACITY, 15, None, False, False),
    (S.REJECTED, O.OTHER, 18, None, False, False),
    (S.CANCELLED, O.CLIENT_DECLINED, 22, None, False, False),
    (S.CANCELLED, O.UNRESPONSIVE, 26, None, False, False),
    (S.COMPLETED, O.CONNECTED, 30, -20, False, False),
    (S.COMPLETED, O.CONNECTED, 40, -30, True, False),
    (S.COMPLETED, O.CONNECTED, 16, -10, False, False),
    (S.COMPLETED, O.CONNECTED, 45, -35, False, False),
    (S.COMPLETED, O.CONNECTED, 24, -15, False, True),
    (S.FAILED, O.NO_CONTACT, 28, -18, False, False),
    (S.FAILED, O.CLIENT_DECLINED, 33, None, False, False),
    (S.FAILED, O.OTHER, 21, None, False, False),
    (S.FAILED, O.UNRESPONSIVE, 35, None, False, False),
    (S.FAILED, O.NO_CAPACITY, 19, None, False, False),
    (S.FAILED, O.NOT_ELIGIBLE, 27, None, False, False),
    (S.ENTERED_IN_ERROR, "", 3, None, False, False),
    (S.CANCELLED, O.NO_CONTACT, 14, None, False, False),
]

# The partner's answers that lead to each open status, after "accepted".
PATH_AFTER_ACCEPT = {
    S.ACCEPTED: [],
    S.IN_PROGRESS: [S.IN_PROGRESS],
    S.ON_HOLD: [S.IN_PROGRESS, S.ON_HOLD],
    S.COMPLETED: [S.IN_PROGRESS],
    S.FAILED: [],
}


def _service_for(
    category: str, by_category: dict, fallback: list, rng: random.Random, electronic: bool = False
):
    pool = by_category.get(category) or fallback
    if electronic:
        pool = (
            [s for s in pool if s.accepts_electronic_referrals and (s.referral_email or s.organization.email)]
            or [
                s
                for s in fallback
                if s.accepts_electronic_referrals and (s.referral_email or s.organization.email)
            ]
            or pool
        )
    return rng.choice(pool)


def _age(referral: Referral, days: float, *, spread: float = 0.0) -> None:
    """Move a referral's history ``days`` back, timeline included.

    Everything happens at one instant while seeding; moved back as it is, the partner would answer and
    the loop close in the same second. With ``spread`` the events after sending are laid out evenly over
    that fraction of the referral's age instead (0.5: the last one halfway between sending and now), and
    the referral's own timestamps follow the events they were written with — so response and closure
    times on the dashboard have a realistic spread.
    """
    if not days:
        return
    delta = dt.timedelta(days=days)
    events = list(ReferralEvent.objects.filter(referral=referral).order_by("occurred_at", "id"))
    sent = next((i for i, e in enumerate(events) if e.to_status == S.REQUESTED), len(events) - 1)
    later = events[sent + 1 :]
    moved: dict[dt.datetime, dt.datetime] = {}
    for e in events[: sent + 1]:
        moved.setdefault(e.occurred_at, e.occurred_at - delta)
    for j, e in enumerate(later, start=1):
        moved.setdefault(e.occurred_at, e.occurred_at - delta + delta * spread * j / len(later))
    for e in events:
        e.occurred_at = moved[e.occurred_at]
    ReferralEvent.objects.bulk_update(events, ["occurred_at"])
    referral = Referral.objects.get(pk=referral.pk)
    changed = {}
    for field in (
        "created_at",
        "status_changed_at",
        "requested_at",
        "first_response_at",
        "closed_at",
        "outcome_recorded_at",
        "last_activity_at",
    ):
        old = getattr(referral, field)
        if old is not None:
            changed[field] = moved.get(old, old - delta)
    if events:
        changed["last_activity_at"] = max(changed["last_activity_at"], events[-1].occurred_at)
    if referral.appointment_at is not None:
        changed["appointment_at"] = referral.appointment_at - delta
    Referral.objects.filter(pk=referral.pk).update(**changed)


def seed(*, rng: random.Random, clients: list[Client], staff: dict[str, User]) -> int:
    """About 40 referrals in every status; returns how many."""
    services_qs = list(
        Service.objects.filter(status=ServiceStatus.ACTIVE)
        .select_related("organization")
        .prefetch_related("taxonomy_terms")
        .order_by("id")
    )
    if not services_qs or Referral.objects.exists():
        return 0
    by_category = defaultdict(list)
    for service in services_qs:
        for term in service.taxonomy_terms.all():
            by_category[term.code].append(service)
    active = [c for c in clients if c.status == ClientStatus.ACTIVE]
    cm, counselor = staff["casemanager"], staff["counselor"]
    mine = {a.client_id for a in CareTeamAssignment.objects.active().filter(staff=cm, client__in=active)}
    cm_clients = [c for c in active if c.pk in mine]
    counselor_ids = set(
        CareTeamAssignment.objects.active()
        .filter(staff=counselor, client__in=active)
        .values_list("client_id", flat=True)
    )
    counselor_clients = [c for c in active if c.pk in counselor_ids and c.pk not in mine]
    if not cm_clients:
        return 0
    categories = list(NEEDS)
    today = timezone.localdate()
    made = 0
    with transaction.atomic():
        for index, (final, outcome, days_ago, appointment_in, sud, urgent) in enumerate(SCENARIOS):
            # One in five goes to a counselor's client, referred by the counselor (the team view).
            if index % 5 == 4 and counselor_clients:
                client, by = counselor_clients[index % len(counselor_clients)], counselor
            else:
                client, by = cm_clients[index % len(cm_clients)], cm
            category = NeedCategory.SUD_TREATMENT if sud else categories[index % len(categories)]
            need = need_create(
                client=client,
                acting_user=by,
                data={
                    "category": category,
                    "description": NEEDS[category],
                    "urgency": Urgency.URGENT if urgent else Urgency.ROUTINE,
                },
            )
            service = _service_for(category, by_category, services_qs, rng, electronic=index == 3)
            shared = ["demographics", "sud"] if sud else ["demographics"]
            # SUD information needs a Part 2 consent anywhere; from a Part 2 program, so does every
            # referral sent. The first draft is left without one: the gate's refusal, for the demo.
            needs_consent = consent_covering(
                client=client, categories=shared, organization=service.organization
            )
            if needs_consent.required and not needs_consent.allowed and (sud or final != S.DRAFT):
                consent_record(
                    client=client,
                    acting_user=by,
                    data={
                        "kind": "part2",
                        "recipient_organization": service.organization,
                        "purpose": "Referral for treatment and care coordination.",
                        "categories": shared,
                        "signed_on": today - dt.timedelta(days=int(days_ago) + 1),
                        "signature_method": "paper",
                        "expires_on": today + dt.timedelta(days=365),
                    },
                )
            referral = services.referral_create(
                client=client,
                acting_user=by,
                data={
                    "need": need,
                    "service": service,
                    "reason": f"{NEEDS[category]} Please contact the client to arrange intake.",
                    "urgency": Urgency.URGENT if urgent else Urgency.ROUTINE,
                    "shared_categories": shared,
                    "shared_summary": "Adult in outpatient recovery services; prefers afternoon calls.",
                    "warm_handoff": index % 6 == 0,
                    "warm_handoff_how": "Three-way call with the case manager" if index % 6 == 0 else "",
                },
            )
            made += 1
            if final == S.DRAFT:
                _age(referral, days_ago)
                continue
            services.referral_send(referral=referral, acting_user=by)
            if final == S.ENTERED_IN_ERROR:
                services.referral_transition(
                    referral=referral, to=final, acting_user=by, note="Wrong client chosen."
                )
            elif final == S.REQUESTED:
                pass
            elif final == S.REJECTED:
                services.referral_transition(
                    referral=referral,
                    to=final,
                    acting_user=None,
                    partner=True,
                    outcome=outcome,
                    outcome_note="Serves residents of another county only." if outcome == O.OTHER else "",
                )
            elif final == S.CANCELLED:
                if index % 2:
                    services.referral_transition(
                        referral=referral, to=S.ACCEPTED, acting_user=None, partner=True
                    )
                services.referral_transition(referral=referral, to=final, acting_user=by, outcome=outcome)
            else:
                services.referral_transition(referral=referral, to=S.ACCEPTED, acting_user=None, partner=True)
                closing = final in (S.COMPLETED, S.FAILED)
                if appointment_in is not None and (closing or appointment_in < 0):
                    when = timezone.now() + dt.timedelta(
                        days=appointment_in + days_ago, hours=rng.randint(-3, 3)
                    )
                    services.referral_schedule(
                        referral=referral, appointment_at=when, acting_user=None, partner=True
                    )
                for step in PATH_AFTER_ACCEPT.get(final, []):
                    services.referral_transition(referral=referral, to=step, acting_user=None, partner=True)
                if final == S.COMPLETED:
                    services.referral_report_attendance(
                        referral=referral, attended=True, acting_user=None, partner=True
                    )
                elif final == S.FAILED:
                    services.referral_transition(
                        referral=referral,
                        to=final,
                        acting_user=by,
                        outcome=outcome,
                        outcome_note="Moved out of the area." if outcome == O.OTHER else "",
                        note="Three calls and a letter, no answer." if outcome == O.NO_CONTACT else "",
                    )
                if index % 3 == 0 and final not in (S.COMPLETED, S.FAILED):
                    services.referral_add_note(
                        referral=referral, note="Intake paperwork received.", acting_user=None, partner=True
                    )
            # Closed loops took most of their age; open ones answered early and have waited since.
            _age(
                referral,
                days_ago,
                spread=0.6 if final in (S.REJECTED, S.CANCELLED, S.COMPLETED, S.FAILED) else 0.3,
            )
            if (
                final in (S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD)
                and appointment_in is not None
                and appointment_in > 0
            ):
                when = timezone.now() + dt.timedelta(days=appointment_in, hours=rng.randint(-3, 3))
                services.referral_schedule(
                    referral=referral, appointment_at=when, acting_user=None, partner=True
                )
                # The answer came with the acceptance: keep "last activity" where the story puts it.
                Referral.objects.filter(pk=referral.pk).update(
                    last_activity_at=timezone.now() - dt.timedelta(days=1)
                )
        made += _riverside_referral(clients, staff, services_qs)
        deadlines.check_deadlines()
    return made


def _riverside_referral(clients: list[Client], staff: dict[str, User], services_qs) -> int:
    """A Riverside client (not a Part 2 program) referred with demographics only and no consent:
    today's rule for other teams lets it go, where Harbor's first draft has to wait."""
    by = staff.get("outsider")
    client = next(
        (
            c
            for c in clients
            if c.status == ClientStatus.ACTIVE
            and c.primary_team is not None
            and not c.primary_team.is_part2_program
            and CareTeamAssignment.objects.active().filter(client=c, staff=by).exists()
        ),
        None,
    )
    if by is None or client is None:
        return 0
    need = need_create(
        client=client,
        acting_user=by,
        data={
            "category": NeedCategory.FOOD,
            "description": NEEDS[NeedCategory.FOOD],
            "urgency": Urgency.ROUTINE,
        },
    )
    # Picked without the shared generator: its sequence stays as the seeders after this one expect.
    service = services_qs[client.pk % len(services_qs)]
    referral = services.referral_create(
        client=client,
        acting_user=by,
        data={
            "need": need,
            "service": service,
            "reason": f"{NEEDS[NeedCategory.FOOD]} Please contact the client to arrange intake.",
            "urgency": Urgency.ROUTINE,
            "shared_categories": ["demographics"],
            "shared_summary": "Adult looking for food support; prefers morning calls.",
        },
    )
    services.referral_send(referral=referral, acting_user=by)
    _age(referral, 2)
    return 1
