"""Demo appointments and session notes: a few months of history, today's schedule and notes to sign.

Everything goes through ``clients.encounters.services`` (validation, status table, audit).
The note text is short, generic and identifies nobody.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from careteam.errors import DomainError
from careteam.models import CareTeamAssignment, CaseRole, User
from careteam.timezones import user_time_zone, user_today
from clients.models import AppointmentKind, AppointmentStatus, Client, ClientStatus, NoteFormat

from . import services

S = AppointmentStatus

DAP_NOTES = [
    {
        "data": "Client reported {days} days without alcohol use and attended two mutual-help meetings. "
        "Described cravings after work, rated 6/10 at worst.",
        "assessment": "Engaged and motivated; using urge-surfing with partial success. No safety concerns.",
        "plan": "Continue weekly sessions. Practise urge-surfing daily; review craving log next visit.",
    },
    {
        "data": "Discussed housing search and stress at home. Client slept poorly most nights this week.",
        "assessment": "Stressors increasing; coping skills holding. Contemplating a change in routine.",
        "plan": "Sleep-hygiene handout given. Case manager to follow up on the housing application.",
    },
    {
        "data": "Client reported a brief lapse at the weekend after a family event; back on plan next day.",
        "assessment": "Lapse handled without escalation; insight into triggers is good.",
        "plan": "Update relapse-prevention triggers list; add sponsor call before family events.",
    },
]
SOAP_NOTES = [
    {
        "subjective": "“This week felt steadier.” Reports {days} days abstinent, mood 6/10.",
        "objective": "Alert, on time, appropriately dressed; speech normal; affect brighter than last visit.",
        "assessment": "Progressing toward goal 1; stage of change: action.",
        "plan": "Continue CBT skills on cognitive distortions; next session in one week.",
    },
    {
        "subjective": "Client reports worry about a court date and difficulty concentrating at work.",
        "objective": "Fidgety, good eye contact, oriented; denies thoughts of self-harm.",
        "assessment": "Anxiety elevated by legal stressor; no acute risk.",
        "plan": "Grounding exercise practised in session; case manager to confirm legal-aid referral.",
    },
]
CASE_MANAGEMENT_NOTE = {
    "data": "Met to review benefits renewal and transport to appointments. Bus pass application submitted.",
    "assessment": "Practical barriers reducing; client following through on tasks.",
    "plan": "Check renewal status in two weeks; remind client of medication pickup.",
}
RESTRICTED_NOTE = {
    "data": "Client explored grief related to a past loss; the session focused on processing it "
    "and on self-compassion.",
    "assessment": "Grief work is appropriate and tolerable; no safety concerns.",
    "plan": "Continue grief processing at client's pace next session.",
}

KIND_BY_ROLE = {
    CaseRole.PRIMARY_COUNSELOR: AppointmentKind.INDIVIDUAL,
    CaseRole.CASE_MANAGER: AppointmentKind.CASE_MANAGEMENT,
    CaseRole.PEER: AppointmentKind.PEER,
}
ROOMS = ["Room 2", "Room 3", "Room 5", "Group room", "Community office"]


def _at(user: User, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=user_time_zone(user))


def _book(*, client, staff, kind, starts_at, rng) -> object | None:
    telehealth = rng.random() < 0.2
    try:
        return services.appointment_schedule(
            client=client,
            staff=staff,
            kind=kind,
            starts_at=starts_at,
            duration_minutes=50 if kind != AppointmentKind.CASE_MANAGEMENT else 30,
            location="" if telehealth else rng.choice(ROOMS),
            telehealth_url="https://telehealth.example.org/room/demo" if telehealth else "",
            acting_user=staff,
        )
    except DomainError:  # a clash in the demo calendar: leave that slot out
        return None


def _note_text(kind: str, rng: random.Random) -> tuple[str, dict]:
    if kind == AppointmentKind.CASE_MANAGEMENT:
        return NoteFormat.DAP, dict(CASE_MANAGEMENT_NOTE)
    if rng.random() < 0.4:
        note_format, text = NoteFormat.SOAP, dict(rng.choice(SOAP_NOTES))
    else:
        note_format, text = NoteFormat.DAP, dict(rng.choice(DAP_NOTES))
    days = rng.randint(5, 90)
    return note_format, {k: v.format(days=days) for k, v in text.items()}


def seed(*, rng: random.Random, clients: list[Client], staff: dict[str, User]) -> int:
    """Past months of appointments (mostly attended, some no-shows and cancellations; two clients
    with two no-shows in a row), signed DAP/SOAP notes, drafts for ``counselor``, one note by
    ``counselor2`` awaiting co-signature, one restricted note, and today's schedule for
    ``counselor``, ``casemanager`` and ``peer``. Returns how many appointments it booked."""
    active = [c for c in clients if c.status == ClientStatus.ACTIVE]
    demo_staff = {u.pk: u for u in staff.values()}
    team_of = defaultdict(list)  # client -> [(staff, case role)]
    for a in CareTeamAssignment.objects.active().filter(client__in=active, staff_id__in=demo_staff):
        team_of[a.client_id].append((demo_staff[a.staff_id], a.role))

    today = user_today(staff["counselor"])
    booked = 0
    attended_by_staff: dict[int, list] = defaultdict(list)
    no_show_pairs = 0

    for client in active:
        for member, role in team_of[client.pk]:
            kind = KIND_BY_ROLE.get(role)
            if kind is None:
                continue
            step = 14 if role == CaseRole.PRIMARY_COUNSELOR else 21
            offsets = list(range(rng.randint(70, 90), 0, -step))
            history = []
            for offset in offsets:
                day = today - dt.timedelta(days=offset)
                if day.weekday() >= 5:
                    day -= dt.timedelta(days=day.weekday() - 4)
                appointment = _book(
                    client=client,
                    staff=member,
                    kind=kind,
                    starts_at=_at(member, day, rng.randint(9, 16)),
                    rng=rng,
                )
                if appointment is not None:
                    history.append(appointment)
                    booked += 1
            two_no_shows = role == CaseRole.PRIMARY_COUNSELOR and no_show_pairs < 2 and len(history) >= 3
            if two_no_shows:
                no_show_pairs += 1
            for i, appointment in enumerate(history):
                roll = rng.random()
                if two_no_shows and i >= len(history) - 2:
                    status = S.NO_SHOW
                elif roll < 0.76:
                    status = S.ATTENDED
                elif roll < 0.88:
                    status = S.NO_SHOW
                elif roll < 0.95:
                    status = S.CANCELLED_CLIENT
                else:
                    status = S.CANCELLED_PROGRAM
                services.appointment_set_status(appointment=appointment, status=status, acting_user=member)
                if status == S.ATTENDED:
                    attended_by_staff[member.pk].append(appointment)
            # The next session, in the coming two weeks.
            day = today + dt.timedelta(days=rng.randint(3, 14))
            if _book(
                client=client,
                staff=member,
                kind=kind,
                starts_at=_at(member, day, rng.randint(9, 16)),
                rng=rng,
            ):
                booked += 1

    counselor, counselor2 = staff["counselor"], staff["counselor2"]
    restricted_done = False
    for staff_pk, appointments in attended_by_staff.items():
        member = demo_staff[staff_pk]
        if not member.has_perm("clients.add_encounternote"):
            continue  # peers keep a contact log, not session notes
        appointments.sort(key=lambda a: a.starts_at)
        # counselor: the three latest sessions stay drafts and one has no note yet (their "notes to sign").
        keep_open = 4 if member.pk == counselor.pk else 0
        for i, appointment in enumerate(appointments):
            position_from_end = len(appointments) - i
            if position_from_end == 1 and keep_open:
                continue
            note_format, text = _note_text(appointment.kind, rng)
            restricted = False
            if (
                not restricted_done
                and member.pk == counselor.pk
                and appointment.kind == AppointmentKind.INDIVIDUAL
            ):
                note_format, text, restricted, restricted_done = (
                    NoteFormat.DAP,
                    dict(RESTRICTED_NOTE),
                    True,
                    True,
                )
            note = services.note_create(
                client=appointment.client,
                acting_user=member,
                appointment=appointment,
                data={
                    **text,
                    "format": note_format,
                    "minutes_spent": appointment.duration_minutes,
                    "restricted": restricted,
                },
            )
            if position_from_end <= keep_open:
                continue  # a draft to finish
            if member.pk == counselor2.pk and position_from_end == 1:
                continue  # signed below, once co-signature is required
            services.note_sign(note=note, acting_user=member)

    # counselor2 now trains under supervision: their latest note waits for the supervisor's co-signature.
    counselor2.notes_require_cosign = True
    counselor2.save(update_fields=["notes_require_cosign"])
    latest = counselor2.notes.filter(status="draft").order_by("-created_at").first()
    if latest is not None:
        services.note_sign(note=latest, acting_user=counselor2)

    # Today's schedule, so the Today page looks like a working day.
    for username, hours in (
        ("counselor", (9, 11, 14, 16)),
        ("casemanager", (10, 13, 15)),
        ("peer", (12, 17)),
    ):
        member = staff[username]
        day = user_today(member)
        theirs = [c for c in active if any(m.pk == member.pk for m, _ in team_of[c.pk])]
        rng.shuffle(theirs)
        for client, hour in zip(theirs, hours, strict=False):
            role = next(r for m, r in team_of[client.pk] if m.pk == member.pk)
            kind = KIND_BY_ROLE.get(role, AppointmentKind.OTHER)
            if _book(client=client, staff=member, kind=kind, starts_at=_at(member, day, hour, 30), rng=rng):
                booked += 1
    return booked
