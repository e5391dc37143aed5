"""State changes for peer profiles, match preferences and peer assignments.

A peer assignment always rides on a care-team assignment (role ``peer``), so
access to the client follows it through ``careteam.services`` / ``careteam.access``:
starting one grants the peer the minimum-necessary view, ending it revokes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from careteam import services as careteam_services
from careteam.audit import audit_log, changed_field_names, snapshot
from careteam.concurrency import Expected, require_unchanged
from careteam.errors import DomainError
from careteam.models import AuditAction, CareTeamAssignment, CaseRole, User
from careteam.roles import Role
from clients.models import Client

from ..models import PeerAssignment, PeerMatchPreferences, PeerProfile
from .matching import age_on

# What a peer may change on their own profile; capacity and youth training are set by supervisors/admin.
PROFILE_SELF_FIELDS = (
    "experience_areas",
    "languages",
    "age_bracket",
    "gender",
    "pathways",
    "availability",
    "bio",
    "accepting_new",
)
PROFILE_FIELDS = (*PROFILE_SELF_FIELDS, "trained_for_youth", "caseload_capacity")
PREFERENCE_FIELDS = (
    "wants_peer",
    "language_match",
    "shared_experience",
    "gender_preference",
    "pathway_preference",
    "pathways_not_wanted",
    "notes",
)


@transaction.atomic
def peer_profile_create(*, user: User, acting_user: User | None, data: dict) -> PeerProfile:
    """Open the peer profile of a peer specialist."""
    if not user.has_role(Role.PEER_SPECIALIST):
        raise DomainError(f"{user} is not a peer specialist.", field="user")
    if PeerProfile.objects.filter(user=user).exists():
        raise DomainError(f"{user} already has a peer profile.", field="user")
    profile = PeerProfile(user=user, **{k: v for k, v in data.items() if k in PROFILE_FIELDS})
    profile.full_clean()
    profile.save()
    audit_log(user=acting_user, action=AuditAction.CREATE, obj=profile, detail={"peer": user.username})
    return profile


@transaction.atomic
def peer_profile_update(
    *,
    profile: PeerProfile,
    acting_user: User | None,
    data: dict,
    fields: Iterable[str] = PROFILE_FIELDS,
    expected: Expected | None = None,
) -> PeerProfile:
    """Change a peer profile; ``fields`` limits what this caller may change (a peer: PROFILE_SELF_FIELDS).
    ``expected``: the version the editor started from; a stale one raises ``StaleEditError``."""
    profile = PeerProfile.objects.select_for_update().get(pk=profile.pk)
    require_unchanged(profile, expected)
    fields = [f for f in fields if f in data]
    before = snapshot(profile, fields)
    for name in fields:
        setattr(profile, name, data[name])
    profile.full_clean()
    changed = changed_field_names(profile, before, fields)
    if changed:
        profile.save(update_fields=changed)
        audit_log(user=acting_user, action=AuditAction.CHANGE, obj=profile, changed_fields=changed)
    return profile


@transaction.atomic
def peer_match_preferences_set(
    *, client: Client, acting_user: User | None, data: dict, expected: Expected | None = None
) -> PeerMatchPreferences:
    """Record what the client wants matched when a peer is chosen, and what they do not.
    ``expected``: the version the editor started from (none before the first save); a stale one
    raises ``StaleEditError``."""
    prefs = PeerMatchPreferences.objects.select_for_update().filter(client=client).first()
    require_unchanged(prefs, expected, model=PeerMatchPreferences)
    created = prefs is None
    if created:
        prefs = PeerMatchPreferences(client=client)
    fields = [f for f in PREFERENCE_FIELDS if f in data]
    before = snapshot(prefs, fields)
    for name in fields:
        setattr(prefs, name, data[name])
    both = set(prefs.pathway_preference or ()) & set(prefs.pathways_not_wanted or ())
    if both:
        raise DomainError("A pathway cannot be both preferred and not wanted.", field="pathways_not_wanted")
    prefs.updated_by = acting_user
    prefs.full_clean()
    changed = fields if created else changed_field_names(prefs, before, fields)
    prefs.save()
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE if created else AuditAction.CHANGE,
        client=client,
        obj=prefs,
        changed_fields=changed,
    )
    return prefs


def _check_peer_can_take(*, client: Client, peer: User, override_capacity: bool) -> PeerProfile:
    if not peer.is_active or not peer.has_role(Role.PEER_SPECIALIST):
        raise DomainError(f"{peer} is not an active peer specialist.", field="peer")
    # Lock the profile row so two staff members cannot both fill the last place.
    profile = PeerProfile.objects.select_for_update().filter(user=peer).first()
    if profile is None:
        raise DomainError(f"{peer} has no peer profile yet.", field="peer")
    if PeerAssignment.objects.filter(client=client, peer=peer, ended_on__isnull=True).exists():
        raise DomainError(f"{peer} is already this client's peer.", field="peer")
    # Adolescents are matched only with peers trained for youth work (program policy; see
    # peers.assignments.matching).
    if age_on(client.date_of_birth, timezone.localdate()) < 18 and not profile.trained_for_youth:
        raise DomainError(f"{peer} is not trained to work with clients under 18.", field="peer")
    active = PeerAssignment.objects.filter(peer=peer, ended_on__isnull=True).count()
    if active >= profile.caseload_capacity and not override_capacity:
        raise DomainError(
            f"{peer} is at caseload capacity ({active} of {profile.caseload_capacity}).", field="peer"
        )
    return profile


def _link(
    *,
    client: Client,
    peer: User,
    cta: CareTeamAssignment,
    acting_user: User | None,
    goals: str,
    match_reasons: list[str],
    override_capacity: bool,
) -> PeerAssignment:
    try:
        with transaction.atomic():
            assignment = PeerAssignment.objects.create(
                client=client,
                peer=peer,
                care_team_assignment=cta,
                started_on=cta.started_on,
                goals=goals,
                match_reasons=list(match_reasons),
                created_by=acting_user,
            )
    except IntegrityError as exc:  # a concurrent request assigned the same peer
        raise DomainError(f"{peer} was just assigned to this client; reload the page.", field="peer") from exc
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=assignment,
        detail={"peer": peer.username, "override_capacity": override_capacity},
    )
    return assignment


@transaction.atomic
def peer_assignment_start(
    *,
    client: Client,
    peer: User,
    acting_user: User | None,
    goals: str,
    match_reasons: Iterable[str] = (),
    override_capacity: bool = False,
    started_on: dt.date | None = None,
) -> PeerAssignment:
    """Assign a peer to the client: puts them on the care team (access follows) and records why.

    Refused when the peer is at capacity (unless ``override_capacity``), already the
    client's peer, or not trained for youth and the client is under 18. If the peer
    is already on the care team as a peer without a peer assignment, that care-team
    assignment is reused rather than duplicated.
    """
    _check_peer_can_take(client=client, peer=peer, override_capacity=override_capacity)
    cta = (
        CareTeamAssignment.objects.active()
        .filter(client=client, staff=peer, role=CaseRole.PEER, peer_assignment__isnull=True)
        .first()
    )
    if cta is None:
        cta = careteam_services.assignment_start(
            client=client, staff=peer, role=CaseRole.PEER, acting_user=acting_user, started_on=started_on
        )
    return _link(
        client=client,
        peer=peer,
        cta=cta,
        acting_user=acting_user,
        goals=goals,
        match_reasons=list(match_reasons),
        override_capacity=override_capacity,
    )


@transaction.atomic
def peer_assignment_adopt(
    *,
    care_team_assignment: CareTeamAssignment,
    acting_user: User | None,
    goals: str = "",
    match_reasons: Iterable[str] = (),
) -> PeerAssignment:
    """Record the peer work of a peer already on the care team (no second care-team assignment).

    Capacity is not checked: the peer already works with this client.
    """
    cta = CareTeamAssignment.objects.select_for_update().get(pk=care_team_assignment.pk)
    if cta.role != CaseRole.PEER or not cta.is_active:
        raise DomainError("Only an active peer care-team assignment can be adopted.")
    if PeerAssignment.objects.filter(care_team_assignment=cta).exists():
        raise DomainError("This care-team assignment already has a peer assignment.")
    if PeerAssignment.objects.filter(client=cta.client, peer=cta.staff, ended_on__isnull=True).exists():
        raise DomainError(f"{cta.staff} is already this client's peer.", field="peer")
    return _link(
        client=cta.client,
        peer=cta.staff,
        cta=cta,
        acting_user=acting_user,
        goals=goals,
        match_reasons=list(match_reasons),
        override_capacity=True,
    )


@transaction.atomic
def peer_assignment_end(
    *, assignment: PeerAssignment, acting_user: User | None, reason: str, ended_on: dt.date | None = None
) -> PeerAssignment:
    """End the peer work and the care-team assignment under it: the peer's access ends now."""
    assignment = (
        PeerAssignment.objects.select_for_update()
        .select_related("care_team_assignment")
        .get(pk=assignment.pk)
    )
    if assignment.ended_on is not None:
        raise DomainError("This peer assignment has already ended.")
    if not reason.strip():
        raise DomainError("Say why the peer work ends.", field="reason")
    ended_on = ended_on or timezone.localdate()
    if ended_on < assignment.started_on:
        raise DomainError("An assignment cannot end before it started.", field="ended_on")
    # The peer work ends first: ending the care-team place below signals assignment_ended, whose
    # receiver (peers.hooks) must then find nothing left to end.
    assignment.ended_on = ended_on
    assignment.end_reason = reason[:200]
    assignment.save(update_fields=["ended_on", "end_reason"])
    if assignment.care_team_assignment.ended_on is None:
        careteam_services.assignment_end(
            assignment=assignment.care_team_assignment,
            acting_user=acting_user,
            reason=reason,
            ended_on=ended_on,
        )
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=assignment.client,
        obj=assignment,
        changed_fields=["ended_on", "end_reason"],
        reason=reason,
    )
    return assignment
