"""Reads of crisis records, already scoped to the clients the user may see.

Peer specialists read the safety plan only (``crisis.view_safetyplanversion``); episodes, risk levels,
checkpoints and caring contacts need the clinical roles' permissions (minimum necessary).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from careteam import access
from careteam.client_search import client_search_q
from careteam.minimum_necessary import Section, section_can_see
from careteam.models import CareTeamAssignment, User
from careteam.roles import Role
from clients.models import Client
from outreach.models import MessageStatus, ScheduledMessage, SourceKind

from . import checkpoints
from .models import CaringContactPlan, CrisisEpisode, FollowUpCheckpoint, SafetyPlanVersion

CRISIS_SOURCE_KINDS = [SourceKind.CARING_CONTACT, SourceKind.SAFETY_PLAN, SourceKind.CRISIS_EPISODE]
BOARD_MESSAGE_DAYS = 14
PICKER_LIMIT = 20
TAB_EPISODE_LIMIT = 20


def episodes_can_read(user: User) -> bool:
    """Crisis episodes, risk levels, checkpoints and caring contacts: clinical roles only (minimum
    necessary keeps peer specialists out)."""
    return (
        user.is_authenticated
        and user.has_perm("crisis.view_crisisepisode")
        and section_can_see(user, Section.RISK_DETAILS)
    )


def safety_plan_can_read(user: User) -> bool:
    """The safety plan: clinical roles and peer specialists (what a peer most needs in a hard moment)."""
    return user.is_authenticated and user.has_perm("crisis.view_safetyplanversion")


def crisis_section_can_see(user: User) -> bool:
    """The chart's "Crisis & Safety" tab: clinical roles, and peers (who see the safety plan only)."""
    return episodes_can_read(user) or safety_plan_can_read(user)


def crisis_record_can_change(user: User, client: Client, perm: str) -> bool:
    """Changes this client's crisis records: the role holds ``perm`` (e.g.
    ``crisis.add_safetyplanversion``) and the user may change the client's record."""
    return user.has_perm(perm) and access.client_can_access(user, client, access.CHANGE)


def unassigned_clients_can_take(user: User) -> bool:
    """Crisis workers may open an episode for someone no one is assigned to (which assigns them)."""
    return user.is_active and user.has_role(Role.CRISIS_WORKER) and user.has_perm("crisis.add_crisisepisode")


def _visible(user: User):
    return access.clients_visible_to(user).values("pk")


def episode_list_for_user(user: User) -> QuerySet[CrisisEpisode]:
    if not episodes_can_read(user):
        return CrisisEpisode.objects.none()
    return CrisisEpisode.objects.filter(client__in=_visible(user)).select_related(
        "client", "opened_by", "disposition_by", "closed_by", "risk_screen"
    )


def episode_get_for_user(user: User, pk, *, client_pk=None) -> CrisisEpisode:
    qs = episode_list_for_user(user).prefetch_related("responders")
    if client_pk is not None:
        qs = qs.filter(client_id=client_pk)
    try:
        return qs.get(pk=pk)
    except (CrisisEpisode.DoesNotExist, ValueError, TypeError):
        raise Http404("No such crisis episode.") from None


def checkpoint_list_for_user(user: User) -> QuerySet[FollowUpCheckpoint]:
    if not episodes_can_read(user) or not user.has_perm("crisis.view_followupcheckpoint"):
        return FollowUpCheckpoint.objects.none()
    return checkpoints.with_met(
        FollowUpCheckpoint.objects.filter(client__in=_visible(user)).select_related("client", "episode")
    )


def safety_plan_list_for_user(user: User) -> QuerySet[SafetyPlanVersion]:
    if not safety_plan_can_read(user):
        return SafetyPlanVersion.objects.none()
    return SafetyPlanVersion.objects.filter(client__in=_visible(user)).select_related("client", "author")


def current_safety_plan(client: Client) -> SafetyPlanVersion | None:
    return (
        SafetyPlanVersion.objects.filter(client=client)
        .select_related("author", "client")
        .order_by("-version")
        .first()
    )


def caring_contact_plan_list_for_user(user: User) -> QuerySet[CaringContactPlan]:
    if not episodes_can_read(user) or not user.has_perm("crisis.view_caringcontactplan"):
        return CaringContactPlan.objects.none()
    return CaringContactPlan.objects.filter(client__in=_visible(user)).select_related(
        "client", "protocol", "signer", "started_by", "stopped_by"
    )


def caring_contact_plan_get_for_user(user: User, pk, *, client_pk=None) -> CaringContactPlan:
    qs = caring_contact_plan_list_for_user(user)
    if client_pk is not None:
        qs = qs.filter(client_id=client_pk)
    try:
        return qs.get(pk=pk)
    except (CaringContactPlan.DoesNotExist, ValueError, TypeError):
        raise Http404("No such caring-contact plan.") from None


def plan_messages(plans: list[CaringContactPlan]) -> dict[int, list[ScheduledMessage]]:
    """Every outbox row of these plans, by plan id (one query whatever the number of plans)."""
    by_plan: dict[int, list[ScheduledMessage]] = {p.pk: [] for p in plans}
    if not plans:
        return by_plan
    rows = ScheduledMessage.objects.filter(
        source_type="crisis.caringcontactplan", source_id__in=[str(p.pk) for p in plans]
    ).order_by("due_at", "id")
    for row in rows:
        by_plan[int(row.source_id)].append(row)
    return by_plan


@dataclass
class ClientCrisisSummary:
    episodes: list = field(default_factory=list)
    safety_plan: SafetyPlanVersion | None = None
    safety_plan_versions: int = 0
    plans: list = field(default_factory=list)  # caring-contact plans, running first, with .messages


def client_crisis_summary(user: User, client: Client) -> ClientCrisisSummary:
    """What the chart tab shows, in a fixed number of queries."""
    summary = ClientCrisisSummary()
    if safety_plan_can_read(user):
        summary.safety_plan = current_safety_plan(client)
        summary.safety_plan_versions = summary.safety_plan.version if summary.safety_plan else 0
    if episodes_can_read(user):
        now = timezone.now()
        cps = Prefetch(
            "checkpoints",
            queryset=checkpoints.with_met(FollowUpCheckpoint.objects.order_by("window_end", "id")),
        )
        episodes = list(
            episode_list_for_user(user)
            .filter(client=client)
            .prefetch_related("responders", cps)
            .order_by("-opened_at", "-id")[:TAB_EPISODE_LIMIT]
        )
        episodes.sort(key=lambda e: (e.closed_at is not None, -e.opened_at.timestamp()))
        for ep in episodes:
            ep.checkpoint_rows = checkpoints.annotate_states(ep.checkpoints.all(), now)
        summary.episodes = episodes
        plans = list(
            caring_contact_plan_list_for_user(user).filter(client=client).order_by("-started_at")[:5]
        )
        plans.sort(key=lambda p: (not p.is_running, -p.started_at.timestamp()))
        messages = plan_messages(plans)
        for p in plans:
            p.messages = messages[p.pk]
        summary.plans = plans
    return summary


def _candidates(user: User) -> QuerySet[Client]:
    """Clients the user may open an episode for: those they may change; for crisis workers, people of
    their own organisation's teams (``access.organisation_clients_q``) not yet on anyone's care team
    (opening one puts the worker on it); and clients they broke the glass for (the grant's one change:
    the episode, whose follow-up stays with the client's own team). Anyone else's client needs
    break-the-glass first (DESIGN "Access")."""
    allowed = Q(access.visible_clients_q(user, access.CHANGE))
    if unassigned_clients_can_take(user):
        allowed |= access.organisation_clients_q(user) & ~Q(
            Exists(CareTeamAssignment.objects.active().filter(client=OuterRef("pk")))
        )
    if user.is_authenticated and user.has_perm("crisis.add_crisisepisode"):
        allowed |= Q(Exists(access.emergency_access_current_q(user)))
    return Client.objects.not_archived().filter(allowed)


def unassigned_client_can_take(user: User, client: Client) -> bool:
    """Opening an episode for ``client`` puts the crisis worker on the care team: nobody is assigned
    and the client is of the worker's own organisation (one query)."""
    return (
        unassigned_clients_can_take(user)
        and Client.objects.filter(pk=client.pk)
        .filter(access.organisation_clients_q(user))
        .exclude(Exists(CareTeamAssignment.objects.active().filter(client=OuterRef("pk"))))
        .exists()
    )


def open_candidates(user: User, q: str = "") -> list[Client]:
    """The picker on the quick-open page: searched by name, record number or date of birth
    (``careteam.client_search``). Each carries ``identity_only``: the user does not see the chart (an
    unassigned person of their organisation), so the page shows only what picks the right person."""
    found = list(
        _candidates(user)
        .filter(client_search_q(q))
        .select_related("primary_team")
        .order_by("legal_last_name", "legal_first_name", "id")[:PICKER_LIMIT]
    )
    _mark_identity_only(user, found)
    return found


def _mark_identity_only(user: User, found: list[Client]) -> None:
    shown = [c.pk for c in found]
    seen = set(
        access.clients_visible_to(user, emergency=True).filter(pk__in=shown).values_list("pk", flat=True)
    )
    for c in found:
        c.identity_only = c.pk not in seen


def episode_can_open(user: User, client: Client) -> bool:
    """Opens a crisis episode for this client (the chart tab's button): the role opens episodes and the
    client is one of ``_candidates`` (on the care team, an own-organisation walk-in, or break-the-glass)."""
    return user.has_perm("crisis.add_crisisepisode") and _candidates(user).filter(pk=client.pk).exists()


def open_candidate_get(user: User, pk) -> Client:
    try:
        client = _candidates(user).select_related("primary_team").get(pk=int(pk))
    except (Client.DoesNotExist, TypeError, ValueError):
        raise Http404("No such client.") from None
    _mark_identity_only(user, [client])
    return client


# --- the crisis board ---------------------------------------------------------------------------------


def crisis_board_can_use(user: User) -> bool:
    """The crisis board (open episodes, unmet checkpoints, failed messages) is for whoever reads episodes."""
    return episodes_can_read(user)


def board_open_episodes(user: User) -> QuerySet[CrisisEpisode]:
    return episode_list_for_user(user).filter(closed_at__isnull=True).order_by("opened_at", "id")


def board_unmet_checkpoints(user: User, *, now: dt.datetime | None = None) -> QuerySet[FollowUpCheckpoint]:
    """Checkpoints whose window has opened and that no contact or visit has met, most urgent first."""
    now = now or timezone.now()
    return (
        checkpoint_list_for_user(user)
        .filter(window_start__lte=now, window_end__gte=now - dt.timedelta(days=30))
        .exclude(checkpoints.met_q())
        .order_by("window_end", "id")
    )


def board_problem_messages(user: User, *, now: dt.datetime | None = None) -> QuerySet[ScheduledMessage]:
    """Crisis messages (caring contacts, safety-plan links) that failed or were skipped lately."""
    now = now or timezone.now()
    if not episodes_can_read(user) or not user.has_perm("outreach.view_scheduledmessage"):
        return ScheduledMessage.objects.none()
    return (
        ScheduledMessage.objects.filter(
            client__in=_visible(user),
            source_kind__in=CRISIS_SOURCE_KINDS,
            status__in=[MessageStatus.FAILED, MessageStatus.SKIPPED],
            updated_at__gte=now - dt.timedelta(days=BOARD_MESSAGE_DAYS),
        )
        .select_related("client")
        .order_by("-updated_at", "-id")
    )


def open_episode_for_alert(client: Client) -> CrisisEpisode | None:
    return (
        CrisisEpisode.objects.filter(client=client, closed_at__isnull=True)
        .only("pk", "risk_level", "client_id", "opened_at")
        .order_by("-opened_at")
        .first()
    )
