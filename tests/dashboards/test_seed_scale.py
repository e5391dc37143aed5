"""seed_scale at a tiny size: every row valid, linked and in proportion; a second run is refused."""

from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.utils import timezone

from careteam.access import CASE_ROLE_PERMISSIONS, clients_visible_to
from careteam.models import AuditEvent, CareTeamAssignment, CaseRole, Task, TaskKind, Team, User
from careteam.roles import Role
from clients.models import (
    Appointment,
    AppointmentStatus,
    AssessmentResponse,
    Client,
    ClientStatus,
    ClientUserObjectPermission,
    EncounterNote,
)
from crisis.checkpoints import windows_for
from crisis.models import CrisisEpisode, FollowUpCheckpoint
from outreach.models import MessageStatus, ScheduledMessage
from outreach.models import SourceKind as MessageSource
from peers.models import PeerAssignment, PeerContact
from plans.models import TreatmentPlan
from referrals.models import Referral, ReferralStatus

N = 120


@pytest.fixture
def scale(db):
    out = StringIO()
    call_command("seed_scale", clients=N, seed=3, chunk=50, force=True, stdout=out)
    return out.getvalue()


def test_it_makes_the_clients_and_two_teams_with_a_named_supervisor(scale):
    teams = list(Team.objects.filter(name__startswith="Scale team ").order_by("name"))
    assert [t.name for t in teams] == ["Scale team 01", "Scale team 02"]
    assert Client.objects.filter(primary_team__in=teams).count() == N
    assert Client.objects.filter(primary_team=teams[0]).count() == N // 2

    supervisor = User.objects.get(username="scale.supervisor")
    assert supervisor.check_password("careteam-demo")
    assert supervisor.has_role(Role.SUPERVISOR)
    assert list(supervisor.supervised_teams.all()) == [teams[0]]
    # The supervisor sees exactly their team's clients, through the ordinary access rule.
    assert set(clients_visible_to(supervisor).values_list("pk", flat=True)) == set(
        Client.objects.filter(primary_team=teams[0]).values_list("pk", flat=True)
    )
    assert "Log in as scale.supervisor" in scale


def test_record_numbers_follow_the_usual_format(scale):
    for pk, number in Client.objects.values_list("pk", "record_number"):
        assert number == f"CT-{pk:07d}"


def test_discharged_clients_have_a_date_and_reason(scale):
    discharged = Client.objects.filter(status=ClientStatus.DISCHARGED)
    assert discharged.exists()
    assert not discharged.filter(Q(discharged_on__isnull=True) | Q(discharge_reason="")).exists()
    assert (
        not Client.objects.exclude(status=ClientStatus.DISCHARGED)
        .filter(discharged_on__isnull=False)
        .exists()
    )


def test_object_permissions_match_the_active_assignments_exactly(scale):
    """GIVEN the generated care teams WHEN the guardian rows are compared with CASE_ROLE_PERMISSIONS
    THEN every active assignment holds its role's permissions and nothing else is granted."""
    codenames = dict(
        Permission.objects.filter(content_type__app_label="clients").values_list("pk", "codename")
    )
    held = {
        (client_id, user_id, f"clients.{codenames[perm_id]}")
        for client_id, user_id, perm_id in ClientUserObjectPermission.objects.values_list(
            "content_object_id", "user_id", "permission_id"
        )
    }
    wanted = {
        (client_id, staff_id, perm)
        for client_id, staff_id, role in CareTeamAssignment.objects.active().values_list(
            "client_id", "staff_id", "role"
        )
        for perm in CASE_ROLE_PERMISSIONS[role]
    }
    assert held == wanted
    assert wanted
    # Discharged clients' assignments are ended, so nobody holds a grant on them.
    assert not CareTeamAssignment.objects.active().filter(client__status=ClientStatus.DISCHARGED).exists()
    counselor = CareTeamAssignment.objects.active().filter(role=CaseRole.PRIMARY_COUNSELOR).first().staff
    assert set(clients_visible_to(counselor).values_list("pk", flat=True)) == set(
        CareTeamAssignment.objects.active().filter(staff=counselor).values_list("client_id", flat=True)
    )


def test_some_open_cases_wait_for_a_primary_counselor_but_none_have_two(scale):
    per_client = (
        Client.objects.exclude(status=ClientStatus.DISCHARGED)
        .annotate(
            primaries=Count(
                "assignments",
                filter=Q(assignments__role=CaseRole.PRIMARY_COUNSELOR, assignments__ended_on__isnull=True),
            )
        )
        .values_list("primaries", flat=True)
    )
    assert set(per_client) <= {0, 1}
    assert 1 in set(per_client)


def test_appointments_are_in_proportion_and_past_ones_have_an_outcome(scale):
    now = timezone.now()
    count = Appointment.objects.count()
    assert 10 * N <= count <= 30 * N  # ~20 per client (2M at 100k)
    assert (
        not Appointment.objects.filter(starts_at__gt=now).exclude(status=AppointmentStatus.SCHEDULED).exists()
    )
    assert not Appointment.objects.filter(starts_at__lte=now, status=AppointmentStatus.SCHEDULED).exists()
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert {AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW, AppointmentStatus.SCHEDULED} <= statuses
    assert statuses <= set(AppointmentStatus.values)
    # Notes belong to attended appointments of the same client; a signed note has a signer.
    notes = EncounterNote.objects.select_related("appointment")
    assert notes.exists()
    for note in notes:
        assert note.appointment.status == AppointmentStatus.ATTENDED
        assert note.appointment.client_id == note.client_id
        assert (note.status == "signed") == (note.signed_at is not None)


def test_referrals_have_consistent_times_statuses_and_outcomes(scale):
    referrals = Referral.objects.all()
    assert N <= referrals.count() <= 6 * N  # ~3 per client (300k at 100k)
    assert referrals.filter(service__organization=F("organization")).count() == referrals.count()
    assert not referrals.filter(first_response_at__lt=F("requested_at")).exists()
    assert not referrals.filter(closed_at__lt=F("first_response_at")).exists()
    terminal = [
        ReferralStatus.COMPLETED,
        ReferralStatus.REJECTED,
        ReferralStatus.CANCELLED,
        ReferralStatus.FAILED,
    ]
    assert not referrals.filter(status__in=terminal, closed_at__isnull=True).exists()
    assert not referrals.exclude(status__in=terminal).filter(closed_at__isnull=False).exists()
    assert not referrals.filter(status=ReferralStatus.COMPLETED, outcome="").exists()
    assert not referrals.filter(status=ReferralStatus.DRAFT, requested_at__isnull=False).exists()
    assert referrals.filter(outcome="connected").exists()
    assert referrals.filter(status=ReferralStatus.REQUESTED, first_response_at__isnull=True).exists()


def test_crisis_episodes_carry_the_standard_checkpoints(scale):
    episodes = CrisisEpisode.objects.exclude(disposition="")
    assert episodes.exists()
    for ep in episodes:
        kinds = set(FollowUpCheckpoint.objects.filter(episode=ep).values_list("kind", flat=True))
        assert kinds == {spec["kind"] for spec in windows_for(ep.disposition, ep.disposition_at)}
    assert not CrisisEpisode.objects.filter(closed_at__isnull=False, disposition="").exists()
    assert not FollowUpCheckpoint.objects.exclude(client_id=F("episode__client_id")).exists()


def test_messages_have_statuses_reasons_and_caring_contacts(scale):
    now = timezone.now()
    messages = ScheduledMessage.objects.all()
    assert 2 * N <= messages.count() <= 9 * N  # ~5 per client (500k at 100k)
    assert not messages.filter(
        status=MessageStatus.PENDING, due_at__lte=now - timezone.timedelta(days=1)
    ).exists()
    assert not messages.filter(status=MessageStatus.SKIPPED, status_reason="").exists()
    assert messages.filter(source_kind=MessageSource.CARING_CONTACT).exists()
    assert {MessageStatus.DELIVERED, MessageStatus.FAILED, MessageStatus.SKIPPED} <= set(
        messages.values_list("status", flat=True)
    )
    replies = Task.objects.filter(kind=TaskKind.CLIENT_REPLY)
    assert not replies.exclude(team__name__startswith="Scale team ").exists()


def test_scores_are_scored_by_the_instrument_rules(scale):
    phq9 = AssessmentResponse.objects.filter(instrument__code="phq9")
    assert phq9.exists()
    for response in phq9:
        assert response.total == sum(response.answers.values())
        assert ("suicide_risk" in response.flags) == (response.answers["q9"] >= 1)
    # Series: most clients with a PHQ-9 have two or more, so change from baseline can be measured.
    assert phq9.values("client").annotate(n=Count("id")).filter(n__gte=2).exists()


def test_peers_plans_and_contacts_exist_and_link_up(scale):
    assert PeerAssignment.objects.exists()
    assert not PeerAssignment.objects.exclude(care_team_assignment__role=CaseRole.PEER).exists()
    assert not PeerContact.objects.exclude(client_id=F("assignment__client_id")).exists()
    assert TreatmentPlan.objects.filter(status="active", review_due_on__lt=timezone.localdate()).exists()


def test_it_writes_no_audit_rows(db):
    before = AuditEvent.objects.count()
    call_command("seed_scale", clients=20, force=True, stdout=StringIO())
    assert AuditEvent.objects.count() == before


def test_a_second_run_is_refused_and_adds_nothing(scale):
    clients = Client.objects.count()
    with pytest.raises(CommandError, match="already holds clients"):
        call_command("seed_scale", clients=N, force=True, stdout=StringIO())
    assert Client.objects.count() == clients


def test_it_refuses_a_database_with_real_clients_and_production_settings(alice):
    with pytest.raises(CommandError, match="already holds clients"):
        call_command("seed_scale", clients=20, force=True, stdout=StringIO())
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_scale", clients=20, stdout=StringIO())
    assert Client.objects.count() == 1


def test_it_refuses_a_size_too_small_to_make_teams(db):
    with pytest.raises(CommandError, match="at least 10"):
        call_command("seed_scale", clients=3, stdout=StringIO())
