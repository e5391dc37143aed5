"""Demo data for peer support (the lead wires ``seed`` into the demo, after ``seed_profiles``)."""

from __future__ import annotations

import datetime as dt
import random

from careteam.models import User
from careteam.timezones import user_time_zone, user_today

from . import services
from .assignments.demo import seed as seed_profiles  # noqa: F401
from .models import (
    AccompanimentTo,
    AttendanceSource,
    ContactKind,
    ContactMode,
    Fellowship,
    PeerAssignment,
    RecoveryDomain,
    SupportGroup,
)
from .selectors import first_friend_search

GROUPS = [
    {
        "name": "Tuesday Night Big Book (AA)",
        "fellowship": Fellowship.AA,
        "meets_on": 1,
        "meets_at": dt.time(19),
        "place": "St. Mark's hall, 14 Elm St",
        "language": "en",
    },
    {
        "name": "Clean Start (NA)",
        "fellowship": Fellowship.NA,
        "meets_on": 3,
        "meets_at": dt.time(18, 30),
        "place": "Harbor community room",
        "language": "en",
    },
    {
        "name": "SMART Recovery Saturday",
        "fellowship": Fellowship.SMART,
        "meets_on": 5,
        "meets_at": dt.time(10),
        "place": "",
        "online_url": "https://meetings.example.org/smart-sat",
        "language": "en",
    },
    {
        "name": "Grupo de Apoyo Entre Pares",
        "fellowship": Fellowship.PEER_PROGRAM,
        "meets_on": 2,
        "meets_at": dt.time(17, 30),
        "place": "Harbor Outpatient, sala 3",
        "language": "es",
    },
    {
        "name": "Families in Recovery",
        "fellowship": Fellowship.FAMILY,
        "meets_on": 0,
        "meets_at": dt.time(18),
        "place": "Library annex",
        "language": "en",
    },
]
FIRST_FRIENDS = [
    {
        "name": "Marcus Bell",
        "phone": "555-0141",
        "languages": ["en"],
        "areas": ["alcohol", "justice"],
        "fellowships": ["aa"],
        "neighborhoods": "Downtown, Eastside",
    },
    {
        "name": "Rosa Delgado",
        "phone": "555-0142",
        "languages": ["es", "en"],
        "areas": ["opioids", "parenting"],
        "fellowships": ["na", "peer_program"],
        "neighborhoods": "Westside",
    },
    {
        "name": "Dee Thompson",
        "phone": "555-0143",
        "languages": ["en"],
        "areas": ["mental_health", "lgbtq"],
        "fellowships": ["smart"],
        "neighborhoods": "Online, Northgate",
    },
    {
        "name": "Sam Okafor",
        "phone": "555-0144",
        "languages": ["en", "fr"],
        "areas": ["veteran", "alcohol"],
        "fellowships": ["aa"],
        "neighborhoods": "Harbor district",
    },
    {
        "name": "Luz Moreno",
        "phone": "555-0145",
        "languages": ["es"],
        "areas": ["homelessness", "stimulants"],
        "fellowships": ["celebrate"],
        "neighborhoods": "Southside",
    },
    {
        "name": "Jo Park",
        "phone": "555-0146",
        "languages": ["en", "ko"],
        "areas": ["other_substances"],
        "fellowships": ["refuge", "smart"],
        "neighborhoods": "University area",
    },
]
SUMMARIES = [
    "Coffee and a walk; talked about the week and meeting plans.",
    "Phone check-in; work schedule changed, sorting out rides.",
    "Went over the bus routes to the new job.",
    "Talked about reconnecting with her sister.",
    "Looked at apartment listings together.",
    "Practised what to say at the first meeting.",
]
ACCOMPANIMENTS = [
    (AccompanimentTo.COURT, "County courthouse", "Sat with them at the hearing; next date set."),
    (
        AccompanimentTo.CLINIC,
        "Harbor health clinic",
        "Went to the clinic visit together; got the refill sorted.",
    ),
    (AccompanimentTo.BENEFITS, "Benefits office, 3rd St", "Helped with the SNAP renewal paperwork."),
]


def _at(day: dt.date, hour: int, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 15), tzinfo=tz)


def _began(a: PeerAssignment, today: dt.date) -> dt.date:
    return min(a.started_on, a.client.admitted_on or today - dt.timedelta(days=120))


def seed(*, rng: random.Random, clients: list, staff: dict[str, User]) -> dict:
    """Groups, first friends, and for ``peer``'s people months of contacts (some accompaniments, a
    couple left past the 7-day threshold), weekly group attendance and monthly check-ins."""
    admin = staff.get("admin") or staff["supervisor"]
    peer = staff["peer"]
    tz = user_time_zone(peer)
    today = user_today(peer)
    groups = [
        SupportGroup.objects.filter(name=g["name"]).first()
        or services.support_group_save(acting_user=admin, data=g)
        for g in GROUPS
    ]
    for f in FIRST_FRIENDS:
        if not first_friend_search(text=f["name"]):
            services.first_friend_save(acting_user=admin, data=f)

    assignments = list(
        PeerAssignment.objects.filter(client__in=clients, ended_on__isnull=True).select_related(
            "client", "peer"
        )
    )
    counts = {"contacts": 0, "attendance": 0, "checkins": 0}
    for i, a in enumerate(assignments):
        # Demo care teams are all formed "today"; the history goes back to admission (at most 4 months).
        start = max(_began(a, today), today - dt.timedelta(days=120))
        # Two of the peer's people drift past the threshold: their last contact is 9-14 days ago.
        stale = a.peer == peer and i % 4 == 1
        last = (
            today - dt.timedelta(days=rng.randint(9, 14))
            if stale
            else today - dt.timedelta(days=rng.randint(0, 4))
        )
        day = start
        while day <= last:
            accompany = rng.random() < 0.15
            data = {
                "occurred_at": _at(day, rng.choice([9, 11, 14, 16]), tz),
                "duration_minutes": rng.choice([15, 30, 45, 60, 90])
                if not accompany
                else rng.choice([90, 120, 180]),
                "mode": ContactMode.IN_PERSON if accompany else rng.choice(ContactMode.values),
                "kind": ContactKind.ACCOMPANIMENT
                if accompany
                else rng.choice(
                    [
                        ContactKind.CHECK_IN,
                        ContactKind.CHECK_IN,
                        ContactKind.COACHING,
                        ContactKind.GROUP_TOGETHER,
                    ]
                ),
                "summary": rng.choice(SUMMARIES),
                "domains": rng.sample(RecoveryDomain.values, k=rng.randint(1, 2)),
                "follow_up_needed": day > today - dt.timedelta(days=7) and rng.random() < 0.3,
                "follow_up_note": "Check the bus pass came through",
            }
            if accompany:
                to, place, summary = rng.choice(ACCOMPANIMENTS)
                data.update(accompaniment_to=to, place=place, summary=summary)
            services.peer_contact_log(assignment=a, acting_user=a.peer, data=data)
            counts["contacts"] += 1
            day += dt.timedelta(days=rng.randint(3, 8))

    # Weekly group attendance for several of the people, and monthly recovery check-ins.
    for a in assignments[:6]:
        client = a.client
        spanish = client.preferred_language == "es"
        home = next(g for g in groups if g.language == "es") if spanish else rng.choice(groups[:3])
        monday = today - dt.timedelta(days=today.weekday())
        for week in range(1, 13):
            date = monday - dt.timedelta(weeks=week) + dt.timedelta(days=home.meets_on or 0)
            if date < _began(a, today):
                break
            services.group_attendance_record(
                client=client,
                group=home,
                date=date,
                attended=rng.random() < 0.8,
                source=rng.choice(AttendanceSource.values),
                acting_user=a.peer,
            )
            counts["attendance"] += 1
        level = rng.randint(2, 3)
        for month in range(4, -1, -1):
            on = today - dt.timedelta(days=30 * month + rng.randint(0, 3))
            if on < _began(a, today):
                continue
            level = min(6, level + rng.choice([0, 0, 1]))
            ratings = {d: max(1, min(6, level + rng.randint(-1, 1))) for d in RecoveryDomain.values}
            services.recovery_checkin_record(
                client=client, ratings=ratings, note="", acting_user=a.peer, recorded_on=on
            )
            counts["checkins"] += 1
    return counts
