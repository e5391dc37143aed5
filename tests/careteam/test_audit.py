"""The append-only, hash-chained audit trail: what is recorded, that the database refuses
edits, and that ``audit_verify`` finds tampering."""

import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from careteam.audit import (
    RequestContext,
    audit_log,
    audit_seal_pending,
    reset_request_context,
    set_request_context,
)
from careteam.models import AuditAction, AuditEvent, CareTeamAssignment
from clients.models import Client
from tests.conftest import client_form_data, login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "careteam-demo"


def events(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("id"))


def row_text(event: AuditEvent) -> str:
    """Every stored column of the row as one string, to look for things that must not be there."""
    return json.dumps(AuditEvent.objects.filter(pk=event.pk).values().get(), default=str)


def verify() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


# Which trigger guards which statement, per database (migration 0003).
TRIGGERS = {
    "postgresql": {
        "UPDATE": "DROP TRIGGER careteam_auditevent_append_only ON careteam_auditevent",
        "DELETE": "DROP TRIGGER careteam_auditevent_append_only ON careteam_auditevent",
    },
    "sqlite": {
        "UPDATE": "DROP TRIGGER careteam_auditevent_no_update",
        "DELETE": "DROP TRIGGER careteam_auditevent_no_delete",
    },
}


def drop_append_only_trigger(statement: str) -> None:
    """Play the attacker with database access. The test transaction's rollback restores the trigger."""
    with connection.cursor() as cursor:
        cursor.execute(TRIGGERS[connection.vendor][statement])


def make_chain(n: int) -> list[AuditEvent]:
    """``n`` audit rows, sealed (chained, with their MACs) as the worker would do moments later."""
    written = [
        audit_log(user=None, action=AuditAction.VIEW, reason=f"row {i}", detail={"i": i}) for i in range(n)
    ]
    audit_seal_pending()
    return list(AuditEvent.objects.filter(pk__in=[row.pk for row in written]).order_by("id"))


# --- what is recorded ----------------------------------------------------------------------------


def test_viewing_a_chart_records_who_viewed_which_client_from_where(alice, counselor):
    http = login(counselor)

    response = http.get(reverse("clients:detail", args=[alice.pk]), REMOTE_ADDR="203.0.113.7")

    assert response.status_code == 200
    [event] = events(action=AuditAction.VIEW)
    assert event.action == AuditAction.VIEW
    assert event.client_id == alice.pk
    assert event.user_id == counselor.pk
    assert event.username == "counselor"
    assert (event.object_type, event.object_id) == ("clients.client", str(alice.pk))
    assert event.ip_address == "203.0.113.7"
    assert event.path == f"/clients/{alice.pk}/"
    assert event.occurred_at is not None


def test_an_outsider_who_is_refused_a_chart_leaves_no_view_row(alice, outsider):
    response = login(outsider).get(reverse("clients:detail", args=[alice.pk]))

    assert response.status_code == 404
    assert not events(action=AuditAction.VIEW, client=alice)


def test_editing_a_record_lists_exactly_the_changed_fields_and_never_their_values(alice, counselor):
    """GIVEN Alice's record WHEN her counselor changes her preferred name and city on the edit page
    THEN one CHANGE row names those two fields, and neither the old nor the new values are stored."""
    old_preferred = alice.preferred_name
    data = client_form_data(alice, preferred_name="Lissa", city="Springfield")

    response = login(counselor).post(reverse("clients:update", args=[alice.pk]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    [event] = events(action=AuditAction.CHANGE, client=alice)
    assert event.changed_fields == ["city", "preferred_name"]
    assert event.user_id == counselor.pk
    assert (event.object_type, event.object_id) == ("clients.client", str(alice.pk))
    stored = row_text(event)
    for value in ("Lissa", "Springfield", old_preferred):
        assert value not in stored


def test_saving_the_edit_page_without_changes_records_no_change(alice, counselor):
    response = login(counselor).post(reverse("clients:update", args=[alice.pk]), client_form_data(alice))

    assert response.status_code == 302
    assert not events(action=AuditAction.CHANGE, client=alice)


def test_intake_records_the_new_record_and_the_counselors_place_on_its_care_team(team, counselor):
    data = {
        "legal_first_name": "Jordan",
        "legal_last_name": "Okonkwo",
        "date_of_birth": "1990-04-02",
        "preferred_language": "en",
        "phone": "+12025550142",
        "preferred_channel": "phone",
        "time_zone": "America/New_York",
        "status": "active",
        "primary_team": team.pk,
    }

    response = login(counselor).post(reverse("clients:create"), data, REMOTE_ADDR="198.51.100.4")

    assert response.status_code == 302, response.content.decode()[:3000]
    client = Client.objects.get(legal_last_name="Okonkwo")
    rows = events(client=client)
    created = [e for e in rows if e.action == AuditAction.CREATE]
    assert {e.object_type for e in created} == {"clients.client", "careteam.careteamassignment"}
    record_row = next(e for e in created if e.object_type == "clients.client")
    assert record_row.object_id == str(client.pk)
    assert record_row.user_id == counselor.pk
    assert record_row.ip_address == "198.51.100.4"
    assert {"legal_first_name", "legal_last_name", "date_of_birth"} <= set(record_row.changed_fields)
    assert "Okonkwo" not in row_text(record_row)
    assert "1990-04-02" not in row_text(record_row)
    [granted] = [e for e in rows if e.action == AuditAction.PERMISSION_CHANGE]
    assert (granted.object_type, granted.object_id) == ("careteam.user", str(counselor.pk))
    assert granted.detail == {"granted": ["clients.change_client", "clients.view_client"]}


def test_starting_and_ending_an_assignment_records_the_assignment_and_the_permission_changes(
    alice, supervisor, case_manager
):
    """GIVEN Alice's supervisor WHEN they put the case manager on her care team, then take them off
    THEN each step writes a row for the assignment and a PERMISSION_CHANGE row for the access."""
    http = login(supervisor)

    response = http.post(
        reverse("clients:care-team", args=[alice.pk]), {"staff": case_manager.pk, "role": "case_manager"}
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assignment = CareTeamAssignment.objects.get(client=alice, staff=case_manager)
    [created] = events(action=AuditAction.CREATE, object_id=str(assignment.pk), client=alice)
    assert created.object_type == "careteam.careteamassignment"
    assert created.user_id == supervisor.pk
    assert created.detail == {"staff": "casemanager", "role": "case_manager"}
    [granted] = events(action=AuditAction.PERMISSION_CHANGE, object_id=str(case_manager.pk), client=alice)
    assert granted.object_type == "careteam.user"
    assert granted.user_id == supervisor.pk
    assert granted.detail == {"granted": ["clients.change_client", "clients.view_client"]}

    response = http.post(
        reverse("clients:assignment-end", args=[alice.pk, assignment.pk]), {"reason": "caseload transfer"}
    )

    assert response.status_code == 302
    [ended] = events(action=AuditAction.CHANGE, object_type="careteam.careteamassignment")
    assert ended.object_id == str(assignment.pk)
    assert ended.changed_fields == ["end_reason", "ended_on"]
    assert ended.reason == "caseload transfer"
    assert ended.user_id == supervisor.pk
    revoked = events(action=AuditAction.PERMISSION_CHANGE, object_id=str(case_manager.pk), client=alice)[1:]
    assert [e.detail for e in revoked] == [{"revoked": ["clients.change_client", "clients.view_client"]}]
    assert revoked[0].user_id == supervisor.pk


# --- authentication and roles --------------------------------------------------------------------


def test_logging_in_and_out_is_recorded(counselor, client):
    response = client.post(
        reverse("login"), {"login": "counselor", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10"
    )
    assert response.status_code == 302
    [login_row] = events(action=AuditAction.LOGIN)
    assert login_row.user_id == counselor.pk
    assert login_row.username == "counselor"
    assert login_row.ip_address == "192.0.2.10"

    response = client.post(reverse("logout"), REMOTE_ADDR="192.0.2.10")

    assert response.status_code == 302
    [logout_row] = events(action=AuditAction.LOGOUT)
    assert logout_row.user_id == counselor.pk
    assert logout_row.ip_address == "192.0.2.10"


def test_a_failed_login_is_recorded_with_the_name_tried_but_never_the_password(counselor, client):
    response = client.post(
        reverse("login"),
        {"login": "counselor", "password": "Wr0ng-horse-battery"},
        REMOTE_ADDR="192.0.2.66",
    )

    assert response.status_code == 200  # the form again
    [row] = events(action=AuditAction.LOGIN_FAILED)
    assert row.username == "counselor"
    assert row.user_id is None
    assert row.ip_address == "192.0.2.66"
    assert "Wr0ng-horse-battery" not in row_text(row)
    assert not events(action=AuditAction.LOGIN)


def test_adding_and_removing_a_role_is_recorded_as_a_permission_change(counselor):
    supervisors = Group.objects.get(name="supervisor")

    counselor.groups.add(supervisors)
    counselor.groups.remove(supervisors)

    rows = events(
        action=AuditAction.PERMISSION_CHANGE, object_type="careteam.user", object_id=str(counselor.pk)
    )
    assert [r.detail for r in rows][-2:] == [
        {"roles": "add", "groups": ["supervisor"]},
        {"roles": "remove", "groups": ["supervisor"]},
    ]


def test_a_role_given_from_the_group_side_names_the_user_and_the_admin_who_did_it(admin_user):
    """GIVEN an admin serving a request WHEN they add a user to a role through the group
    THEN the row is about that user and names the admin as the one who made the change."""
    user = UserFactory(username="newhire")
    token = set_request_context(RequestContext(ip_address="192.0.2.1", path="/admin/", user=admin_user))
    try:
        Group.objects.get(name="peer_specialist").user_set.add(user)
    finally:
        reset_request_context(token)

    [row] = events(action=AuditAction.PERMISSION_CHANGE, object_id=str(user.pk))
    assert row.object_type == "careteam.user"
    assert row.user_id == admin_user.pk
    assert row.ip_address == "192.0.2.1"
    assert row.detail == {"roles": "add", "groups": ["peer_specialist"]}


# --- where from ----------------------------------------------------------------------------------


def test_behind_one_trusted_proxy_the_address_comes_from_x_forwarded_for(alice, counselor, settings):
    """GIVEN one load balancer in front WHEN a request arrives with a spoofed first hop
    THEN the trail records the address the load balancer saw (the last hop), not the spoof."""
    settings.TRUSTED_PROXY_COUNT = 1

    login(counselor).get(
        reverse("clients:detail", args=[alice.pk]),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.50",
    )

    [row] = events(action=AuditAction.VIEW)
    assert row.ip_address == "203.0.113.50"


def test_without_trusted_proxies_x_forwarded_for_is_ignored(alice, counselor, settings):
    settings.TRUSTED_PROXY_COUNT = 0

    login(counselor).get(
        reverse("clients:detail", args=[alice.pk]), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6"
    )

    [row] = events(action=AuditAction.VIEW)
    assert row.ip_address == "10.0.0.2"


def test_an_ipv6_address_in_any_spelling_keeps_the_chain_intact(alice, counselor, settings):
    """GIVEN an IPv6 caller whose address the proxy writes out in full, upper case
    WHEN the chart is viewed THEN the stored address is the canonical form and the chain verifies."""
    settings.TRUSTED_PROXY_COUNT = 1

    login(counselor).get(
        reverse("clients:detail", args=[alice.pk]),
        HTTP_X_FORWARDED_FOR="2001:0DB8:0000:0000:0000:0000:0000:0001",
    )

    [row] = events(action=AuditAction.VIEW)
    assert row.ip_address == "2001:db8::1"
    assert audit_seal_pending() >= 1
    assert "intact" in verify()


def test_a_forwarded_address_that_is_not_an_address_falls_back_to_the_peer_address(
    alice, counselor, settings
):
    """GIVEN a proxy that writes "unknown" into X-Forwarded-For WHEN the chart is viewed
    THEN the page still answers, the trail records the connecting address, and the chain verifies."""
    settings.TRUSTED_PROXY_COUNT = 1

    response = login(counselor).get(
        reverse("clients:detail", args=[alice.pk]), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="unknown"
    )

    assert response.status_code == 200
    [row] = events(action=AuditAction.VIEW)
    assert row.ip_address == "10.0.0.2"
    assert audit_seal_pending() >= 1
    assert "intact" in verify()


# --- append-only ---------------------------------------------------------------------------------


def test_the_database_refuses_to_update_an_audit_row():
    """SQLite's trigger raises IntegrityError, PostgreSQL's a ProgrammingError (SQLSTATE P0001):
    both are DatabaseErrors carrying the trigger's message."""
    [row] = make_chain(1)

    with (
        pytest.raises(DatabaseError, match="append-only: UPDATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE careteam_auditevent SET reason = %s WHERE id = %s", ["covered up", row.pk])

    assert AuditEvent.objects.get(pk=row.pk).reason == "row 0"


def test_the_database_refuses_to_delete_an_audit_row():
    [row] = make_chain(1)

    with (
        pytest.raises(DatabaseError, match="append-only: DELETE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM careteam_auditevent WHERE id = %s", [row.pk])

    assert AuditEvent.objects.filter(pk=row.pk).exists()


def test_the_orm_cannot_update_or_delete_audit_rows_either():
    make_chain(2)

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.update(reason="covered up")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.count() == 2
    assert not AuditEvent.objects.filter(reason="covered up").exists()


# --- the hash chain ------------------------------------------------------------------------------


def test_audit_verify_reports_an_intact_chain(alice, counselor):
    http = login(counselor)
    http.get(reverse("clients:detail", args=[alice.pk]))
    http.post(reverse("clients:update", args=[alice.pk]), client_form_data(alice, city="Springfield"))
    make_chain(3)  # seals the page's rows too
    total = AuditEvent.objects.count()

    output = verify()

    assert f"Audit chain intact: {total} row(s) verified." in output


def test_audit_verify_reports_an_empty_trail_as_intact(db):
    assert "Audit chain intact: 0 row(s) verified." in verify()


def test_audit_verify_names_a_row_edited_behind_the_triggers_back():
    """GIVEN a chain of five rows WHEN someone drops the trigger and rewrites the third row's reason
    THEN audit_verify fails naming that row."""
    rows = make_chain(5)
    edited = rows[2]
    drop_append_only_trigger("UPDATE")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE careteam_auditevent SET reason = %s WHERE id = %s", ["nothing to see", edited.pk]
        )

    with pytest.raises(CommandError, match=rf"row {edited.pk}: .*edited") as failure:
        verify()

    assert "2 row(s) before it verified" in str(failure.value)


def test_audit_verify_names_the_row_after_one_deleted_from_the_middle():
    """GIVEN a chain of five rows WHEN someone drops the trigger and deletes the third row
    THEN the fourth row's previous-hash no longer matches, and audit_verify names the fourth row."""
    rows = make_chain(5)
    drop_append_only_trigger("DELETE")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM careteam_auditevent WHERE id = %s", [rows[2].pk])

    with pytest.raises(CommandError, match=rf"row {rows[3].pk}: .*previous-hash"):
        verify()


def test_audit_verify_notices_a_row_rewritten_with_a_recomputed_hash():
    """GIVEN a chain WHEN a middle row is rewritten and its own hash recomputed to match
    THEN the next row's previous-hash exposes it."""
    rows = make_chain(3)
    forged = AuditEvent.objects.get(pk=rows[1].pk)
    forged.reason = "forged"
    drop_append_only_trigger("UPDATE")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE careteam_auditevent SET reason = %s, row_hash = %s WHERE id = %s",
            [forged.reason, forged.compute_hash(), forged.pk],
        )

    with pytest.raises(CommandError, match=rf"row {rows[2].pk}: .*previous-hash"):
        verify()


def test_every_chart_page_that_shows_the_record_writes_one_view_row(alice, counselor):
    """GIVEN Alice's chart WHEN her counselor opens the edit form (a page with no audit of its own)
    and the overview (which audits itself) THEN each writes exactly one VIEW row naming her."""
    from django.urls import reverse

    from tests.conftest import login

    http = login(counselor)
    for url in (reverse("clients:update", args=[alice.pk]), reverse("clients:detail", args=[alice.pk])):
        before = AuditEvent.objects.filter(action=AuditAction.VIEW, client=alice).count()
        assert http.get(url).status_code == 200
        after = AuditEvent.objects.filter(action=AuditAction.VIEW, client=alice).count()
        assert after - before == 1, url
