"""Panel 1, caseloads: counted from open care-team assignments on active clients of the teams in scope."""

import datetime as dt

import pytest

from careteam.services import assignment_end
from dashboards.panels import caseloads
from dashboards.scope import scope_for
from tests.factories import ClientFactory, UserFactory, assign


def figure(panel, key):
    return next(f for f in panel.figures if f.key == key)


@pytest.fixture
def caseload(team, other_team, counselor, supervisor, settings):
    """GIVEN Casey (counselor) is primary counselor of 3 active clients and of 1 discharged one; a case
    manager carries 2 of Casey's clients; 1 active client has no primary counselor (their counselor's
    assignment ended); a client of another team is Casey's too (must not count)."""
    settings.CARETEAM_CASELOAD_TARGETS = {"primary_counselor": 2, "case_manager": 40}
    cm = UserFactory(username="cm1", first_name="Robin", last_name="Case", role="case_manager")
    mine = [ClientFactory(primary_team=team, legal_last_name=f"Active{i}") for i in range(3)]
    for c in mine:
        assign(c, counselor, "primary_counselor")
    assign(mine[0], cm, "case_manager")
    assign(mine[1], cm, "case_manager")
    gone = ClientFactory(
        primary_team=team,
        status="discharged",
        discharged_on=dt.date(2025, 1, 2),
        discharge_reason="completed",
    )
    assign(gone, counselor, "primary_counselor")
    orphan = ClientFactory(primary_team=team, legal_last_name="Orphan")
    ended = assign(orphan, UserFactory(role="counselor"), "primary_counselor")
    assignment_end(assignment=ended, acting_user=supervisor, reason="left the agency")
    elsewhere = ClientFactory(primary_team=other_team)
    assign(elsewhere, counselor, "primary_counselor")
    return {"mine": mine, "orphan": orphan, "cm": cm}


def test_active_clients_and_unassigned_are_counted_for_the_teams_in_scope(caseload, supervisor):
    panel = caseloads.compute(scope_for(supervisor))

    # 3 of Casey's + the orphan; not the discharged client, not the other team's.
    assert figure(panel, "caseloads.active_clients").value == 4
    unassigned = figure(panel, "caseloads.unassigned")
    assert (unassigned.value, unassigned.numerator, unassigned.denominator) == (1, 1, 4)


def test_each_staff_member_is_counted_against_their_roles_target(caseload, supervisor):
    panel = caseloads.compute(scope_for(supervisor))

    by_staff = next(t for t in panel.tables if t.key == "caseloads.by_staff").rows
    assert [(r["staff"], r["role"], r["clients"], r["target"], r["pct_of_target"]) for r in by_staff] == [
        ("Casey Morgan", "Primary counselor", 3, 2, 150.0),
        ("Robin Case", "Case manager", 2, 40, 5.0),
    ]
    # Casey carries 3 against a target of 2.
    assert figure(panel, "caseloads.over_target").value == 1
    by_role = {r["role"]: r for r in next(t for t in panel.tables if t.key == "caseloads.by_role").rows}
    assert by_role["Primary counselor"]["clients"] == 3
    assert by_role["Case manager"] == {
        "role": "Case manager",
        "staff": 1,
        "clients": 2,
        "per_staff": 2.0,
        "target": 40,
    }


def test_the_unassigned_drilldown_lists_the_client_without_a_primary_counselor(caseload, supervisor):
    spec = caseloads.PANEL
    rows = list(
        next(d for d in spec.drilldowns if d.key == "caseloads.unassigned").rows(scope_for(supervisor))
    )

    assert [r["client_id"] for r in rows] == [caseload["orphan"].pk]


def test_the_assignments_drilldown_is_one_row_per_open_assignment_on_an_active_client(caseload, supervisor):
    drill = next(d for d in caseloads.PANEL.drilldowns if d.key == "caseloads.assignments")

    rows = list(drill.rows(scope_for(supervisor)))

    assert len(rows) == 5  # Casey x3, Robin x2
    assert {r["role_name"] for r in rows} == {"Primary counselor", "Case manager"}


def test_a_client_with_two_staff_in_one_role_counts_once_for_the_role(caseload, supervisor, team):
    """GIVEN a second case manager also carries one of Robin's clients, and an active client has only a
    case manager (no primary counselor)."""
    cm2 = UserFactory(username="cm2", first_name="Sam", last_name="Second", role="case_manager")
    assign(caseload["mine"][0], cm2, "case_manager")
    only_cm = ClientFactory(primary_team=team, legal_last_name="OnlyCase")
    assign(only_cm, cm2, "case_manager")

    panel = caseloads.compute(scope_for(supervisor))

    by_role = {r["role"]: r for r in next(t for t in panel.tables if t.key == "caseloads.by_role").rows}
    # Robin: mine[0], mine[1]; Sam: mine[0], only_cm -> 3 distinct clients, 2 staff.
    assert by_role["Case manager"] == {
        "role": "Case manager",
        "staff": 2,
        "clients": 3,
        "per_staff": 1.5,
        "target": 40,
    }
    # The orphan and only_cm have no primary counselor: the figure and its drill-down agree.
    unassigned = figure(panel, "caseloads.unassigned")
    assert (unassigned.value, unassigned.denominator) == (2, 5)
    drill = next(d for d in caseloads.PANEL.drilldowns if d.key == "caseloads.unassigned")
    assert {r["client_id"] for r in drill.rows(scope_for(supervisor))} == {caseload["orphan"].pk, only_cm.pk}


def test_the_panel_takes_three_queries(caseload, supervisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    scope = scope_for(supervisor)
    with CaptureQueriesContext(connection) as ctx:
        caseloads.compute(scope)
    assert len(ctx.captured_queries) == 3
