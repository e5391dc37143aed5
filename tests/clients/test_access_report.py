"""Each client's access report — who viewed, changed, exported, disclosed or was refused the record,
when, why and from where — for the client's team supervisors and administrators, printable and as
CSV, every look at it audited; and the audit report scoped to a supervisor's teams (issue 14, item 4)."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from careteam.audit import audit_log
from careteam.models import AuditAction, AuditEvent
from careteam.timezones import user_time_zone
from tests.conftest import login
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def report_url(client, kind: str = "") -> str:
    return reverse(f"clients:access-report{'-' + kind if kind else ''}", args=[client.pk])


def test_the_supervisor_reads_that_the_counselor_viewed_the_chart_and_when(alice, counselor, supervisor):
    assert login(counselor).get(reverse("clients:detail", args=[alice.pk])).status_code == 200
    response = login(supervisor).get(report_url(alice))
    assert response.status_code == 200
    [row] = [r for r in response.context["rows"] if r["event"].user_id == counselor.pk]
    assert (row["who"], row["action"]) == ("Casey Morgan", "Viewed")
    with timezone.override(user_time_zone(supervisor)):
        when = date_format(timezone.localtime(row["event"].occurred_at), "M j, Y g:i:s A")
    page = response.content.decode()
    assert "Access report" in page
    assert "<td>Casey Morgan</td>" in page
    assert when in page


def test_the_outsiders_refusal_shows_in_the_clients_report(alice, outsider, supervisor):
    assert login(outsider).get(reverse("clients:detail", args=[alice.pk])).status_code == 404
    response = login(supervisor).get(report_url(alice), {"action": "denied"})
    assert [(r["event"].username, r["event"].action) for r in response.context["rows"]] == [
        ("outsider", "denied")
    ]
    assert "Access refused" in response.content.decode()


@pytest.mark.parametrize("who", ["counselor", "peer", "case_manager", "other_supervisor", "outsider"])
def test_no_one_but_the_team_supervisor_and_admins_opens_it(alice, who, request):
    user = request.getfixturevalue(who)
    http = login(user)
    for kind in ("", "print", "csv"):
        assert http.get(report_url(alice, kind)).status_code == 404
    # The refusal is itself audited.
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, user=user, client=alice).count() == 3


@pytest.mark.parametrize("who", ["supervisor", "admin_user", "admin_role_user"])
def test_the_team_supervisor_and_admins_open_it(alice, who, request):
    assert login(request.getfixturevalue(who)).get(report_url(alice)).status_code == 200


def test_the_riverside_supervisor_cannot_read_a_harbor_clients_report(alice, other_supervisor):
    http = login(other_supervisor)
    assert http.get(report_url(alice)).status_code == 404
    assert not AuditEvent.objects.filter(
        user=other_supervisor, action=AuditAction.VIEW, detail__page="access-report"
    ).exists()


def test_the_chart_offers_the_report_to_the_supervisor_only(alice, counselor, supervisor):
    href = report_url(alice)
    assert href in login(supervisor).get(reverse("clients:detail", args=[alice.pk])).content.decode()
    assert href not in login(counselor).get(reverse("clients:detail", args=[alice.pk])).content.decode()


def test_reading_the_report_is_audited_as_a_view(alice, supervisor):
    login(supervisor).get(report_url(alice), {"action": "view"})
    row = AuditEvent.objects.filter(user=supervisor, client=alice).latest("id")
    assert row.action == AuditAction.VIEW
    assert row.detail["page"] == "access-report"
    assert row.detail["action"] == "view"


def test_the_printout_is_audited_as_an_export(alice, counselor, supervisor):
    login(counselor).get(reverse("clients:detail", args=[alice.pk]))
    response = login(supervisor).get(report_url(alice, "print"))
    assert response.status_code == 200
    assert "Casey Morgan" in response.content.decode()
    row = AuditEvent.objects.filter(user=supervisor, client=alice).latest("id")
    assert (row.action, row.detail["format"], row.detail["page"]) == (
        AuditAction.EXPORT,
        "print",
        "access-report",
    )


def test_the_csv_lists_every_row_safely_and_is_audited(alice, counselor, supervisor):
    audit_log(user=counselor, action=AuditAction.EXPORT, client=alice, obj=alice, reason="=HYPERLINK(evil)")
    response = login(supervisor).get(report_url(alice, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["When (UTC)", "Who", "Action", "What", "Page", "Why", "From"]
    [exported] = [r for r in rows[1:] if r[1] == "Casey Morgan"]
    assert exported[2:6] == ["Exported / printed", f"clients.client #{alice.pk}", "", "'=HYPERLINK(evil)"]
    row = AuditEvent.objects.filter(user=supervisor, client=alice).latest("id")
    assert (row.action, row.detail["format"]) == (AuditAction.EXPORT, "csv")


def test_filters_by_action_and_days_newest_first(alice, counselor, supervisor):
    tz = timezone.get_current_timezone()
    for day, action in [(10, AuditAction.VIEW), (11, AuditAction.CHANGE), (12, AuditAction.VIEW)]:
        with time_machine.travel(dt.datetime(2026, 3, day, 9, 30, tzinfo=tz), tick=False):
            audit_log(user=counselor, action=action, client=alice, obj=alice)
    http = login(supervisor)
    response = http.get(report_url(alice), {"action": "view", "start": "2026-03-10", "end": "2026-03-12"})
    shown = [(r["event"].action, r["event"].occurred_at.day) for r in response.context["rows"]]
    assert shown == [("view", 12), ("view", 10)]
    response = http.get(report_url(alice), {"start": "2026-03-11", "end": "2026-03-11"})
    assert [r["event"].action for r in response.context["rows"]] == ["change"]


def test_a_backwards_range_is_a_form_error(alice, supervisor):
    response = login(supervisor).get(report_url(alice), {"start": "2026-03-12", "end": "2026-03-10"})
    assert response.status_code == 400
    assert "before its start" in response.content.decode()
    assert (
        login(supervisor)
        .get(report_url(alice, "csv"), {"start": "2026-03-12", "end": "2026-03-10"})
        .status_code
        == 400
    )


def test_it_pages_fifty_rows_at_a_time_and_shows_the_oldest_row_last(alice, counselor, supervisor):
    before = AuditEvent.objects.filter(client=alice).count()
    for _ in range(100 - before):
        audit_log(user=counselor, action=AuditAction.VIEW, client=alice, obj=alice)
    http = login(supervisor)
    assert len(http.get(report_url(alice)).context["rows"]) == 50
    # Opening page 1 added a row (101 now); opening page 3 adds another after reading it: the last
    # page still ends with the oldest row, nothing falls off the end of a page.
    last_page = http.get(report_url(alice), {"page": 3}).context["rows"]
    oldest = AuditEvent.objects.filter(client=alice).order_by("occurred_at", "id").first()
    assert last_page[-1]["event"].pk == oldest.pk


def _get(http, url):
    response = http.get(url)
    assert response.status_code == 200
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def _queries(http, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        _get(http, url)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("kind", ["", "print", "csv"])
def test_the_query_count_stays_flat_as_rows_grow(
    alice, counselor, supervisor, team, kind, django_assert_max_num_queries
):
    http = login(supervisor)
    url = report_url(alice, kind)
    audit_log(user=counselor, action=AuditAction.VIEW, client=alice, obj=alice)
    _get(http, url)  # warm the session and permission caches
    small = _queries(http, url)
    staff = [counselor, supervisor]
    for i in range(40):
        audit_log(user=staff[i % 2], action=AuditAction.VIEW, client=alice, obj=alice)
    with django_assert_max_num_queries(small):
        _get(http, url)


# --- the admin audit report, scoped to a supervisor's teams --------------------------------------


@pytest.fixture
def staff_supervisor(supervisor):
    supervisor.is_staff = True
    supervisor.save(update_fields=["is_staff"])
    return supervisor


def test_a_supervisor_reads_only_their_teams_rows_in_the_audit_report(
    alice, counselor, outsider, other_team, staff_supervisor, admin_user
):
    riverside_client = ClientFactory(primary_team=other_team)
    about_alice = audit_log(user=outsider, action=AuditAction.DENIED, client=alice)
    about_theirs = audit_log(user=outsider, action=AuditAction.VIEW, client=riverside_client)
    counselor_login = audit_log(user=counselor, action=AuditAction.LOGIN)
    outsider_login = audit_log(user=outsider, action=AuditAction.LOGIN)
    changelist = reverse("admin:careteam_auditevent_changelist")

    shown = {e.pk for e in login(staff_supervisor).get(changelist).context["cl"].result_list}
    assert about_alice.pk in shown and counselor_login.pk in shown
    assert about_theirs.pk not in shown and outsider_login.pk not in shown
    detail = reverse("admin:careteam_auditevent_change", args=[about_theirs.pk])
    assert login(staff_supervisor).get(detail).status_code == 302  # "no such object"

    everything = {e.pk for e in login(admin_user).get(changelist).context["cl"].result_list}
    assert {about_alice.pk, about_theirs.pk, counselor_login.pk, outsider_login.pk} <= everything


def test_the_audit_report_lists_repeated_refusals(alice, outsider, staff_supervisor):
    for _ in range(3):
        login(outsider).get(reverse("clients:detail", args=[alice.pk]))
    response = login(staff_supervisor).get(reverse("admin:careteam_auditevent_changelist"))
    assert [r["username"] for r in response.context["repeated_denials"]] == ["outsider"]
    assert "Show their refusals" in response.content.decode()
