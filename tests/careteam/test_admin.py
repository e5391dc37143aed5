"""The Django admin: every page renders, writes go through the services, nothing client-related is deleted."""

import datetime as dt

import pytest
import time_machine
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from careteam.access import client_can_access
from careteam.audit import audit_log, audit_verify_chain
from careteam.models import AuditAction, AuditEvent, CareTeamAssignment, ServiceHeartbeat, Team
from careteam.signin.services import api_token_create
from clients.admin import ClientAdmin
from clients.models import (
    Client,
    ClientGroupObjectPermission,
    ClientUserObjectPermission,
    SupportivePerson,
)
from clients.services import CLIENT_EDITABLE_FIELDS
from tests.conftest import login
from tests.factories import (
    AllergyFactory,
    AppointmentFactory,
    AssessmentResponseFactory,
    ClientFactory,
    DiagnosisFactory,
    MedicationFactory,
    NoteAddendumFactory,
    PrescriberRecommendationFactory,
    SupportivePersonFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def shown(response) -> list:
    """The rows a changelist response shows."""
    return list(response.context["cl"].result_list)


@pytest.fixture
def admin_http(admin_user):
    return login(admin_user)


@pytest.fixture
def a_row_of_everything(alice, admin_user, supervisor):
    """At least one row for every model the admin registers, so each change page can be opened."""
    SupportivePersonFactory(client=alice)
    AssessmentResponseFactory(client=alice, administered_by=supervisor)
    session = AppointmentFactory(client=alice, status="attended")
    NoteAddendumFactory(note__client=alice, note__appointment=session)
    ServiceHeartbeat.objects.create(name="worker", last_seen=timezone.now())
    api_token_create(user=admin_user, via="test")
    assign_perm("clients.view_client", Group.objects.get(name="supervisor"), alice)
    from careteam.services import task_create
    from tests.factories.plans import plan_with_everything  # treatment plans (plans app)

    plan_with_everything(alice, supervisor)
    __import__("tests.factories.crisis").factories.crisis.crisis_rows(alice, supervisor)  # crisis app
    __import__("tests.factories.peers_profiles").factories.peers_profiles.peer_rows(alice, supervisor)
    __import__("tests.factories.peers").factories.peers.peer_support_rows(alice, supervisor)
    __import__("tests.factories.directory").factories.directory.service_with_everything()  # directory
    __import__("tests.factories.referrals").factories.referrals.referral_rows(alice, supervisor)  # referrals
    __import__("tests.factories.outreach").factories.outreach.outreach_rows(alice, supervisor)  # outreach
    __import__("tests.factories.record").factories.record.record_rows(alice, supervisor)  # needs, consents
    DiagnosisFactory(client=alice)  # the problem list (issue 15)
    PrescriberRecommendationFactory(client=alice, medication=MedicationFactory(client=alice))
    AllergyFactory(client=alice)
    task_create(
        kind="follow_up", title="Call Alice back", assignee=supervisor, client=alice, acting_user=None
    )
    # Organisations and a break-the-glass grant (issue 14): another organisation's counselor opened Alice.
    from careteam.models import Organization
    from careteam.services import emergency_access_open

    Organization.objects.create(name="Harbor Point Health")
    emergency_access_open(
        user=UserFactory(username="elsewhere", role="counselor"),
        client=alice,
        reason="medical_emergency",
        justification="Found unresponsive in the lobby; paramedics ask for medications.",
    )


# --- every page ---------------------------------------------------------------------------------


def test_every_registered_model_has_working_admin_pages(admin_http, a_row_of_everything):
    assert admin_http.get(reverse("admin:index")).status_code == 200
    for model, model_admin in admin.site._registry.items():
        response = admin_http.get(url(model, "changelist"))
        assert response.status_code == 200, model
        obj = model._default_manager.first()
        assert obj is not None, f"no {model.__name__} row to open"
        response = admin_http.get(url(model, "change", obj.pk))
        assert response.status_code == 200, model
        if model_admin.has_add_permission(response.wsgi_request):
            assert admin_http.get(url(model, "add")).status_code == 200, model


def test_the_client_form_offers_every_field_the_services_accept():
    fields = set()
    for _name, options in ClientAdmin.fieldsets:
        for entry in options["fields"]:
            fields.update(entry if isinstance(entry, tuple) else [entry])
    assert set(CLIENT_EDITABLE_FIELDS) <= fields


@pytest.mark.parametrize(
    "model",
    [Client, SupportivePerson, CareTeamAssignment, AuditEvent, ClientUserObjectPermission],
)
def test_delete_is_not_offered_for_client_records(model, admin_http, a_row_of_everything):
    obj = model._default_manager.first()
    response = admin_http.get(url(model, "changelist"))
    assert "delete_selected" not in response.context["cl"].model_admin.get_actions(response.wsgi_request)
    assert admin_http.get(url(model, "delete", obj.pk)).status_code == 403
    assert admin_http.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=obj.pk).exists()


# --- care-team assignments ----------------------------------------------------------------------


def test_an_assignment_added_in_admin_grants_access_and_is_audited(
    admin_user, admin_http, alice, case_manager
):
    assert not client_can_access(case_manager, alice)
    response = admin_http.post(
        url(CareTeamAssignment, "add"),
        {
            "client": alice.pk,
            "staff": case_manager.pk,
            "role": "case_manager",
            "started_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assignment = CareTeamAssignment.objects.get(client=alice, staff=case_manager)
    assert assignment.created_by == admin_user
    assert client_can_access(case_manager, alice)
    actions = set(
        AuditEvent.objects.filter(client=alice, user=admin_user).values_list("action", "object_type")
    )
    assert (AuditAction.CREATE, "careteam.careteamassignment") in actions
    assert (AuditAction.PERMISSION_CHANGE, "careteam.user") in actions


def test_ending_an_assignment_in_admin_revokes_access(admin_user, admin_http, alice, peer):
    assignment = CareTeamAssignment.objects.get(client=alice, staff=peer)
    today = timezone.localdate()
    response = admin_http.post(
        url(CareTeamAssignment, "change", assignment.pk),
        {"ended_on": today.isoformat(), "end_reason": "Caseload transfer"},
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (assignment.ended_on, assignment.end_reason) == (today, "Caseload transfer")
    assert not client_can_access(peer, alice)
    ended = AuditEvent.objects.get(action=AuditAction.CHANGE, object_id=str(assignment.pk))
    assert (ended.user, ended.reason) == (admin_user, "Caseload transfer")
    assert AuditEvent.objects.filter(
        action=AuditAction.PERMISSION_CHANGE, detail__revoked__isnull=False
    ).exists()


def test_a_second_primary_counselor_is_a_form_error_and_saves_nothing(admin_http, alice, team):
    """GIVEN Alice has a primary counselor WHEN an admin adds another THEN the service's refusal
    is shown on the form (not a 500) and neither an assignment, a grant nor an audit row is written."""
    other = UserFactory(username="counselor2", role="counselor")
    team.members.add(other)
    counts = (CareTeamAssignment.objects.count(), AuditEvent.objects.count())
    response = admin_http.post(
        url(CareTeamAssignment, "add"),
        {
            "client": alice.pk,
            "staff": other.pk,
            "role": "primary_counselor",
            "started_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["role"] == ["Casey Morgan is the primary counselor. End that assignment first."]
    assert "Constraint" not in response.content.decode()
    assert (CareTeamAssignment.objects.count(), AuditEvent.objects.count()) == counts
    assert not client_can_access(other, alice)


def test_an_assignment_cannot_end_without_a_reason_or_before_it_started(admin_http, alice, peer):
    assignment = CareTeamAssignment.objects.get(client=alice, staff=peer)
    change = url(CareTeamAssignment, "change", assignment.pk)
    today = timezone.localdate()

    response = admin_http.post(change, {"ended_on": today.isoformat(), "end_reason": ""})
    assert response.context["adminform"].form.errors["end_reason"] == ["Say why the assignment is ending."]

    yesterday = (today - dt.timedelta(days=1)).isoformat()
    response = admin_http.post(change, {"ended_on": yesterday, "end_reason": "Entered in error"})
    assert response.context["adminform"].form.errors["ended_on"] == [
        "An assignment cannot end before it started."
    ]
    assignment.refresh_from_db()
    assert assignment.is_active and client_can_access(peer, alice)


def test_an_ended_assignment_is_history_and_cannot_be_changed(admin_http, alice, peer):
    assignment = CareTeamAssignment.objects.get(client=alice, staff=peer)
    today = timezone.localdate().isoformat()
    admin_http.post(
        url(CareTeamAssignment, "change", assignment.pk), {"ended_on": today, "end_reason": "Moved"}
    )

    response = admin_http.get(url(CareTeamAssignment, "change", assignment.pk))
    assert response.status_code == 200 and 'name="_save"' not in response.content.decode()
    response = admin_http.post(
        url(CareTeamAssignment, "change", assignment.pk), {"ended_on": "", "end_reason": ""}
    )
    assert response.status_code == 403


def test_client_autocomplete_leaves_out_archived_records(admin_http, alice, team):
    ClientFactory(legal_last_name="Rivers", primary_team=team, archived_at=timezone.now())
    response = admin_http.get(
        reverse("admin:autocomplete"),
        {"app_label": "careteam", "model_name": "careteamassignment", "field_name": "client", "term": "Riv"},
    )
    assert [r["id"] for r in response.json()["results"]] == [str(alice.pk)]


# --- the audit report ---------------------------------------------------------------------------


@pytest.fixture
def trail(admin_user, counselor, alice, team):
    """Audit rows over three days, about Alice and about Bob."""
    bob = ClientFactory(legal_first_name="Bob", primary_team=team)
    tz = timezone.get_current_timezone()
    for day, user, client, action in [
        (10, counselor, alice, AuditAction.VIEW),
        (11, counselor, alice, AuditAction.CHANGE),
        (11, admin_user, bob, AuditAction.VIEW),
        (12, counselor, bob, AuditAction.EXPORT),
    ]:
        with time_machine.travel(dt.datetime(2024, 3, day, 9, 30, tzinfo=tz), tick=False):
            audit_log(user=user, action=action, client=client, obj=client)
    return {"alice": alice, "bob": bob}


def test_audit_report_filters_by_action(admin_http, trail):
    rows = shown(admin_http.get(url(AuditEvent, "changelist"), {"action__exact": "view"}))
    assert {(r.action, r.client_id) for r in rows} >= {("view", trail["alice"].pk), ("view", trail["bob"].pk)}
    assert all(r.action == "view" for r in rows)


def test_audit_report_filters_by_user(admin_http, trail, admin_user):
    rows = shown(admin_http.get(url(AuditEvent, "changelist"), {"user__id__exact": admin_user.pk}))
    assert rows and all(r.user_id == admin_user.pk for r in rows)


@pytest.mark.parametrize("typed", ["{record_number}", "{record_number_lower}", "ct-{pk}", "{pk}", " {pk} "])
def test_audit_report_filters_by_client_record_number_or_id(admin_http, trail, typed):
    bob = trail["bob"]
    ref = typed.format(
        record_number=bob.record_number, record_number_lower=bob.record_number.lower(), pk=bob.pk
    )
    rows = shown(admin_http.get(url(AuditEvent, "changelist"), {"client_ref": ref}))
    assert {r.action for r in rows} == {"view", "export"}
    assert {r.client_id for r in rows} == {bob.pk}


def test_audit_report_says_when_the_client_reference_makes_no_sense(admin_http, trail):
    response = admin_http.get(url(AuditEvent, "changelist"), {"client_ref": "Alice"})
    assert response.status_code == 200 and shown(response) == []
    assert "Type a record number such as CT-0000042" in response.content.decode()


def test_audit_report_filters_by_date_range_inclusive(admin_http, trail):
    response = admin_http.get(
        url(AuditEvent, "changelist"), {"occurred_at_from": "2024-03-11", "occurred_at_to": "2024-03-12"}
    )
    rows = shown(response)
    assert sorted(r.occurred_at.day for r in rows) == [11, 11, 12]
    rows = shown(admin_http.get(url(AuditEvent, "changelist"), {"occurred_at_to": "2024-03-10"}))
    assert [r.action for r in rows] == ["view"]
    # Filters combine, and each filter's form carries the others along.
    response = admin_http.get(
        url(AuditEvent, "changelist"),
        {
            "occurred_at_from": "2024-03-11",
            "occurred_at_to": "2024-03-12",
            "client_ref": trail["alice"].record_number,
        },
    )
    assert [r.action for r in shown(response)] == ["change"]
    assert f'name="client_ref" value="{trail["alice"].record_number}"' in response.content.decode()


def test_audit_report_refuses_a_backwards_date_range(admin_http, trail):
    response = admin_http.get(
        url(AuditEvent, "changelist"), {"occurred_at_from": "2024-03-12", "occurred_at_to": "2024-03-10"}
    )
    assert shown(response) == []
    assert "after the “to” date" in response.content.decode()


def test_reading_the_audit_report_writes_no_audit_rows(admin_http, trail):
    before = AuditEvent.objects.count()
    admin_http.get(url(AuditEvent, "changelist"))
    admin_http.get(url(AuditEvent, "change", AuditEvent.objects.first().pk))
    assert AuditEvent.objects.count() == before


def test_an_audit_row_cannot_be_saved_from_admin(admin_http, trail):
    event = AuditEvent.objects.first()
    response = admin_http.get(url(AuditEvent, "change", event.pk))
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    response = admin_http.post(url(AuditEvent, "change", event.pk), {"reason": "tampered", "action": "view"})
    assert response.status_code == 403
    assert admin_http.get(url(AuditEvent, "add")).status_code == 403
    event.refresh_from_db()
    assert event.reason == "" and audit_verify_chain().ok


def test_audit_report_query_count_does_not_grow_with_rows(admin_http, admin_user, team):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_http.get(url(AuditEvent, "changelist")).status_code == 200
        return len(ctx.captured_queries)

    for client in ClientFactory.create_batch(2, primary_team=team):
        audit_log(user=admin_user, action=AuditAction.VIEW, client=client, obj=client)
    few = queries()
    for client in ClientFactory.create_batch(48, primary_team=team):
        audit_log(user=admin_user, action=AuditAction.VIEW, client=client, obj=client)
    assert queries() == few


# --- staff, teams and clients -------------------------------------------------------------------


@pytest.mark.parametrize("model", [Client, Team, CareTeamAssignment, SupportivePerson])
def test_changelist_query_count_does_not_grow_with_rows(model, admin_http, admin_user, team):
    def make(n):
        for _ in range(n):
            client = ClientFactory(primary_team=team)
            SupportivePersonFactory(client=client)
            staff = UserFactory(role="counselor")
            team.members.add(staff)
            TeamFactory().members.add(staff)
            CareTeamAssignment.objects.create(client=client, staff=staff, role="primary_counselor")

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_http.get(url(model, "changelist")).status_code == 200
        return len(ctx.captured_queries)

    make(2)
    few = queries()
    make(20)
    assert queries() == few


def test_user_list_reads_roles_without_a_query_per_row(admin_http, team):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = admin_http.get(url(type(team.members.model()), "changelist"))
        assert "Counselor" in response.content.decode()
        return len(ctx.captured_queries)

    UserFactory.create_batch(2, role="counselor")
    few = queries()
    UserFactory.create_batch(30, role="counselor")
    assert queries() == few


def test_team_list_counts_members_and_clients(admin_http, team, counselor, peer, alice):
    ClientFactory(primary_team=team, archived_at=timezone.now())
    row = next(t for t in shown(admin_http.get(url(Team, "changelist"))) if t.pk == team.pk)
    assert (row.member_total, row.client_total) == (2, 1)


def test_supervisor_changes_in_team_admin_are_audited(admin_user, admin_http, team, counselor):
    response = admin_http.post(
        url(Team, "change", team.pk),
        {
            "name": team.name,
            "program": team.program,
            "is_active": "on",
            "members": [counselor.pk],
            "supervisors": [counselor.pk],
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.PERMISSION_CHANGE, object_type="careteam.team")
    assert event.detail == {"supervisors_added": ["counselor"], "supervisors_removed": []}


def test_roles_and_access_flags_changed_in_user_admin_are_audited(admin_user, admin_http, counselor):
    supervisor_group = Group.objects.get(name="supervisor")
    response = admin_http.post(
        url(type(counselor), "change", counselor.pk),
        {
            "username": counselor.username,
            "first_name": counselor.first_name,
            "last_name": counselor.last_name,
            "credentials": "LCSW",
            "email": counselor.email,
            "time_zone": "America/Chicago",
            "is_active": "on",
            "is_staff": "on",
            "groups": [supervisor_group.pk],
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "09:00:00",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    counselor.refresh_from_db()
    assert (counselor.credentials, counselor.time_zone) == ("LCSW", "America/Chicago")
    events = AuditEvent.objects.filter(action=AuditAction.PERMISSION_CHANGE, object_id=str(counselor.pk))
    assert {tuple(e.changed_fields) for e in events} >= {("is_staff",)}
    assert any(e.detail.get("groups") == ["supervisor"] for e in events)


def test_staff_accounts_are_deactivated_not_deleted(admin_http, counselor):
    assert admin_http.get(url(type(counselor), "delete", counselor.pk)).status_code == 403


def _client_form(team, **overrides) -> dict:
    data = {
        "legal_first_name": "Dana",
        "legal_last_name": "Okafor",
        "date_of_birth": "1990-05-17",
        "preferred_language": "en",
        "phone": "+12025550144",
        "preferred_channel": "phone",
        "time_zone": "America/New_York",
        "status": "active",
        "primary_team": team.pk,
        "supportive_people-TOTAL_FORMS": "0",
        "supportive_people-INITIAL_FORMS": "0",
        "supportive_people-MIN_NUM_FORMS": "0",
        "supportive_people-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_a_client_added_in_admin_is_numbered_and_audited(admin_user, admin_http, team):
    response = admin_http.post(
        url(Client, "add"),
        _client_form(
            team,
            **{
                "supportive_people-TOTAL_FORMS": "1",
                "supportive_people-0-name": "Rosa Okafor",
                "supportive_people-0-relationship": "sister",
                "supportive_people-0-phone": "+12025550145",
                "supportive_people-0-may_be_contacted": "on",
                "_continue": "Save and continue editing",
            },
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    client = Client.objects.get(legal_last_name="Okafor")
    assert client.record_number == f"CT-{client.pk:07d}"
    assert client.created_by == admin_user
    # The admin carries on with the row the service wrote (the redirect needs its id).
    assert response["Location"] == url(Client, "change", client.pk)
    audited = set(AuditEvent.objects.filter(client=client).values_list("action", "object_type"))
    assert audited == {("create", "clients.client"), ("create", "clients.supportiveperson")}
    assert client.supportive_people.get().name == "Rosa Okafor"


def test_a_client_change_in_admin_is_validated_and_audited_by_field(admin_user, admin_http, alice, team):
    form = _client_form(team, legal_first_name="Alice", legal_last_name="Rivera", preferred_channel="sms")
    response = admin_http.post(url(Client, "change", alice.pk), form)
    assert response.status_code == 200
    assert "preferred_channel" in response.context["adminform"].form.errors

    response = admin_http.post(url(Client, "change", alice.pk), {**form, "preferred_channel": "phone"})
    assert response.status_code == 302
    event = AuditEvent.objects.filter(client=alice, action=AuditAction.CHANGE, user=admin_user).get()
    assert "date_of_birth" in event.changed_fields and "legal_first_name" not in event.changed_fields


def test_viewing_and_listing_clients_in_admin_is_audited(admin_user, admin_http, alice):
    admin_http.get(url(Client, "change", alice.pk))
    admin_http.get(url(Client, "changelist"))
    actions = list(
        AuditEvent.objects.filter(user=admin_user, client=alice)
        .values_list("action", flat=True)
        .order_by("id")
    )
    assert actions == [AuditAction.VIEW, AuditAction.LIST]


def test_client_search_finds_a_record_number(admin_http, alice, team):
    ClientFactory(primary_team=team)
    for term in (alice.record_number, f"ct-{alice.pk}", "Rivera"):
        assert [c.pk for c in shown(admin_http.get(url(Client, "changelist"), {"q": term}))] == [alice.pk]


def test_archive_action_asks_why_then_archives_through_the_service(admin_user, admin_http, alice, team):
    bob = ClientFactory(primary_team=team)
    action = {"action": "archive_selected", "_selected_action": [alice.pk, bob.pk]}

    response = admin_http.post(url(Client, "changelist"), action)
    assert response.status_code == 200
    assert "Why are these records being archived?" in response.content.decode()
    assert not Client.objects.filter(archived_at__isnull=False).exists()

    response = admin_http.post(url(Client, "changelist"), {**action, "confirm": "yes", "reason": ""})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Client.objects.filter(archived_at__isnull=False).exists()

    response = admin_http.post(
        url(Client, "changelist"), {**action, "confirm": "yes", "reason": "Duplicate of CT-0000999"}
    )
    assert response.status_code == 302
    assert set(
        Client.objects.filter(archive_reason="Duplicate of CT-0000999").values_list("pk", flat=True)
    ) == {
        alice.pk,
        bob.pk,
    }
    events = AuditEvent.objects.filter(action=AuditAction.DELETE, reason="Duplicate of CT-0000999")
    assert set(events.values_list("client_id", flat=True)) == {alice.pk, bob.pk}


def test_object_permissions_are_shown_but_not_edited_in_admin(admin_http, alice, counselor, outsider):
    permissions = url(Client, "permissions", alice.pk)
    response = admin_http.get(permissions)
    assert response.status_code == 200 and "Casey Morgan" in response.content.decode()

    grants = set(ClientUserObjectPermission.objects.values_list("pk", flat=True))
    response = admin_http.post(
        f"{permissions}user-manage/{outsider.pk}/", {"permissions": ["view_client", "change_client"]}
    )
    assert response.status_code == 302 and response["Location"] == permissions
    assert set(ClientUserObjectPermission.objects.values_list("pk", flat=True)) == grants
    assert not client_can_access(outsider, alice)


def test_grant_tables_are_read_only(admin_http, a_row_of_everything):
    for model in (ClientUserObjectPermission, ClientGroupObjectPermission):
        grant = model.objects.first()
        assert admin_http.get(url(model, "add")).status_code == 403
        response = admin_http.get(url(model, "change", grant.pk))
        assert response.status_code == 200 and 'name="_save"' not in response.content.decode()


def test_supportive_people_are_added_changed_and_archived_through_the_services(admin_user, admin_http, alice):
    response = admin_http.post(
        url(SupportivePerson, "add"),
        {"client": alice.pk, "name": "Sam Lee", "relationship": "sponsor", "phone": "+12025550146"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = SupportivePerson.objects.get(name="Sam Lee")
    response = admin_http.post(
        url(SupportivePerson, "change", person.pk),
        {"name": "Sam Lee", "relationship": "mentor", "phone": "+12025550146"},
    )
    assert response.status_code == 302
    admin_http.post(
        url(SupportivePerson, "changelist"), {"action": "archive_selected", "_selected_action": [person.pk]}
    )
    person.refresh_from_db()
    assert person.relationship == "mentor" and person.archived_at is not None
    events = AuditEvent.objects.filter(object_type="clients.supportiveperson", object_id=str(person.pk))
    assert [(e.action, e.client_id) for e in events.order_by("id")] == [
        ("create", alice.pk),
        ("change", alice.pk),
        ("delete", alice.pk),
    ]
    assert events.get(action="change").changed_fields == ["relationship"]


def test_staff_who_are_not_administrators_see_only_their_clients_in_admin(
    supervisor, alice, outsider, other_team
):
    """GIVEN a supervisor with admin access WHEN they open the client admin THEN they see the clients
    of the team they supervise and not another team's: the admin is no back door around the care team."""
    supervisor.is_staff = True
    supervisor.save(update_fields=["is_staff"])
    theirs = ClientFactory(primary_team=other_team)
    http = login(supervisor)
    assert [c.pk for c in shown(http.get(url(Client, "changelist")))] == [alice.pk]
    assert {a.client_id for a in shown(http.get(url(CareTeamAssignment, "changelist")))} == {alice.pk}
    assert http.get(url(Client, "change", theirs.pk)).status_code == 302  # "no such object", back to the list


def test_an_administrator_by_role_manages_care_teams_without_being_a_superuser(alice, case_manager):
    administrator = UserFactory(username="admin-by-role", role="admin", is_staff=True)
    http = login(administrator)
    assert [c.pk for c in shown(http.get(url(Client, "changelist")))] == [alice.pk]
    response = http.post(
        url(CareTeamAssignment, "add"),
        {
            "client": alice.pk,
            "staff": case_manager.pk,
            "role": "case_manager",
            "started_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert client_can_access(case_manager, alice)
    assert http.get(url(AuditEvent, "changelist")).status_code == 200
