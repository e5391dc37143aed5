"""Scoped reads for peer profiles, match preferences, matching and peer assignments."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet

from careteam import access
from careteam.models import User
from careteam.roles import Role
from clients.models import LANGUAGE_CHOICES, Client

from ..models import PeerAssignment, PeerMatchPreferences, PeerProfile
from .matching import ClientFacts, Match, PeerFacts, rank_peers

_LANGUAGE_LABELS = dict(LANGUAGE_CHOICES)


def peer_profiles_with_load() -> QuerySet[PeerProfile]:
    """Active peer specialists' profiles, each with ``active_count`` (one aggregate, no N+1)."""
    return (
        PeerProfile.objects.filter(user__is_active=True)
        .select_related("user")
        .annotate(
            active_count=Count(
                "user__peer_assignments", filter=Q(user__peer_assignments__ended_on__isnull=True)
            )
        )
    )


def peer_profile_can_edit(user: User) -> bool:
    """Keeps a matching profile (self-disclosures, certifications): peer specialists, their own."""
    return user.has_role(Role.PEER_SPECIALIST)


def peer_profile_for_user(user: User) -> PeerProfile | None:
    return PeerProfile.objects.filter(user=user).prefetch_related("certifications").first()


def match_preferences_for_client(client: Client) -> PeerMatchPreferences | None:
    return PeerMatchPreferences.objects.filter(client=client).first()


def client_facts(client: Client, prefs: PeerMatchPreferences | None) -> ClientFacts:
    base = {
        "client_id": client.pk,
        "date_of_birth": client.date_of_birth,
        "language": client.preferred_language,
        "language_label": str(_LANGUAGE_LABELS.get(client.preferred_language, client.preferred_language)),
    }
    if prefs is None:
        return ClientFacts(**base)
    return ClientFacts(
        **base,
        language_match=prefs.language_match,
        shared_experience=tuple(prefs.shared_experience or ()),
        gender_preference=prefs.gender_preference,
        pathway_preference=tuple(prefs.pathway_preference or ()),
        pathways_not_wanted=tuple(prefs.pathways_not_wanted or ()),
    )


def peer_facts(profile: PeerProfile, *, already_with_client: bool = False) -> PeerFacts:
    return PeerFacts(
        user_id=profile.user_id,
        name=profile.user.get_full_name() or profile.user.username,
        languages=tuple(profile.languages or ()),
        experience_areas=tuple(profile.experience_areas or ()),
        age_bracket=profile.age_bracket,
        gender=profile.gender,
        pathways=tuple(profile.pathways or ()),
        trained_for_youth=profile.trained_for_youth,
        accepting_new=profile.accepting_new,
        capacity=profile.caseload_capacity,
        active_count=profile.active_count,
        already_with_client=already_with_client,
    )


def peer_matches_for_client(client: Client, *, today: dt.date) -> list[Match]:
    """The ranked peers for ``client`` (the caller has already checked the client is visible).

    Three queries whatever the number of peers: preferences, the client's active
    peer assignments, and the profiles with their active-assignment counts.
    """
    prefs = match_preferences_for_client(client)
    with_client = set(
        PeerAssignment.objects.filter(client=client, ended_on__isnull=True).values_list("peer_id", flat=True)
    )
    profiles = peer_profiles_with_load().filter(user__groups__name=Role.PEER_SPECIALIST)
    facts = [peer_facts(p, already_with_client=p.user_id in with_client) for p in profiles]
    return rank_peers(client_facts(client, prefs), facts, today=today)


def peer_assignments_for_client(client: Client, *, active_only: bool = False) -> QuerySet[PeerAssignment]:
    qs = PeerAssignment.objects.filter(client=client).select_related("peer")
    return qs.filter(ended_on__isnull=True) if active_only else qs


def peer_assignment_list_for_user(user: User) -> QuerySet[PeerAssignment]:
    """Peer assignments of the clients ``user`` may see (one semi-join, never per-row checks)."""
    return PeerAssignment.objects.filter(
        client__in=access.clients_visible_to(user).values("pk")
    ).select_related("peer", "client")


def peer_assignment_get_for_user(user: User, pk: int, *, client: Client | None = None) -> PeerAssignment:
    """One assignment ``user`` may see; missing and hidden are the same ``DoesNotExist``."""
    qs = peer_assignment_list_for_user(user)
    if client is not None:
        qs = qs.filter(client=client)
    return qs.get(pk=pk)
