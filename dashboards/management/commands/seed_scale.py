"""Generate a large, realistic program fast (bulk inserts) to measure the pages and the dashboard.

``manage.py seed_scale --clients 100000`` makes, in proportion (figures at 100k clients):
about 500 staff of mixed roles in 20 teams of ~5,000 clients, ~2M appointments (past ones attended,
no-show or cancelled; future ones scheduled), ~300k referrals (every status, partner response and
closure times, outcomes, some partners that never answer), ~20k crisis episodes with their
dispositions, follow-up checkpoints and the contacts / visits that meet them, ~500k scheduled
messages (sent, delivered, failed, skipped with a reason, pending), PHQ-9 / GAD-7 / BARC-10 / C-SSRS
scores, a problem list (~170k diagnoses, ~60k medications of which ~25k MOUD, ~10k allergies; see
``SUD_DIAGNOSES``), logged contacts, session notes, treatment plans, peer assignments and contacts, care-team
assignments and the django-guardian object permissions those assignments carry.

It writes rows directly with ``bulk_create`` — no services, no tasks queued, no outreach scheduled and
**no audit rows** (the data is synthetic; nobody viewed or changed a real record). It refuses to run
twice on one database: scale teams already present means "drop and recreate the database", because
appending a second copy would double every figure the benchmark measures.

The user ``scale.supervisor`` (password ``careteam-demo``) supervises "Scale team 01", so
``manage.py bench_pages --user scale.supervisor`` times the pages for a supervisor of one team.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone

from careteam.access import CASE_ROLE_PERMISSIONS
from careteam.models import CareTeamAssignment, CaseRole, Task, TaskKind, TaskPriority, TaskStatus, Team, User
from careteam.roles import Role
from clients.assessments import scoring
from clients.models import (
    Allergy,
    AllergyReview,
    AllergySeverity,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    AssessmentResponse,
    Client,
    ClientContact,
    ClientStatus,
    ClientUserObjectPermission,
    ContactMode,
    ContactPurpose,
    Diagnosis,
    DiagnosisCode,
    DiagnosisType,
    DischargeReason,
    EncounterNote,
    Instrument,
    Medication,
    MedicationRoute,
    MoudType,
    NeedCategory,
    NoteStatus,
    PrescriberRecommendation,
)
from crisis.checkpoints import windows_for
from crisis.models import (
    CaringContactPlan,
    CaringContactProtocol,
    CrisisEpisode,
    Disposition,
    EpisodeSource,
    FollowUpCheckpoint,
    PresentingConcern,
    RiskLevel,
)
from outreach.models import Channel, InboundKind, InboundMessage, MessageStatus, ScheduledMessage, SkipReason
from outreach.models import SourceKind as MessageSource
from peers.models import ContactKind as PeerContactKind
from peers.models import ContactMode as PeerContactMode
from peers.models import PeerAssignment, PeerContact
from plans.models import PlanStatus, TreatmentPlan
from referrals.models import Organization, Referral, ReferralOutcome, ReferralStatus, Service

# The problem list, in rough proportion to an outpatient SUD / co-occurring program (synthetic, not
# epidemiology): (ICD-10-CM code, share of clients in care), one substance-use diagnosis each at most,
# as the primary; then co-occurring mental-health and social-determinant codes as secondary.
SUD_DIAGNOSES = [("F11.20", 35), ("F10.20", 30), ("F15.20", 8), ("F14.20", 7), ("F12.20", 10), (None, 10)]
SECONDARY_DIAGNOSES = [("F32.1", 0.30), ("F41.1", 0.25), ("F43.10", 0.15), ("F31.81", 0.03), ("Z59.01", 0.08)]
# MOUD for opioid use disorder, MAUD for alcohol use disorder: (type, name, dose, route, frequency, weight).
MOUD_CHOICES = [
    (
        MoudType.BUPRENORPHINE_NALOXONE,
        "Buprenorphine/naloxone 8 mg/2 mg film",
        "16 mg",
        MedicationRoute.SUBLINGUAL,
        "once a day",
        50,
    ),
    (
        MoudType.METHADONE,
        "Methadone oral solution 10 mg/mL",
        "80 mg",
        MedicationRoute.ORAL,
        "once a day, dispensed at the clinic",
        35,
    ),
    (
        MoudType.NALTREXONE_XR,
        "Naltrexone extended-release 380 mg",
        "380 mg",
        MedicationRoute.INTRAMUSCULAR,
        "every 4 weeks",
        15,
    ),
]
MAUD_CHOICES = [
    (MoudType.NALTREXONE_ORAL, "Naltrexone 50 mg tablet", "50 mg", MedicationRoute.ORAL, "once a day", 60),
    (
        MoudType.ACAMPROSATE,
        "Acamprosate 333 mg tablet",
        "666 mg",
        MedicationRoute.ORAL,
        "three times a day",
        40,
    ),
]
ALLERGENS = ["Penicillin", "Sulfa drugs", "Codeine", "Peanuts", "Latex", "Ibuprofen"]

SCALE_TEAM_PREFIX = "Scale team "
SUPERVISOR_USERNAME = "scale.supervisor"
PASSWORD = settings.CARETEAM_DEMO_PASSWORD
CLIENTS_PER_TEAM = 5000
CLIENTS_PER_STAFF = 200
BATCH = 2000

FIRST = (
    "Alex Blair Casey Dana Eli Frankie Gray Harper Indy Jules Kai Logan Morgan Noel Oak Parker Quinn Reese "
)
FIRST += "Sam Taylor Uri Val Wren Yael Zion Maria Jose Wei Linh Omar Fatima Ivan Ana Tomas Grace Dmitri"
LAST = "Abbott Baker Chen Diaz Evans Fischer Garcia Hughes Ito Jones Khan Lopez Moreau Nguyen Okafor Patel "
LAST += "Quintero Rossi Smith Tanaka Ueda Vargas Walsh Xu Young Zhou Brennan Costa Haddad Novak Silva"
FIRST_NAMES, LAST_NAMES = FIRST.split(), LAST.split()
PROGRAMS = ["Outpatient SUD", "Co-occurring disorders", "Crisis services", "Recovery support"]
TIME_ZONES = ["America/New_York"] * 6 + ["America/Chicago"] * 2 + ["America/Denver", "America/Los_Angeles"]

# Past appointment outcomes, for clients who mostly come and for the fifth who often do not.
ENGAGED_OUTCOMES = [
    (AppointmentStatus.ATTENDED, 80),
    (AppointmentStatus.NO_SHOW, 8),
    (AppointmentStatus.CANCELLED_CLIENT, 6),
    (AppointmentStatus.CANCELLED_PROGRAM, 4),
    (AppointmentStatus.RESCHEDULED, 2),
]
STRUGGLING_OUTCOMES = [
    (AppointmentStatus.ATTENDED, 50),
    (AppointmentStatus.NO_SHOW, 35),
    (AppointmentStatus.CANCELLED_CLIENT, 10),
    (AppointmentStatus.CANCELLED_PROGRAM, 3),
    (AppointmentStatus.RESCHEDULED, 2),
]
APPOINTMENT_KINDS = [
    (AppointmentKind.INDIVIDUAL, 45),
    (AppointmentKind.GROUP, 15),
    (AppointmentKind.CASE_MANAGEMENT, 15),
    (AppointmentKind.PEER, 10),
    (AppointmentKind.MEDICATION, 10),
    (AppointmentKind.INTAKE, 2),
    (AppointmentKind.OTHER, 3),
]
DISPOSITIONS = [
    (Disposition.COMMUNITY, 35),
    (Disposition.URGENT_OUTPATIENT, 20),
    (Disposition.MOBILE_FOLLOW_UP, 10),
    (Disposition.CSU, 8),
    (Disposition.DETOX, 7),
    (Disposition.ED, 12),
    (Disposition.INPATIENT, 8),
]
HOSPITAL = {Disposition.ED, Disposition.INPATIENT}
MESSAGE_SOURCES = [
    (MessageSource.APPOINTMENT, 65),
    (MessageSource.CLIENT_REMINDER, 15),
    (MessageSource.REFERRAL, 12),
    (MessageSource.MANUAL, 8),
]
PAST_MESSAGE_STATUSES = [
    (MessageStatus.DELIVERED, 55),
    (MessageStatus.SENT, 25),
    (MessageStatus.FAILED, 5),
    (MessageStatus.SKIPPED, 10),
    (MessageStatus.CANCELLED, 5),
]
SKIP_REASONS = [
    SkipReason.OPTED_OUT_CHANNEL,
    SkipReason.OPTED_OUT_NONESSENTIAL,
    SkipReason.NO_TEXT_CONSENT,
    SkipReason.NO_ADDRESS,
    SkipReason.CLIENT_DISCHARGED,
    SkipReason.EXPIRED,
]


def pick(rng: random.Random, weighted: list[tuple]) -> object:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def spread(rng: random.Random, total: int, items: int, top: int, low: int = 0) -> list[int]:
    """Item answers between ``low`` and ``top`` that add up to ``total`` (clamped to what fits)."""
    answers = [low] * items
    remaining = max(0, min(total - low * items, (top - low) * items))
    while remaining:
        i = rng.randrange(items)
        if answers[i] < top:
            answers[i] += 1
            remaining -= 1
    return answers


@dataclass
class TeamStaff:
    team: Team
    supervisor: User
    by_role: dict[str, list[User]] = field(default_factory=dict)


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.rows[name] = self.rows.get(name, 0) + n

    @property
    def total(self) -> int:
        return sum(self.rows.values())


class Command(BaseCommand):
    help = (
        "Fill an empty database with N synthetic clients and everything around them, in bulk "
        "(no services, no audit rows). Refuses when scale data is already present."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=1000, help="how many clients (default 1000)")
        parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same data)")
        parser.add_argument("--chunk", type=int, default=1000, help="clients per transaction")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even though DEBUG is off. The generated logins share a published password: "
            "only ever on a throwaway benchmark database.",
        )

    def handle(self, *args, clients: int, seed: int, chunk: int, force: bool = False, **options):
        if clients < 10:
            raise CommandError("--clients must be at least 10.")
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off, so this looks like a production site; seed_scale creates hundreds of "
                "logins with a published password. Nothing was changed. Pass --force on a throwaway "
                "benchmark database."
            )
        if (
            Client.objects.exists()
            or Team.objects.filter(name__startswith=SCALE_TEAM_PREFIX).exists()
            or User.objects.filter(username=SUPERVISOR_USERNAME).exists()
        ):
            raise CommandError(
                "This database already holds clients or scale data; seed_scale only fills a fresh one "
                "(drop and recreate the database, then migrate)."
            )
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.today = timezone.localdate()
        self.counts = Counts()
        self.started = time.perf_counter()
        self._load_reference_data()

        with transaction.atomic():
            teams = self._create_staff(clients)
            self._create_directory(clients)
        self._progress("staff and directory")

        # Clients are split over the teams in order, chunk by chunk, one transaction per chunk.
        per_team = [clients // len(teams) + (1 if i < clients % len(teams) else 0) for i in range(len(teams))]
        done = 0
        for team_staff, team_clients in zip(teams, per_team, strict=True):
            made = 0
            while made < team_clients:
                n = min(chunk, team_clients - made)
                with transaction.atomic():
                    self._create_chunk(team_staff, n)
                made += n
                done += n
                self._progress(f"{done}/{clients} clients")
        if connection.vendor == "postgresql":
            # Fresh statistics (or the planner guesses from empty tables on the first benchmark run) and
            # a visibility map, without which PostgreSQL cannot use index-only scans on the new rows.
            with connection.cursor() as cursor:
                # VACUUM cannot run inside a transaction (e.g. under a test's atomic block).
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        elapsed = time.perf_counter() - self.started
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {self.counts.total:,} rows in {elapsed:.0f} s "
                f"({self.counts.total / elapsed:,.0f} rows/s)."
            )
        )
        for name, n in sorted(self.counts.rows.items()):
            self.stdout.write(f"  {name:36} {n:>10,}")
        self.stdout.write(f"Log in as {SUPERVISOR_USERNAME} / {PASSWORD} (supervises {teams[0].team.name}).")

    # --- helpers -------------------------------------------------------------------------------

    def _progress(self, what: str) -> None:
        elapsed = time.perf_counter() - self.started
        self.stdout.write(
            f"{what}: {self.counts.total:,} rows, {elapsed:.0f} s, "
            f"{self.counts.total / max(elapsed, 0.001):,.0f} rows/s"
        )

    def _bulk(self, model, objs: list, name: str | None = None) -> list:
        if objs:
            model.objects.bulk_create(objs, batch_size=BATCH)
            self.counts.add(name or model._meta.label, len(objs))
        return objs

    def _at(self, days_ago: float, *, hour_from: int = 13, hour_to: int = 22) -> dt.datetime:
        """A time ``days_ago`` days from now (negative: in the future) at a working hour (UTC)."""
        day = self.now - dt.timedelta(days=days_ago)
        return day.replace(hour=self.rng.randint(hour_from, hour_to), minute=self.rng.choice((0, 15, 30, 45)))

    def _past(self, days_ago: float, **hours) -> dt.datetime:
        """Like ``_at`` but never after now (contacts, scores and episodes are things that happened)."""
        return min(self.now - dt.timedelta(minutes=1), self._at(days_ago, **hours))

    def _load_reference_data(self) -> None:
        self.instruments = {
            i.code: i
            for i in Instrument.objects.filter(code__in=["phq9", "gad7", "barc10", "cssrs_screener"])
        }
        if len(self.instruments) < 4:
            raise CommandError("Instruments are missing: run `manage.py migrate` first.")
        wanted = {c for c, _ in SUD_DIAGNOSES if c} | {c for c, _ in SECONDARY_DIAGNOSES}
        self.diagnosis_codes = {d.code: d for d in DiagnosisCode.objects.filter(code__in=wanted)}
        if len(self.diagnosis_codes) < len(wanted):
            raise CommandError("ICD-10-CM codes are missing: run `manage.py migrate` first.")
        self.protocol = CaringContactProtocol.objects.order_by("-is_default", "pk").first()
        if self.protocol is None:
            self.protocol = CaringContactProtocol.objects.create(
                name="Scale caring contacts", steps=[{"days": d} for d in (0, 7, 14, 21, 35, 49, 63, 77)]
            )
        self.perm_ids = {
            f"clients.{p.codename}": p.pk
            for p in Permission.objects.filter(
                content_type__app_label="clients", codename__in=["view_client", "change_client"]
            )
        }
        self.password = make_password(PASSWORD)

    # --- staff, teams, directory ---------------------------------------------------------------

    def _create_staff(self, clients: int) -> list[TeamStaff]:
        n_teams = max(2, round(clients / CLIENTS_PER_TEAM))
        per_team = max(7, round(clients / n_teams / CLIENTS_PER_STAFF))
        groups = {g.name: g for g in Group.objects.filter(name__in=Role.values)}
        for role in Role.values:
            if role not in groups:
                groups[role] = Group.objects.create(name=role)
        teams = self._bulk(
            Team,
            [
                Team(
                    name=f"{SCALE_TEAM_PREFIX}{i + 1:02d}",
                    program=PROGRAMS[i % len(PROGRAMS)],
                    site=f"Site {i % 5 + 1}",
                )
                for i in range(n_teams)
            ],
        )
        teams = list(Team.objects.filter(name__startswith=SCALE_TEAM_PREFIX).order_by("name"))
        crisis = max(1, round(per_team * 0.1))
        peers = max(1, round(per_team * 0.2))
        managers = max(1, round(per_team * 0.2))
        counselors = max(2, per_team - 1 - crisis - peers - managers)
        plan = [
            (Role.SUPERVISOR, 1),
            (Role.COUNSELOR, counselors),
            (Role.CASE_MANAGER, managers),
            (Role.PEER_SPECIALIST, peers),
            (Role.CRISIS_WORKER, crisis),
        ]
        users, roles = [], []
        for t in range(len(teams)):
            for role, n in plan:
                for i in range(n):
                    username = (
                        SUPERVISOR_USERNAME
                        if (t == 0 and role == Role.SUPERVISOR)
                        else f"scale.t{t + 1:02d}.{role}{i + 1}"
                    )
                    users.append(
                        User(
                            username=username,
                            first_name=self.rng.choice(FIRST_NAMES),
                            last_name=self.rng.choice(LAST_NAMES),
                            email=f"{username}@example.org",
                            password=self.password,
                            notes_require_cosign=role == Role.COUNSELOR and i == 0,
                        )
                    )
                    roles.append((t, role))
        self._bulk(User, users)
        staff = [TeamStaff(team=team, supervisor=None) for team in teams]  # type: ignore[arg-type]
        user_groups, members, supervisors = [], [], []
        for user, (t, role) in zip(users, roles, strict=True):
            user_groups.append(User.groups.through(user_id=user.pk, group_id=groups[role].pk))
            members.append(Team.members.through(team_id=teams[t].pk, user_id=user.pk))
            if role == Role.SUPERVISOR:
                staff[t].supervisor = user
                supervisors.append(Team.supervisors.through(team_id=teams[t].pk, user_id=user.pk))
            staff[t].by_role.setdefault(role, []).append(user)
        self._bulk(User.groups.through, user_groups, "auth.user_groups")
        self._bulk(Team.members.through, members, "careteam.team_members")
        self._bulk(Team.supervisors.through, supervisors, "careteam.team_supervisors")
        return staff

    def _create_directory(self, clients: int) -> None:
        n_orgs = max(10, clients // 500)
        orgs = self._bulk(
            Organization,
            [
                Organization(name=f"Scale partner {i + 1:03d}", description="Synthetic partner.")
                for i in range(n_orgs)
            ],
        )
        orgs = list(Organization.objects.filter(name__startswith="Scale partner ").order_by("pk"))
        categories = NeedCategory.values
        self._bulk(
            Service,
            [
                Service(
                    organization=org,
                    name=f"{categories[i % len(categories)].replace('_', ' ').title()} service",
                    accepts_electronic_referrals=i % 2 == 0,
                    typical_response_days=self.rng.randint(1, 10),
                )
                for i, org in enumerate(orgs)
            ],
        )
        services = list(
            Service.objects.filter(organization__in=orgs).select_related("organization").order_by("pk")
        )
        # One partner in ten never answers: its referrals sit in "requested" and get flagged.
        self.services = [(s, s.organization_id % 10 == 0) for s in services]

    # --- one chunk of clients and their history ------------------------------------------------

    def _create_chunk(self, staff: TeamStaff, n: int) -> None:
        rng = self.rng
        team = staff.team
        clients = []
        for _ in range(n):
            status = pick(
                rng,
                [
                    (ClientStatus.ACTIVE, 80),
                    (ClientStatus.REFERRED, 5),
                    (ClientStatus.INACTIVE, 7),
                    (ClientStatus.DISCHARGED, 8),
                ],
            )
            admitted = self.today - dt.timedelta(days=rng.randint(30, 900))
            discharged = None
            if status == ClientStatus.DISCHARGED:
                discharged = min(self.today, admitted + dt.timedelta(days=rng.randint(20, 400)))
            clients.append(
                Client(
                    legal_first_name=rng.choice(FIRST_NAMES),
                    legal_last_name=rng.choice(LAST_NAMES),
                    date_of_birth=dt.date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28)),
                    phone=f"+1617555{rng.randint(0, 9999):04d}",
                    preferred_channel="phone",
                    time_zone=rng.choice(TIME_ZONES),
                    status=status,
                    referred_on=admitted - dt.timedelta(days=rng.randint(1, 30)),
                    admitted_on=None if status == ClientStatus.REFERRED else admitted,
                    discharged_on=discharged,
                    discharge_reason=pick(rng, [(r, 1) for r in DischargeReason.values])
                    if discharged
                    else "",
                    primary_team=team,
                    created_at=self.now - dt.timedelta(days=(self.today - admitted).days + 1),
                )
            )
        self._bulk(Client, clients)
        Client.objects.filter(pk__in=[c.pk for c in clients]).update(
            record_number=Concat(Value("CT-"), LPad(Cast("id", CharField()), 7, Value("0")))
        )

        assignments, perms, peer_links = [], [], []
        roster: dict[int, dict[str, User]] = {}
        for client in clients:
            open_case = client.status != ClientStatus.DISCHARGED
            started = client.admitted_on or client.referred_on
            ended = client.discharged_on
            chosen: dict[str, User] = {}
            if rng.random() > 0.03 or not open_case:  # 3% of open cases wait for a primary counselor
                chosen[CaseRole.PRIMARY_COUNSELOR] = rng.choice(staff.by_role[Role.COUNSELOR])
            if rng.random() < 0.5:
                chosen[CaseRole.CASE_MANAGER] = rng.choice(staff.by_role[Role.CASE_MANAGER])
            if rng.random() < 0.25:
                chosen[CaseRole.PEER] = rng.choice(staff.by_role[Role.PEER_SPECIALIST])
            roster[client.pk] = chosen
            for role, user in chosen.items():
                cta = CareTeamAssignment(
                    client=client,
                    staff=user,
                    role=role,
                    started_on=started,
                    ended_on=ended,
                    end_reason="Discharged" if ended else "",
                    created_by=staff.supervisor,
                    created_at=self.now - dt.timedelta(days=(self.today - started).days),
                )
                assignments.append(cta)
                if role == CaseRole.PEER:
                    peer_links.append(cta)
                if open_case:
                    perms += [
                        ClientUserObjectPermission(
                            content_object=client, user=user, permission_id=self.perm_ids[p]
                        )
                        for p in CASE_ROLE_PERMISSIONS[role]
                    ]
        self._bulk(CareTeamAssignment, assignments)
        self._bulk(ClientUserObjectPermission, perms)

        peer_assignments = self._bulk(
            PeerAssignment,
            [
                PeerAssignment(
                    client_id=cta.client_id,
                    peer=cta.staff,
                    care_team_assignment=cta,
                    started_on=cta.started_on,
                    ended_on=cta.ended_on,
                    end_reason=cta.end_reason,
                    created_by=staff.supervisor,
                )
                for cta in peer_links
            ],
        )
        peer_contacts = []
        for pa in peer_assignments:
            if pa.ended_on:
                continue
            for _ in range(rng.choice((0, 0, 1, 2, 4, 6, 8, 10))):
                peer_contacts.append(
                    PeerContact(
                        assignment=pa,
                        client_id=pa.client_id,
                        peer=pa.peer,
                        occurred_at=self._past(rng.uniform(0, 70)),
                        duration_minutes=rng.choice((15, 30, 45, 60, 90)),
                        mode=pick(rng, [(m, 1) for m in PeerContactMode.values]),
                        kind=pick(
                            rng, [(k, 1) for k in PeerContactKind.values if k != PeerContactKind.OTHER]
                        ),
                        summary="Check-in (synthetic).",
                    )
                )
        self._bulk(PeerContact, peer_contacts)

        appointments, contacts = [], []
        for client in clients:
            team_people = roster[client.pk]
            counselor = team_people.get(CaseRole.PRIMARY_COUNSELOR) or rng.choice(
                staff.by_role[Role.COUNSELOR]
            )
            outcomes = STRUGGLING_OUTCOMES if rng.random() < 0.2 else ENGAGED_OUTCOMES
            if client.status == ClientStatus.DISCHARGED:
                latest = (self.today - client.discharged_on).days
            elif client.status == ClientStatus.INACTIVE:
                latest = rng.randint(45, 120)
            elif client.status == ClientStatus.REFERRED:
                latest = -14
            else:
                latest = -30
            earliest = min(365, (self.today - (client.admitted_on or client.referred_on)).days)
            if client.status == ClientStatus.REFERRED:
                earliest = 0
            if earliest <= latest:
                continue
            for _ in range(
                rng.randint(10, 30) if client.status != ClientStatus.REFERRED else rng.randint(0, 1)
            ):
                days_ago = rng.uniform(latest, earliest)
                kind = pick(rng, APPOINTMENT_KINDS)
                who = counselor
                if kind == AppointmentKind.CASE_MANAGEMENT and CaseRole.CASE_MANAGER in team_people:
                    who = team_people[CaseRole.CASE_MANAGER]
                elif kind == AppointmentKind.PEER and CaseRole.PEER in team_people:
                    who = team_people[CaseRole.PEER]
                starts = self._at(days_ago)
                status = AppointmentStatus.SCHEDULED if starts > self.now else pick(rng, outcomes)
                appointments.append(
                    Appointment(
                        client=client,
                        staff=who,
                        kind=kind,
                        starts_at=starts,
                        duration_minutes=50 if kind != AppointmentKind.GROUP else 90,
                        location="Main office",
                        status=status,
                        status_changed_at=None if status == AppointmentStatus.SCHEDULED else starts,
                        status_changed_by=None if status == AppointmentStatus.SCHEDULED else who,
                        created_by=who,
                        created_at=starts - dt.timedelta(days=rng.randint(3, 30)),
                    )
                )
            if latest < 0 or client.status == ClientStatus.INACTIVE:
                for _ in range(rng.randint(0, 8)):
                    at = self._past(rng.uniform(max(latest, 0), min(earliest, 180)))
                    contacts.append(
                        ClientContact(
                            client=client,
                            staff=rng.choice(list(team_people.values()) or [counselor]),
                            contacted_at=at,
                            mode=pick(
                                rng,
                                [(ContactMode.PHONE, 6), (ContactMode.TEXT, 3), (ContactMode.IN_PERSON, 1)],
                            ),
                            purpose=pick(
                                rng,
                                [
                                    (ContactPurpose.CHECK_IN, 6),
                                    (ContactPurpose.APPOINTMENT_REMINDER, 2),
                                    (ContactPurpose.OUTREACH, 2),
                                ],
                            ),
                            reached=rng.random() < 0.8,
                            created_at=at,
                        )
                    )

        self._create_crisis(staff, clients, roster, appointments, contacts)
        self._bulk(Appointment, appointments)
        self._bulk(ClientContact, contacts)
        self._create_notes(appointments, staff.supervisor)
        self._create_assessments(clients, roster, staff)
        self._create_problem_list(clients, roster, staff)
        self._create_plans(clients, roster, staff)
        self._create_referrals(clients, roster, staff)
        self._create_messages(clients)

    def _create_notes(self, appointments: list[Appointment], supervisor: User) -> None:
        rng, notes = self.rng, []
        recent = self.now - dt.timedelta(days=30)
        kinds = {AppointmentKind.INDIVIDUAL, AppointmentKind.MEDICATION, AppointmentKind.CASE_MANAGEMENT}
        for appt in appointments:
            if appt.status != AppointmentStatus.ATTENDED or appt.kind not in kinds or appt.starts_at < recent:
                continue
            old = self.now - appt.starts_at > dt.timedelta(days=3)
            signed = rng.random() < (0.9 if old else 0.5)
            signed_at = min(self.now, appt.starts_at + dt.timedelta(hours=rng.choice((1, 2, 5, 20, 50, 100))))
            cosign = signed and appt.staff.notes_require_cosign
            cosigned_at = signed_at + dt.timedelta(hours=24) if cosign and rng.random() < 0.5 else None
            if cosigned_at and cosigned_at > self.now:
                cosigned_at = None
            notes.append(
                EncounterNote(
                    client_id=appt.client_id,
                    appointment=appt,
                    author=appt.staff,
                    data="Synthetic session note.",
                    assessment="Engaged; progress toward goals.",
                    plan="Continue weekly sessions.",
                    minutes_spent=appt.duration_minutes,
                    status=NoteStatus.SIGNED if signed else NoteStatus.DRAFT,
                    signed_at=signed_at if signed else None,
                    signed_by=appt.staff if signed else None,
                    requires_cosign=cosign,
                    cosigned_at=cosigned_at,
                    cosigned_by=supervisor if cosigned_at else None,
                    created_at=appt.starts_at + dt.timedelta(hours=1),
                )
            )
        self._bulk(EncounterNote, notes)

    def _create_assessments(self, clients: list[Client], roster, staff: TeamStaff) -> None:
        rng, rows = self.rng, []

        def add(client, code, days_ago, answers, rule, by):
            result = rule(answers)
            at = self._past(days_ago)
            inst = self.instruments[code]
            rows.append(
                AssessmentResponse(
                    client=client,
                    instrument=inst,
                    instrument_version=inst.version,
                    answers=answers,
                    total=result.total,
                    band=result.band,
                    flags=list(result.flags),
                    scoring_note=result.note,
                    administered_by=by,
                    administered_at=at,
                    created_at=at,
                )
            )

        for client in clients:
            if client.status in (ClientStatus.REFERRED, ClientStatus.DISCHARGED):
                continue
            by = roster[client.pk].get(CaseRole.PRIMARY_COUNSELOR) or staff.supervisor
            for code, share, items, rule in (
                ("phq9", 0.4, 9, scoring.score_phq9),
                ("gad7", 0.3, 7, scoring.score_gad7),
            ):
                if rng.random() >= share:
                    continue
                score = rng.randint(6, 22)
                count = rng.randint(2, 5)
                for k in range(count):
                    answers = {f"q{i + 1}": v for i, v in enumerate(spread(rng, score, items, 3))}
                    if code == "phq9":
                        answers["q9"] = 1 if rng.random() < 0.05 else 0
                    add(client, code, (count - k) * 30 - rng.randint(0, 10), answers, rule, by)
                    score = max(0, min(3 * items, score + rng.randint(-6, 3)))
            if rng.random() < 0.15:
                total = rng.randint(25, 55)
                for k in range(rng.randint(1, 2)):
                    answers = {f"q{i + 1}": v for i, v in enumerate(spread(rng, total + 4 * k, 10, 6, 1))}
                    add(client, "barc10", 120 - 90 * k, answers, scoring.score_barc10, by)
            if rng.random() < 0.05:
                band = rng.choice(("none", "low", "moderate", "high"))
                answers = {"q1": int(band != "none"), "q2": int(band in ("moderate", "high")), "q6": 0}
                if answers["q2"]:
                    answers.update(q3=1, q4=int(band == "high"), q5=0)
                add(client, "cssrs_screener", rng.uniform(0, 90), answers, scoring.score_cssrs_screener, by)
        self._bulk(AssessmentResponse, rows)

    def _create_problem_list(self, clients: list[Client], roster, staff: TeamStaff) -> None:
        """Diagnoses, medications (MOUD / MAUD, antidepressants), a prescriber recommendation now and
        then, and allergies with the review state, for clients past referral."""
        rng = self.rng
        diagnoses, medications, recommendations, allergies, reviewed = [], [], [], [], []
        for client in clients:
            if client.status == ClientStatus.REFERRED:
                continue
            by = roster[client.pk].get(CaseRole.PRIMARY_COUNSELOR) or staff.supervisor
            onset = client.admitted_on or self.today
            recorded = self._past((self.today - onset).days)
            sud = pick(rng, SUD_DIAGNOSES)
            codes = [(sud, DiagnosisType.PRIMARY)] if sud else []
            codes += [
                (code, DiagnosisType.SECONDARY if sud else DiagnosisType.PRIMARY)
                for code, share in SECONDARY_DIAGNOSES
                if rng.random() < share
            ]
            seen_primary = False
            for code, kind in codes:
                if kind == DiagnosisType.PRIMARY:
                    if seen_primary:
                        kind = DiagnosisType.SECONDARY
                    seen_primary = True
                dx = self.diagnosis_codes[code]
                diagnoses.append(
                    Diagnosis(
                        client=client,
                        code=dx,
                        description=dx.description,
                        diagnosis_type=kind,
                        onset_date=onset,
                        recorded_by=by,
                        recorded_at=recorded,
                    )
                )
            choices = {"F11.20": (MOUD_CHOICES, 0.6), "F10.20": (MAUD_CHOICES, 0.2)}.get(sud)
            if choices and rng.random() < choices[1]:
                moud, name, dose, route, frequency = pick(rng, [(c[:5], c[5]) for c in choices[0]])
                medication = Medication(
                    client=client,
                    name=name,
                    dose=dose,
                    route=route,
                    frequency=frequency,
                    moud_type=moud,
                    prescriber_name=rng.choice(["Dr. A. Okafor", "Dr. M. Lindqvist", "Dr. R. Castillo"]),
                    prescriber_organization="Harborview Addiction Medicine",
                    start_date=onset,
                    recorded_by=by,
                    recorded_at=recorded,
                )
                medications.append(medication)
                if rng.random() < 0.25:
                    recommendations.append(
                        PrescriberRecommendation(
                            client=client,
                            medication=medication,
                            recommended_on=self.today - dt.timedelta(days=rng.randint(1, 90)),
                            prescriber_name=medication.prescriber_name,
                            text="Continue the current dose; urine drug screen at each visit.",
                            recorded_by=by,
                        )
                    )
            if any(code == "F32.1" for code, _ in codes) and rng.random() < 0.4:
                medications.append(
                    Medication(
                        client=client,
                        name="Sertraline 50 mg tablet",
                        dose="50 mg",
                        route=MedicationRoute.ORAL,
                        frequency="once a day",
                        prescriber_name="Dr. P. Nguyen",
                        prescriber_organization="Eastside Family Health",
                        start_date=onset,
                        recorded_by=by,
                        recorded_at=recorded,
                    )
                )
            roll = rng.random()
            if roll < 0.7:
                client.allergy_review = AllergyReview.NO_KNOWN_ALLERGIES
                if roll < 0.1:
                    client.allergy_review = AllergyReview.RECORDED
                    allergies.append(
                        Allergy(
                            client=client,
                            substance=rng.choice(ALLERGENS),
                            reaction="Hives",
                            severity=rng.choice(list(AllergySeverity.values)),
                            recorded_by=by,
                            recorded_at=recorded,
                        )
                    )
                client.allergy_reviewed_at = recorded
                client.allergy_reviewed_by = by
                reviewed.append(client)
        self._bulk(Diagnosis, diagnoses)
        self._bulk(Medication, medications)
        self._bulk(PrescriberRecommendation, recommendations)
        self._bulk(Allergy, allergies)
        Client.objects.bulk_update(
            reviewed, ["allergy_review", "allergy_reviewed_at", "allergy_reviewed_by"], batch_size=BATCH
        )

    def _create_plans(self, clients: list[Client], roster, staff: TeamStaff) -> None:
        rng, plans = self.rng, []
        for client in clients:
            if client.status != ClientStatus.ACTIVE or rng.random() > 0.6:
                continue
            by = roster[client.pk].get(CaseRole.PRIMARY_COUNSELOR) or staff.supervisor
            signed = self._past(rng.uniform(20, 200))
            plans.append(
                TreatmentPlan(
                    client=client,
                    version=1,
                    status=PlanStatus.ACTIVE,
                    strengths="Motivated; supportive family.",
                    review_due_on=self.today + dt.timedelta(days=rng.randint(-45, 90)),
                    signed_by=by,
                    signed_at=signed,
                    client_agreement="signed",
                    client_agreement_on=signed.date(),
                    created_by=by,
                    created_at=signed - dt.timedelta(days=2),
                )
            )
        self._bulk(TreatmentPlan, plans)

    def _create_referrals(self, clients: list[Client], roster, staff: TeamStaff) -> None:
        rng, rows = self.rng, []
        for client in clients:
            if client.status == ClientStatus.REFERRED:
                continue
            by = (
                roster[client.pk].get(CaseRole.CASE_MANAGER)
                or roster[client.pk].get(CaseRole.PRIMARY_COUNSELOR)
                or staff.supervisor
            )
            for _ in range(rng.randint(0, 6)):
                service, silent = rng.choice(self.services)
                requested = self._past(rng.uniform(0, 365), hour_from=13, hour_to=21)
                status = pick(
                    rng,
                    [
                        (ReferralStatus.DRAFT, 3),
                        (ReferralStatus.REQUESTED, 10),
                        (ReferralStatus.ACCEPTED, 8),
                        (ReferralStatus.IN_PROGRESS, 10),
                        (ReferralStatus.ON_HOLD, 2),
                        (ReferralStatus.COMPLETED, 45),
                        (ReferralStatus.REJECTED, 7),
                        (ReferralStatus.CANCELLED, 5),
                        (ReferralStatus.FAILED, 10),
                    ],
                )
                if silent and status != ReferralStatus.DRAFT:
                    status = (
                        ReferralStatus.FAILED
                        if requested < self.now - dt.timedelta(days=60)
                        else ReferralStatus.REQUESTED
                    )
                first = closed = None
                if status not in (ReferralStatus.DRAFT, ReferralStatus.REQUESTED) and not silent:
                    first = requested + dt.timedelta(hours=rng.expovariate(1 / 72) + 1)
                if status in (
                    ReferralStatus.COMPLETED,
                    ReferralStatus.REJECTED,
                    ReferralStatus.CANCELLED,
                    ReferralStatus.FAILED,
                ):
                    closed = (first or requested) + dt.timedelta(days=rng.randint(2, 60))
                if (first and first > self.now) or (closed and closed > self.now):
                    status, first, closed = ReferralStatus.REQUESTED, None, None
                outcome = ""
                if status == ReferralStatus.COMPLETED:
                    outcome = pick(
                        rng,
                        [
                            (ReferralOutcome.CONNECTED, 75),
                            (ReferralOutcome.CLIENT_DECLINED, 10),
                            (ReferralOutcome.NO_CONTACT, 15),
                        ],
                    )
                elif status == ReferralStatus.REJECTED:
                    outcome = pick(rng, [(ReferralOutcome.NOT_ELIGIBLE, 1), (ReferralOutcome.NO_CAPACITY, 1)])
                elif status == ReferralStatus.FAILED:
                    outcome = ReferralOutcome.UNRESPONSIVE if silent else ReferralOutcome.NO_CONTACT
                last = closed or first or requested
                flagged = status == ReferralStatus.REQUESTED and requested < self.now - dt.timedelta(days=14)
                rows.append(
                    Referral(
                        client=client,
                        service=service,
                        organization_id=service.organization_id,
                        referred_by=by,
                        reason="Synthetic referral.",
                        urgency="urgent" if rng.random() < 0.15 else "routine",
                        category=rng.choice(NeedCategory.values),
                        shared_categories=["demographics"],
                        status=status,
                        status_changed_at=last,
                        outcome=outcome,
                        outcome_recorded_at=closed if outcome else None,
                        requested_at=None if status == ReferralStatus.DRAFT else requested,
                        first_response_at=first,
                        closed_at=closed,
                        last_activity_at=last,
                        flagged_at=requested + dt.timedelta(days=14) if flagged else None,
                        flag_reason="No response from the partner in 14 days." if flagged else "",
                        created_at=requested - dt.timedelta(hours=1),
                    )
                )
        self._bulk(Referral, rows)

    def _create_crisis(self, staff: TeamStaff, clients, roster, appointments: list, contacts: list) -> None:
        """Episodes, their checkpoints, and the follow-up contacts and visits that meet most of them."""
        rng, episodes = self.rng, []
        workers = staff.by_role[Role.CRISIS_WORKER]
        for client in clients:
            if client.status == ClientStatus.REFERRED or rng.random() >= 0.15:
                continue
            for _ in range(2 if rng.random() < 0.3 else 1):
                opened = self._past(rng.uniform(0.2, 365), hour_from=0, hour_to=23)
                disposition, disp_at, closed = "", None, None
                if opened < self.now - dt.timedelta(hours=6) or rng.random() < 0.5:
                    disposition = pick(rng, DISPOSITIONS)
                    stay = (
                        dt.timedelta(days=rng.randint(1, 10))
                        if disposition in HOSPITAL
                        else dt.timedelta(hours=rng.randint(1, 6))
                    )
                    disp_at = min(self.now, opened + stay)
                    if disp_at + dt.timedelta(days=14) < self.now and rng.random() < 0.9:
                        closed = disp_at + dt.timedelta(days=14)
                worker = rng.choice(workers)
                episodes.append(
                    CrisisEpisode(
                        client=client,
                        opened_at=opened,
                        opened_by=worker,
                        source=pick(rng, [(s, 1) for s in EpisodeSource.values]),
                        concerns=[rng.choice(PresentingConcern.values)],
                        risk_level=pick(
                            rng,
                            [
                                (RiskLevel.LOW, 3),
                                (RiskLevel.MODERATE, 4),
                                (RiskLevel.HIGH, 2),
                                (RiskLevel.IMMINENT, 1),
                            ],
                        ),
                        summary="Synthetic crisis episode.",
                        disposition=disposition,
                        disposition_at=disp_at,
                        disposition_by=worker if disposition else None,
                        closed_at=closed,
                        closed_by=worker if closed else None,
                    )
                )
        self._bulk(CrisisEpisode, episodes)
        checkpoints = []
        for ep in episodes:
            if not ep.disposition:
                continue
            for spec in windows_for(ep.disposition, ep.disposition_at):
                checkpoints.append(FollowUpCheckpoint(episode=ep, client_id=ep.client_id, **spec))
            counselor = roster[ep.client_id].get(CaseRole.PRIMARY_COUNSELOR) or ep.opened_by
            roll = rng.random()
            if roll < 0.8:  # reached within 24 h (70%) or within 72 h (10%)
                at = ep.disposition_at + dt.timedelta(
                    hours=rng.uniform(1, 23) if roll < 0.7 else rng.uniform(25, 70)
                )
                if at <= self.now:
                    contacts.append(
                        ClientContact(
                            client_id=ep.client_id,
                            staff=ep.opened_by,
                            contacted_at=at,
                            mode=ContactMode.PHONE,
                            purpose=ContactPurpose.CRISIS_FOLLOW_UP,
                            reached=True,
                            created_at=at,
                        )
                    )
            visit_roll = rng.random()
            if visit_roll < 0.75:  # outpatient visit within 7 days (55%) or on days 8-28 (20%)
                days = rng.uniform(1, 6.5) if visit_roll < 0.55 else rng.uniform(8, 28)
                at = ep.disposition_at + dt.timedelta(days=days)
                attended = at <= self.now and rng.random() < 0.9
                appointments.append(
                    Appointment(
                        client_id=ep.client_id,
                        staff=counselor,
                        kind=AppointmentKind.CRISIS_FOLLOW_UP,
                        starts_at=at,
                        status=AppointmentStatus.ATTENDED
                        if attended
                        else (AppointmentStatus.SCHEDULED if at > self.now else AppointmentStatus.NO_SHOW),
                        status_changed_at=at if at <= self.now else None,
                        created_by=ep.opened_by,
                        created_at=ep.disposition_at,
                    )
                )
        self._bulk(FollowUpCheckpoint, checkpoints)

        # Caring contacts: one plan per client with an episode, and its messages.
        first_episode: dict[int, CrisisEpisode] = {}
        for ep in episodes:
            if ep.disposition and ep.client_id not in first_episode:
                first_episode[ep.client_id] = ep
        plans = self._bulk(
            CaringContactPlan,
            [
                CaringContactPlan(
                    client_id=ep.client_id,
                    protocol=self.protocol,
                    episode=ep,
                    channel="sms",
                    signer=ep.opened_by,
                    start_date=ep.disposition_at.date(),
                    started_by=ep.opened_by,
                    started_at=ep.disposition_at,
                )
                for ep in first_episode.values()
            ],
        )
        messages = []
        for plan in plans:
            for k, days in enumerate((0, 7, 14, 21, 35, 49, 63, 77)):
                due = plan.started_at + dt.timedelta(days=days, hours=rng.randint(1, 5))
                status = MessageStatus.PENDING if due > self.now else pick(rng, PAST_MESSAGE_STATUSES)
                messages.append(
                    self._message(
                        plan.client_id,
                        f"cc:{plan.pk}:{k}",
                        MessageSource.CARING_CONTACT,
                        due,
                        status,
                        ("crisis.caringcontactplan", plan.pk),
                        signer=plan.signer_id,
                        template="caring_contact",
                    )
                )
        self._bulk(ScheduledMessage, messages)

        # An urgent reply to a caring contact, some still waiting on the team.
        replies = []
        for msg in messages:
            if msg.status in (MessageStatus.DELIVERED, MessageStatus.SENT) and rng.random() < 0.02:
                replies.append(
                    InboundMessage(
                        from_number="+16175550000",
                        client_id=msg.client_id,
                        body="Thanks for the message. Having a hard week.",
                        kind=InboundKind.REPLY,
                        risk_words=["hard week"],
                        in_reply_to=msg,
                        received_at=msg.due_at + dt.timedelta(hours=3),
                    )
                )
        self._bulk(InboundMessage, replies)
        tasks = []
        for reply in replies:
            done = rng.random() < 0.5
            tasks.append(
                Task(
                    kind=TaskKind.CLIENT_REPLY,
                    title="Reply from a client",
                    detail=reply.body,
                    client_id=reply.client_id,
                    team=staff.team,
                    priority=TaskPriority.URGENT,
                    due_at=reply.received_at,
                    status=TaskStatus.DONE if done else TaskStatus.OPEN,
                    done_by=staff.supervisor if done else None,
                    done_at=reply.received_at + dt.timedelta(hours=2) if done else None,
                    source_type="outreach.inboundmessage",
                    source_id=str(reply.pk),
                    dedupe_key=f"inbound-{reply.pk}",
                    created_at=reply.received_at,
                )
            )
        self._bulk(Task, tasks)
        for reply, task in zip(replies, tasks, strict=True):
            reply.task = task
        if replies:
            InboundMessage.objects.bulk_update(replies, ["task"], batch_size=BATCH)

    def _message(
        self, client_id, key, source, due, status, src, *, signer=None, template="appointment_reminder"
    ):
        rng = self.rng
        reason = ""
        if status == MessageStatus.SKIPPED:
            reason = rng.choice(SKIP_REASONS)
        elif status == MessageStatus.CANCELLED:
            reason = rng.choice((SkipReason.STAFF_CANCELLED, SkipReason.SOURCE_CANCELLED))
        sent = status in (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.FAILED)
        return ScheduledMessage(
            client_id=client_id,
            channel=Channel.SMS if rng.random() < 0.75 else Channel.EMAIL,
            template_key=template,
            language="en",
            due_at=due,
            send_at=due,
            status=status,
            status_reason=reason,
            attempts=(3 if status == MessageStatus.FAILED else 1) if sent else 0,
            last_error="Provider error 30003 (unreachable handset)."
            if status == MessageStatus.FAILED
            else "",
            sent_at=due if status in (MessageStatus.SENT, MessageStatus.DELIVERED) else None,
            delivered_at=due + dt.timedelta(seconds=20) if status == MessageStatus.DELIVERED else None,
            provider="console" if sent else "",
            idempotency_key=f"scale:{key}",
            source_kind=source,
            source_type=src[0],
            source_id=str(src[1]),
            signed_by_id=signer,
            created_at=due - dt.timedelta(days=2),
        )

    def _create_messages(self, clients: list[Client]) -> None:
        rng, rows = self.rng, []
        for client in clients:
            if client.status == ClientStatus.DISCHARGED:
                continue
            for k in range(rng.randint(1, 7)):
                due = self._at(rng.uniform(-30, 180))
                status = MessageStatus.PENDING if due > self.now else pick(rng, PAST_MESSAGE_STATUSES)
                source = pick(rng, MESSAGE_SOURCES)
                rows.append(
                    self._message(
                        client.pk,
                        f"{client.pk}:{k}",
                        source,
                        due,
                        status,
                        ("clients.client", client.pk),
                        template=str(source),
                    )
                )
        self._bulk(ScheduledMessage, rows)
