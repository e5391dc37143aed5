"""Demo rows that the domain seeders leave out, so every figure of dashboard panels 4 to 7 has something
behind it for the ``supervisor``'s team (the referral seeder already spreads response and closure
times over each referral's life; see ``referrals.demo._age``).

Runs after every other seeder. Through the services, with timestamps moved back afterwards the way
the other seeders age their records: a note started four days ago and never signed, and a caring
contact the SMS provider later reported undelivered.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from careteam.models import CareTeamAssignment, CaseRole, Team, User
from clients.encounters.services import note_create
from clients.models import Client, ClientStatus, EncounterNote
from outreach.models import MessageStatus, ScheduledMessage, SourceKind
from outreach.services import message_delivery_report

FORGOTTEN_NOTE = "Phone check-in after a missed group; agreed to come Thursday."


def _forgotten_note(counselor: User, clients: list[Client]) -> int:
    """A draft the counselor started four days ago and never signed (the 'unsigned > 72 h' backlog)."""
    if EncounterNote.objects.filter(data=FORGOTTEN_NOTE).exists():
        return 0
    mine = set(
        CareTeamAssignment.objects.active()
        .filter(staff=counselor, role=CaseRole.PRIMARY_COUNSELOR, client__in=clients)
        .values_list("client_id", flat=True)
    )
    client = next((c for c in clients if c.pk in mine and c.status == ClientStatus.ACTIVE), None)
    if client is None:
        return 0
    note = note_create(
        client=client,
        acting_user=counselor,
        data={
            "data": FORGOTTEN_NOTE,
            "assessment": "Engaged on the phone; no safety concerns raised.",
            "minutes_spent": 15,
        },
    )
    EncounterNote.objects.filter(pk=note.pk).update(created_at=timezone.now() - dt.timedelta(days=4, hours=2))
    return 1


def _undelivered_caring_contact(team_ids: list[int]) -> int:
    """The provider reports one sent caring-contact text undelivered (carrier error), as it would."""
    caring = ScheduledMessage.objects.filter(
        source_kind=SourceKind.CARING_CONTACT, client__primary_team_id__in=team_ids
    )
    if caring.filter(status=MessageStatus.FAILED).exists():
        return 0
    message = (
        caring.filter(
            status=MessageStatus.SENT,
            due_at__gte=timezone.now() - dt.timedelta(days=20),
        )
        .exclude(provider_message_id="")
        .order_by("-due_at", "-id")
        .first()
    )
    if message is None:
        return 0
    message_delivery_report(
        provider_message_id=message.provider_message_id, status="undelivered", error_code="30005"
    )
    return 1


def seed(*, rng: random.Random, clients: list[Client], staff: dict[str, User]) -> int:
    """Fill the gaps panels 4 to 7 would otherwise show; returns how many rows it added."""
    supervisor = staff.get("supervisor")
    counselor = staff.get("counselor")
    if supervisor is None or counselor is None:
        return 0
    team_ids = list(Team.objects.filter(supervisors=supervisor).values_list("pk", flat=True))
    team_clients = [c for c in clients if c.primary_team_id in team_ids]
    with transaction.atomic():
        return _forgotten_note(counselor, team_clients) + _undelivered_caring_contact(team_ids)
