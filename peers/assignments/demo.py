"""Demo data for peer profiles, match preferences and peer assignments (called by the lead's seed)."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import Group
from django.utils import timezone

from careteam.access import client_can_access
from careteam.errors import DomainError
from careteam.models import CareTeamAssignment, CaseRole, Team, User
from careteam.roles import Role

from ..models import PeerCertification, PeerProfile
from . import services

HARBOR = "Harbor Outpatient"

# (username, first, last, profile)
EXTRA_PEERS = [
    (
        "peer.maria",
        "Maria",
        "Delgado",
        {
            "languages": ["es", "en"],
            "experience_areas": ["opioids", "parenting", "justice"],
            "pathways": ["mar", "twelve_step"],
            "age_bracket": "41_60",
            "gender": "woman",
            "availability": "Weekdays, Thursday evenings",
            "caseload_capacity": 12,
            "bio": "Mom of two, in recovery since 2014. Ask me about MAT and getting kids back.",
        },
    ),
    (
        "peer.devon",
        "Devon",
        "Carter",
        {
            "languages": ["en"],
            "experience_areas": ["alcohol", "veteran", "homelessness"],
            "pathways": ["smart", "faith"],
            "age_bracket": "26_40",
            "gender": "man",
            "trained_for_youth": True,
            "availability": "Mornings, weekends",
            "caseload_capacity": 15,
            "bio": "Army veteran, sober eight years. SMART Recovery facilitator.",
        },
    ),
    (
        "peer.sam",
        "Sam",
        "Nguyen",
        {
            "languages": ["en", "vi"],
            "experience_areas": ["stimulants", "mental_health", "lgbtq"],
            "pathways": ["harm_reduction", "smart"],
            "age_bracket": "18_25",
            "gender": "nonbinary",
            "trained_for_youth": True,
            "availability": "Afternoons and evenings",
            "caseload_capacity": 8,
            "bio": "Queer, in recovery, and here for whatever path works for you.",
        },
    ),
]

PEER_PROFILE = {
    "languages": ["en", "es"],
    "experience_areas": ["alcohol", "opioids", "justice"],
    "pathways": ["twelve_step", "mar"],
    "age_bracket": "41_60",
    "gender": "man",
    "availability": "Weekdays 9-5, court mornings",
    "caseload_capacity": 15,
    "bio": "Twelve years in recovery; I have sat in those court hallways too.",
}

GOALS = [
    "I want to get to a meeting twice a week and not go alone.",
    "Get my ID and food stamps sorted out.",
    "Someone to call when the weekends get hard.",
    "Make it to all my court dates and keep my housing.",
    "Find a home group where people speak Spanish.",
]


def _extra_peer(username: str, first: str, last: str, *, password: str, team: Team | None) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            password=password,
        )
        user.groups.add(Group.objects.get(name=Role.PEER_SPECIALIST))
        user.__dict__.pop("role_names", None)
    if team is not None:
        team.members.add(user)
    return user


def _profile(user: User, data: dict, *, acting_user: User, rng: random.Random) -> PeerProfile:
    profile = PeerProfile.objects.filter(user=user).first()
    if profile is None:
        profile = services.peer_profile_create(user=user, acting_user=acting_user, data=data)
        today = timezone.localdate()
        # Admin-maintained data: certifications have no service of their own.
        PeerCertification.objects.create(
            profile=profile,
            name="Certified Peer Recovery Specialist (CPRS)",
            issuer="State certification board",
            expires_on=today + dt.timedelta(days=rng.choice([25, 200, 400, 700])),
        )
    return profile


def seed(*, rng: random.Random, clients: list, staff: dict[str, User]) -> None:
    """Peer profiles for ``peer`` and three more Harbor peers, preferences and peer assignments."""
    admin = staff.get("admin") or staff["supervisor"]
    assigner = staff.get("counselor") or admin
    team = Team.objects.filter(name=HARBOR).first()
    peers = [staff["peer"]]
    _profile(staff["peer"], PEER_PROFILE, acting_user=admin, rng=rng)
    for username, first, last, data in EXTRA_PEERS:
        user = _extra_peer(username, first, last, password=staff["peer"].password, team=team)
        _profile(user, data, acting_user=admin, rng=rng)
        peers.append(user)

    # Adopt the peer care-team assignments the demo already has (no second assignment).
    for cta in CareTeamAssignment.objects.active().filter(
        client__in=clients, role=CaseRole.PEER, peer_assignment__isnull=True
    ):
        services.peer_assignment_adopt(
            care_team_assignment=cta,
            acting_user=assigner,
            goals=rng.choice(GOALS),
            match_reasons=["Already on the care team when peer matching started"],
        )

    harbor_clients = [c for c in clients if team is None or c.primary_team_id == team.pk]
    for client in rng.sample(harbor_clients, k=min(6, len(harbor_clients))):
        services.peer_match_preferences_set(
            client=client,
            acting_user=assigner,
            data={
                "wants_peer": True,
                "language_match": client.preferred_language != "en" or rng.random() < 0.5,
                "shared_experience": rng.sample(
                    ["alcohol", "opioids", "parenting", "justice", "veteran"], k=2
                ),
                "gender_preference": rng.choice(["", "", "woman", "man"]),
                "pathway_preference": rng.sample(["smart", "mar", "twelve_step"], k=1),
                "pathways_not_wanted": [],
                "notes": "",
            },
        )

    # A few more assignments with the other peers, chosen by the matcher's own ranking.
    from .selectors import peer_matches_for_client

    started = 0
    for client in harbor_clients:
        if started >= 5:
            break
        actor = next(
            (
                s
                for s in (staff.get("counselor"), staff.get("casemanager"), staff["supervisor"])
                if s and client_can_access(s, client)
            ),
            None,
        )
        if actor is None:
            continue
        matches = [
            m
            for m in peer_matches_for_client(client, today=timezone.localdate())
            if m.peer.user_id != staff["peer"].pk
        ]
        if not matches:
            continue
        best = matches[0]
        try:
            services.peer_assignment_start(
                client=client,
                peer=next(p for p in peers if p.pk == best.peer.user_id),
                acting_user=actor,
                goals=rng.choice(GOALS),
                match_reasons=best.reasons + best.cautions,
            )
        except DomainError:
            continue
        started += 1
