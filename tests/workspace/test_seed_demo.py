"""``manage.py seed_demo``: the demo program, its logins, who sees what, and running it twice.

Each test seeds its own database (pytest-django's ``db`` is per test, and the
audit trail's rows cannot be deleted, so a module-wide seed could not be torn
down); there are few tests, each checking a lot.
"""

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from careteam.access import clients_visible_to
from careteam.audit import audit_verify_chain
from careteam.models import AuditEvent, CareTeamAssignment, CaseRole, Team, User
from clients.models import ASAM_LEVELS, Client, ClientStatus, ClientUserObjectPermission, SupportivePerson
from outreach.models import MessageStatus, ScheduledMessage
from workspace.demo import DEMO_STAFF, HARBOR, RIVERSIDE, build_demo_cases

DEMO_PASSWORD = "careteam-demo"
HARBOR_STAFF = ["counselor", "counselor2", "casemanager", "peer", "crisis", "supervisor"]
# Peer specialists the peer-support seed adds to Harbor so matching has someone to rank.
HARBOR_EXTRA_PEERS = ["peer.maria", "peer.devon", "peer.sam"]


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def user(username: str) -> User:
    return User.objects.get(username=username)


def demo_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "teams": Team.objects.count(),
        "memberships": Team.members.through.objects.count(),
        "supervisions": Team.supervisors.through.objects.count(),
        "roles": User.groups.through.objects.count(),
        "clients": Client.objects.count(),
        "assignments": CareTeamAssignment.objects.count(),
        "grants": ClientUserObjectPermission.objects.count(),
        "supportive_people": SupportivePerson.objects.count(),
        "audit_rows": AuditEvent.objects.count(),
    }


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_it_builds_the_demo_program(db, debug):
    out = seed()

    harbor, riverside = Team.objects.get(name=HARBOR), Team.objects.get(name=RIVERSIDE)
    assert harbor.program == "Outpatient SUD & co-occurring"
    assert harbor.site

    for spec in DEMO_STAFF:
        staff = user(spec.username)
        assert staff.check_password(DEMO_PASSWORD), spec.username
        assert staff.has_role(spec.role), spec.username
        assert staff.first_name and staff.last_name
    assert user("counselor").credentials
    admin = user("admin")
    assert admin.is_superuser and admin.is_staff
    assert harbor.supervisors.filter(username="supervisor").exists()
    assert set(harbor.members.values_list("username", flat=True)) == set(HARBOR_STAFF + HARBOR_EXTRA_PEERS)
    assert list(riverside.members.values_list("username", flat=True).order_by("username")) == [
        "outsider",
        "supervisor2",
    ]

    clients = Client.objects.all()
    assert 38 <= clients.count() <= 42
    assert 6 <= clients.filter(primary_team=riverside).count() <= 10
    assert all(c.record_number for c in clients)
    assert set(clients.values_list("status", flat=True)) == set(ClientStatus.values)
    # Adults, and one teenager (the problem-list demo's positive PTSD screen, clients/diagnoses/demo.py).
    assert [c.age for c in clients if c.age < 18] == [16]
    for client in clients:
        assert 16 <= client.age <= 75
        if client.asam_level:
            assert client.asam_level in dict(ASAM_LEVELS[client.asam_edition])
        if client.email:
            assert client.email.endswith(("@example.org", "@example.com"))
        if client.phone:
            assert str(client.phone.national_number)[3:6] == "555"
        if client.status == ClientStatus.DISCHARGED:
            assert client.discharged_on and client.discharge_reason
    assert {c.asam_edition for c in clients if c.asam_level} == {"3", "4"}
    assert clients.filter(interpreter_needed=True).exists()
    assert clients.exclude(preferred_language="en").values("preferred_language").distinct().count() >= 5
    assert 15 <= SupportivePerson.objects.values("client").distinct().count() <= 25

    # Who sees what: the care team decides; supervision covers the team; nobody crosses teams.
    counselor = user("counselor")
    on_casey_caseload = Client.objects.filter(
        assignments__staff=counselor, assignments__ended_on__isnull=True
    ).distinct()
    assert set(clients_visible_to(counselor)) == set(on_casey_caseload)
    primary = CareTeamAssignment.objects.active().filter(staff=counselor, role=CaseRole.PRIMARY_COUNSELOR)
    assert 13 <= primary.count() <= 18
    assert 10 <= clients_visible_to(user("casemanager")).count() <= 14
    assert 6 <= clients_visible_to(user("peer")).count() <= 10
    assert 2 <= clients_visible_to(user("crisis")).count() <= 5
    assert clients_visible_to(user("supervisor")).count() == harbor.clients.count()

    outsider = user("outsider")
    assert not clients_visible_to(outsider).filter(primary_team=harbor).exists()
    assert clients_visible_to(outsider).filter(primary_team=riverside).exists()
    for username in HARBOR_STAFF:
        assert not clients_visible_to(user(username)).filter(primary_team=riverside).exists(), username

    without_counselor = harbor.clients.exclude(
        assignments__role=CaseRole.PRIMARY_COUNSELOR, assignments__ended_on__isnull=True
    )
    assert 2 <= without_counselor.count() <= 4

    # Care-team history: ended assignments took their access with them.
    ended = CareTeamAssignment.objects.filter(ended_on__isnull=False)
    assert ended.exists()
    for assignment in ended:
        assert assignment.end_reason
        still_on_team = CareTeamAssignment.objects.active().filter(
            client=assignment.client, staff=assignment.staff
        )
        if not still_on_team.exists():
            assert assignment.client not in clients_visible_to(assignment.staff)

    assert audit_verify_chain().ok
    assert "Seeded the demo program" in out
    assert DEMO_PASSWORD in out
    for spec in DEMO_STAFF:
        assert spec.username in out


def test_a_second_run_adds_nothing_and_leaves_the_logins_alone_unless_asked(db, settings):
    # DEBUG is off under pytest, so the first run needs --force.
    seed(force=True)
    before = demo_counts()

    settings.DEBUG = True
    out = seed()

    assert "already seeded" in out
    assert demo_counts() == before

    counselor = user("counselor")
    counselor.set_password("something else")
    counselor.save()
    counselor.groups.clear()
    User.objects.filter(username="peer").update(is_active=False)

    # Restarting `make run` seeds again: a password someone changed survives it.
    out = seed()
    assert "nothing changed" in out
    assert "unless changed since" in out
    counselor = user("counselor")
    assert counselor.check_password("something else")
    assert not counselor.has_role("counselor")
    assert not user("peer").is_active

    out = seed(reset_logins=True)

    assert "put back" in out
    counselor = user("counselor")
    assert counselor.check_password(DEMO_PASSWORD)
    assert counselor.has_role("counselor")
    assert user("peer").is_active
    assert Client.objects.count() == before["clients"]
    assert audit_verify_chain().ok


def test_messages_the_seed_leaves_due_go_to_a_file_not_over_the_login_list(db, settings, tmp_path, capsys):
    settings.VAR_DIR = tmp_path
    out = seed(force=True)

    log = tmp_path / "outbox" / "seeded-messages.log"
    body = log.read_text()
    sent_now = body.count("[outreach] SENT")
    assert sent_now > 0
    assert f"messages due now   {sent_now} sent to {log}" in out
    assert "SENT email" in body  # the partners' referral links
    assert "[outreach]" not in out + capsys.readouterr().out
    due = ScheduledMessage.objects.filter(status=MessageStatus.PENDING, send_at__lte=timezone.now())
    assert not due.exists()


def test_with_a_real_provider_the_seed_leaves_sending_to_the_worker(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    email = "outreach.backends.email.EmailBackend"
    settings.OUTREACH_BACKENDS = {**settings.OUTREACH_BACKENDS, "email": email}
    out = seed(force=True)

    assert "messages due now" not in out
    assert not (tmp_path / "outbox").exists()
    assert ScheduledMessage.objects.filter(status=MessageStatus.PENDING, send_at__lte=timezone.now()).exists()


def test_it_refuses_to_run_with_debug_off_unless_forced(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match=r"DEBUG is off.*--force"):
        seed()

    assert not Client.objects.exists()
    assert not Team.objects.filter(name__in=[HARBOR, RIVERSIDE]).exists()
    assert not User.objects.filter(username__in=[s.username for s in DEMO_STAFF]).exists()


def test_the_same_seed_plans_the_same_people_and_leaves_random_alone():
    today = dt.date(2026, 5, 4)
    random.seed(99)
    state = random.getstate()

    first = build_demo_cases(today=today)
    second = build_demo_cases(today=today)

    assert random.getstate() == state
    assert [c.intake for c in first] == [c.intake for c in second]
    assert [c.care_team for c in first] == [c.care_team for c in second]
    assert [c.supportive_people for c in first] == [c.supportive_people for c in second]
    assert [c.intake for c in build_demo_cases(today=today, seed=1)] != [c.intake for c in first]
