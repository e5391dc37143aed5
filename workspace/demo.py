"""The demo program behind ``manage.py seed_demo``: two teams, their staff and about 40 clients.

*Seeded* means: at least one client has a demo team ("Harbor Outpatient" or
"Riverside Crisis & Recovery") as primary team. The clients are opened in one
transaction with the teams and logins, so either all of them exist or none
do. Teams and demo logins are made sure of on every run, so a second run
adds nothing: it only resets the demo logins' passwords, roles and team places.

Everything goes through the services a person would use —
``clients.services.client_create`` (validation, record number, audit, the
opener joins the care team in their default case role),
``careteam.services.assignment_start`` / ``assignment_end`` (object
permissions and their audit rows) and
``clients.services.supportive_person_create`` — never raw model writes.

The people come from the factories in ``tests/factories/demo.py`` with
factory_boy's generator, Faker and ``random`` seeded, so a fresh database gets
the same people on every run. Dates (admissions, birthdays) are relative to
the day of the run, so ages and lengths of stay always look current.

Like the pages that gather across apps, this module sits above them all: it
opens client records, so it depends on ``clients``, not the other way round.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

import factory
import factory.random
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from careteam.models import CareTeamAssignment, CaseRole, Organization, Team, User
from careteam.roles import Role
from careteam.services import assignment_end, assignment_start
from clients.assessments import demo as assessments_demo
from clients.consents import demo as record_demo
from clients.diagnoses import demo as problem_list_demo
from clients.encounters import demo as encounters_demo
from clients.models import Client, ClientStatus, DischargeReason, SupportivePerson
from clients.services import client_create, supportive_person_create
from crisis import demo as crisis_demo
from dashboards import demo as dashboard_demo
from dashboards import demo_panels as dashboard_panels_demo
from outreach import demo as outreach_demo
from peers import demo as peers_demo
from plans import demo as plans_demo
from referrals import demo as referrals_demo
from referrals.directory import demo as directory_demo
from tests.factories import ClientIntakeFactory, SupportivePersonDataFactory, TeamFactory, UserFactory

DEMO_SEED = 4217  # any constant: the same seed gives the same people

HARBOR = "Harbor Outpatient"
RIVERSIDE = "Riverside Crisis & Recovery"


# Each domain adds its history to the demo people through its own services, in this order:
# appointments and notes first, then scores, then plans (whose reviews cite the latest scores),
# then peer support (whose group attendance fills plan steps).
DOMAIN_SEEDERS: list = [
    encounters_demo.seed,
    assessments_demo.seed,
    plans_demo.seed,
    peers_demo.seed_profiles,  # peer profiles and assignments, then their contacts and groups
    peers_demo.seed,
    directory_demo.seed,  # the resource directory (before any referrals, which need its services)
    record_demo.seed,  # needs, consents to directory organisations, logged contacts (after the directory)
    referrals_demo.seed,  # ~40 referrals in every status (after the directory)
    outreach_demo.seed,  # reminders, messages sent or skipped, replies (after appointments)
    crisis_demo.seed,  # crisis episodes, safety plans, caring contacts (after contacts and appointments)
    dashboard_panels_demo.seed,  # dashboard panels 4-7: a forgotten draft note, an undelivered text (last)
    dashboard_demo.seed,  # dashboard panels 1-3: every risk flag on the supervisor's team (after all else)
    # Diagnoses, medications and allergies for three co-occurring cases, and a teenager with a positive
    # PTSD screen. Last, and it draws nothing from its rng: the seeders above keep their offsets.
    problem_list_demo.seed,
]


class DemoSeedError(Exception):
    """The database is not ready for the demo (e.g. migrations not run)."""


@dataclass(frozen=True)
class TeamSpec:
    name: str
    program: str
    site: str
    level_of_care: str  # which ASAM levels its clients are placed at (tests/factories/demo.py)
    organization: str
    # Harbor is a 42 CFR Part 2 program (any disclosure needs consent); Riverside is not (only
    # substance-use content is gated), so the demo shows both rules.
    part2_program: bool = False


DEMO_TEAMS = (
    TeamSpec(
        HARBOR,
        "Outpatient SUD & co-occurring",
        "Harbor Point Clinic, Southwest Waterfront",
        "outpatient",
        organization="Harbor Point Health",
        part2_program=True,
    ),
    TeamSpec(
        RIVERSIDE,
        "Crisis stabilization & recovery support",
        "Riverside Center, Hyattsville",
        "crisis",
        organization="Riverside Community Services",
    ),
)


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    credentials: str
    role: str
    team: str = ""
    supervises: bool = False
    superuser: bool = False


DEMO_STAFF = (
    StaffSpec("counselor", "Casey", "Morgan", "LPC, CADC", Role.COUNSELOR, HARBOR),
    StaffSpec("counselor2", "Jordan", "Ellis", "LCADC", Role.COUNSELOR, HARBOR),
    StaffSpec("casemanager", "Dana", "Whitfield", "BSW", Role.CASE_MANAGER, HARBOR),
    StaffSpec("peer", "Marcus", "Bell", "CPRS", Role.PEER_SPECIALIST, HARBOR),
    StaffSpec("crisis", "Priya", "Raman", "LCSW", Role.CRISIS_WORKER, HARBOR),
    StaffSpec("supervisor", "Elena", "Vasquez", "LCSW-C, LCADC", Role.SUPERVISOR, HARBOR, supervises=True),
    StaffSpec("outsider", "Taylor", "Brooks", "LPC", Role.COUNSELOR, RIVERSIDE),
    StaffSpec("supervisor2", "Renee", "Okafor", "LCPC", Role.SUPERVISOR, RIVERSIDE, supervises=True),
    StaffSpec("admin", "Sam", "Patel", "", Role.ADMIN, superuser=True),
)

# Preferred languages of the 40 clients (American Sign Language needs an interpreter too).
LANGUAGE_MIX = (
    ("en", 22),
    ("es", 6),
    ("vi", 2),
    ("ht", 2),
    ("zh", 1),
    ("ar", 1),
    ("ru", 1),
    ("pt", 1),
    ("ko", 1),
    ("so", 1),
    ("tl", 1),
    ("asl", 1),
)

ACTIVE, REFERRED, INACTIVE, DISCHARGED = (
    ClientStatus.ACTIVE,
    ClientStatus.REFERRED,
    ClientStatus.INACTIVE,
    ClientStatus.DISCHARGED,
)


@dataclass(frozen=True)
class AssignmentSpec:
    """A place on the care team; ``by`` is the username of whoever made the assignment."""

    staff: str
    role: str
    by: str
    started_on: dt.date | None = None  # None: today
    ended_on: dt.date | None = None
    end_reason: str = ""


@dataclass
class CaseSpec:
    """One client: who opened the record, the intake data, the rest of the care team, supportive people."""

    team: str
    opened_by: str
    intake: dict
    care_team: list[AssignmentSpec] = field(default_factory=list)
    supportive_people: list[dict] = field(default_factory=list)


@contextlib.contextmanager
def _seeded(seed: int):
    """Seed factory_boy's generator (which drives Faker) and ``random``; restore both afterwards."""
    factory_state = factory.random.get_random_state()
    global_state = random.getstate()
    factory.random.reseed_random(seed)
    random.seed(seed)
    try:
        yield factory.random.randgen
    finally:
        factory.random.set_random_state(factory_state)
        random.setstate(global_state)


class _Planner:
    def __init__(self, today: dt.date, rng: random.Random):
        self.today = today
        self.rng = rng
        self.languages = [language for language, n in LANGUAGE_MIX for _ in range(n)]
        rng.shuffle(self.languages)
        # 555-0100…0199 gives 100 fictional lines; hand each out once so nobody shares a number.
        self.phone_lines = list(range(100))
        rng.shuffle(self.phone_lines)
        self.names: set[tuple[str, str]] = set()
        self.cases: list[CaseSpec] = []
        self.levels = {spec.name: spec.level_of_care for spec in DEMO_TEAMS}

    def _phone(self) -> dict:
        if not self.phone_lines:
            return {"has_phone": False}
        return {"phone_line": self.phone_lines.pop()}

    def open(self, team: str, opened_by: str, status: str, **params) -> CaseSpec:
        language = self.languages.pop() if self.languages else "en"
        while True:
            intake = ClientIntakeFactory(
                today=self.today,
                status=status,
                language=language,
                program=self.levels[team],
                **self._phone(),
                **params,
            )
            name = (intake["legal_first_name"], intake["legal_last_name"])
            if name not in self.names:
                break
        self.names.add(name)
        case = CaseSpec(team=team, opened_by=opened_by, intake=intake)
        if self.rng.random() < 0.5:  # about half have someone in their corner
            for _ in range(self.rng.choices([1, 2], [70, 30])[0]):
                case.supportive_people.append(
                    SupportivePersonDataFactory(
                        client_last_name=intake["legal_last_name"], language=language, **self._phone()
                    )
                )
        self.cases.append(case)
        return case

    def open_many(self, team: str, opened_by: str, statuses: dict[str, int], **params) -> list[CaseSpec]:
        plan = [status for status, n in statuses.items() for _ in range(n)]
        self.rng.shuffle(plan)
        return [self.open(team, opened_by, status, **params) for status in plan]

    def pick(self, cases: list[CaseSpec], k: int, *statuses: str) -> list[CaseSpec]:
        eligible = [c for c in cases if c.intake["status"] in statuses]
        return self.rng.sample(eligible, k)


def build_demo_cases(*, today: dt.date | None = None, seed: int = DEMO_SEED) -> list[CaseSpec]:
    """The demo's clients and care teams, decided before anything is written (pure, repeatable)."""
    today = today or timezone.localdate()
    with _seeded(seed) as rng:
        p = _Planner(today, rng)
        not_discharged = (ACTIVE, REFERRED, INACTIVE)

        # Harbor Outpatient. Counselors do the intake of their own clients and so become primary counselor.
        caseys = p.open_many(HARBOR, "counselor", {ACTIVE: 9, REFERRED: 1, INACTIVE: 1, DISCHARGED: 1})
        jordans = p.open_many(HARBOR, "counselor2", {ACTIVE: 8, REFERRED: 1, INACTIVE: 1, DISCHARGED: 1})
        # The case manager opens court and re-entry referrals; the supervisor then picks a counselor.
        dana_opened = p.open_many(HARBOR, "casemanager", {ACTIVE: 2})
        dana_opened[0].care_team.append(AssignmentSpec("counselor", CaseRole.PRIMARY_COUNSELOR, "supervisor"))
        dana_opened[1].care_team.append(
            AssignmentSpec("counselor2", CaseRole.PRIMARY_COUNSELOR, "supervisor")
        )
        # Opened by the crisis worker after a crisis contact in the last few weeks.
        crisis_opened = p.open_many(
            HARBOR,
            "crisis",
            {ACTIVE: 3},
            days_since_admission=factory.LazyFunction(lambda: rng.randint(2, 20)),
        )
        crisis_opened[0].care_team += [
            AssignmentSpec("counselor", CaseRole.PRIMARY_COUNSELOR, "supervisor"),
            AssignmentSpec("peer", CaseRole.PEER, "supervisor"),
        ]
        crisis_opened[1].care_team.append(
            AssignmentSpec("counselor2", CaseRole.PRIMARY_COUNSELOR, "supervisor")
        )
        # crisis_opened[2] is waiting for a counselor.

        # The supervisor assigns the rest of the care teams.
        for case in p.pick(caseys, 6, *not_discharged) + p.pick(jordans, 3, *not_discharged):
            case.care_team.append(AssignmentSpec("casemanager", CaseRole.CASE_MANAGER, "supervisor"))
        for case in p.pick(caseys, 4, ACTIVE) + p.pick(jordans, 2, ACTIVE):
            case.care_team.append(AssignmentSpec("peer", CaseRole.PEER, "supervisor"))
        for case in p.pick(caseys, 1, ACTIVE):
            case.care_team.append(AssignmentSpec("crisis", CaseRole.CRISIS, "supervisor"))

        # Records the supervisor opened: the two with history carry back-dated assignments.
        transfer = p.open(HARBOR, "supervisor", ACTIVE, days_since_admission=rng.randint(180, 300))
        admitted = transfer.intake["admitted_on"]
        handed_over = admitted + dt.timedelta(days=rng.randint(30, (today - admitted).days - 30))
        transfer.care_team += [
            AssignmentSpec(
                "counselor2",
                CaseRole.PRIMARY_COUNSELOR,
                "supervisor",
                started_on=admitted,
                ended_on=handed_over,
                end_reason="Caseload rebalanced: transferred to Casey Morgan.",
            ),
            AssignmentSpec("counselor", CaseRole.PRIMARY_COUNSELOR, "supervisor", started_on=handed_over),
            AssignmentSpec(
                "peer",
                CaseRole.PEER,
                "supervisor",
                started_on=min(today, handed_over + dt.timedelta(days=rng.randint(0, 14))),
            ),
        ]
        finished = p.open(HARBOR, "supervisor", DISCHARGED)
        admitted, discharged = finished.intake["admitted_on"], finished.intake["discharged_on"]
        reason = DischargeReason(finished.intake["discharge_reason"]).label
        finished.care_team += [
            AssignmentSpec("counselor", CaseRole.PRIMARY_COUNSELOR, "supervisor", started_on=admitted),
            AssignmentSpec(
                "peer",
                CaseRole.PEER,
                "supervisor",
                started_on=admitted + dt.timedelta(days=7),
                ended_on=discharged,
                end_reason=f"Discharged: {reason.lower()}.",
            ),
        ]
        # New referrals not yet assigned a counselor; the case manager is doing outreach on one.
        outreach = p.open(HARBOR, "supervisor", REFERRED)
        outreach.care_team.append(AssignmentSpec("casemanager", CaseRole.CASE_MANAGER, "supervisor"))
        p.open(HARBOR, "supervisor", REFERRED)

        # Riverside Crisis & Recovery: Taylor's caseload and one referral waiting for assignment.
        p.open_many(RIVERSIDE, "outsider", {ACTIVE: 5, INACTIVE: 1, DISCHARGED: 1})
        p.open(RIVERSIDE, "supervisor2", REFERRED)

        # Records were opened over time, not caseload by caseload.
        rng.shuffle(p.cases)
        return p.cases


def demo_is_seeded() -> bool:
    """True once any client belongs to a demo team (see the module docstring)."""
    return Client.objects.filter(primary_team__name__in=[t.name for t in DEMO_TEAMS]).exists()


def _ensure_teams() -> dict[str, Team]:
    return {
        spec.name: TeamFactory(
            name=spec.name,
            program=spec.program,
            site=spec.site,
            organization=Organization.objects.get_or_create(name=spec.organization)[0],
            is_part2_program=spec.part2_program,
        )
        for spec in DEMO_TEAMS
    }


def _ensure_staff(teams: dict[str, Team], password: str, *, reset: bool) -> dict[str, User]:
    """Create the missing demo logins; with ``reset``, put existing ones back too.

    Putting back means password, role, active flag and team places. Without ``reset`` an existing
    login is left as it is: restarting ``make run`` must not undo a password someone changed.
    """
    groups = {g.name: g for g in Group.objects.filter(name__in={str(s.role) for s in DEMO_STAFF})}
    missing = {str(s.role) for s in DEMO_STAFF} - set(groups)
    if missing:
        raise DemoSeedError(f"Role groups {sorted(missing)} are missing; run `manage.py migrate` first.")
    # One hash for all the demo logins: they share a published password, so separate
    # salts protect nothing, and each PBKDF2 hash takes a noticeable fraction of a second.
    encoded = make_password(password)
    staff: dict[str, User] = {}
    for spec in DEMO_STAFF:
        flags = {"is_active": True, "is_staff": spec.superuser, "is_superuser": spec.superuser}
        user = User.objects.filter(username=spec.username).first()
        if user is not None and not reset:
            staff[spec.username] = user
            continue
        if user is None:
            user = UserFactory(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                credentials=spec.credentials,
                password=factory.Transformer.Force(encoded),
                role=spec.role,
                **flags,
            )
        else:
            user.password = encoded
            for name, value in flags.items():
                setattr(user, name, value)
            user.save(update_fields=["password", *flags])
            user.groups.set([groups[str(spec.role)]])  # a no-op (and no audit row) when unchanged
            user.__dict__.pop("role_names", None)
        if spec.team:
            teams[spec.team].members.add(user)
            if spec.supervises:
                teams[spec.team].supervisors.add(user)
        staff[spec.username] = user
    return staff


def _open_case(case: CaseSpec, *, teams: dict[str, Team], staff: dict[str, User]) -> Client:
    opener = staff[case.opened_by]
    client = client_create(acting_user=opener, data={**case.intake, "primary_team": teams[case.team]})
    for spec in case.care_team:
        acting_user = staff[spec.by]
        assignment = assignment_start(
            client=client,
            staff=staff[spec.staff],
            role=spec.role,
            acting_user=acting_user,
            started_on=spec.started_on,
        )
        if spec.ended_on is not None:
            assignment_end(
                assignment=assignment, acting_user=acting_user, reason=spec.end_reason, ended_on=spec.ended_on
            )
    for person in case.supportive_people:
        supportive_person_create(client=client, acting_user=opener, data=person)
    return client


@dataclass(frozen=True)
class SeedResult:
    created: bool  # False: the demo was already there; nothing added
    staff: list[User]
    logins_reset: bool = False


@transaction.atomic
def seed_demo(*, password: str, today: dt.date | None = None, reset_logins: bool = False) -> SeedResult:
    """Make sure the demo teams and logins exist, and open the demo clients unless already seeded.

    An existing demo login is put back (password, role, team places) only with ``reset_logins``.
    """
    teams = _ensure_teams()
    staff = _ensure_staff(teams, password, reset=reset_logins)
    logins = [staff[spec.username] for spec in DEMO_STAFF]
    if demo_is_seeded():
        return SeedResult(created=False, staff=logins, logins_reset=reset_logins)
    clients = [_open_case(case, teams=teams, staff=staff) for case in build_demo_cases(today=today)]
    # Each domain adds its own history to the same people, through its own services.
    for offset, seed_domain in enumerate(DOMAIN_SEEDERS, start=1):
        seed_domain(rng=random.Random(DEMO_SEED + offset), clients=clients, staff=staff)  # noqa: S311 (demo data, reproducible on purpose)
    return SeedResult(created=True, staff=logins)


def demo_summary() -> dict:
    """Counts for the command's report: clients per team and status, care teams, supportive people."""
    clients = Client.objects.filter(primary_team__name__in=[t.name for t in DEMO_TEAMS])
    assignments = CareTeamAssignment.objects.filter(client__in=clients)
    return {
        "teams": dict(Counter(clients.values_list("primary_team__name", flat=True))),
        "statuses": dict(Counter(clients.values_list("status", flat=True))),
        "clients": clients.count(),
        "assignments": assignments.count(),
        "ended_assignments": assignments.filter(ended_on__isnull=False).count(),
        "supportive_people": SupportivePerson.objects.filter(client__in=clients).count(),
    }
