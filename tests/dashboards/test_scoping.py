"""A supervisor of team 2 sees nothing of team 1: in any panel, drill-down, CSV export or API answer.

Written over ``metrics.panels()`` and every registered drill-down, so every panel (whoever wrote it)
is held to it.
"""

import datetime as dt
import json

import pytest

from careteam.models import Task, TaskKind, TaskPriority
from dashboards import metrics
from dashboards.scope import scope_for
from tests.conftest import api_login, login
from tests.factories import (
    AppointmentFactory,
    AssessmentResponseFactory,
    ClientContactFactory,
    ClientFactory,
    PeerContactFactory,
    assign,
)
from tests.factories.assessments import answers_totalling, instrument
from tests.factories.crisis import CrisisEpisodeFactory
from tests.factories.plans import TreatmentPlanFactory
from tests.factories.referrals import sent_referral

NAME = "Zebulon"


@pytest.fixture
def team1_world(team, counselor, peer):
    """Team 1 (Harbor) clients with something for every panel: appointments, contacts, scores, a crisis,
    a referral, an urgent reply, a plan; one client with no primary counselor."""
    now = dt.datetime.now(dt.UTC)
    clients = []
    for i in range(3):
        c = ClientFactory(primary_team=team, legal_first_name=NAME, legal_last_name=f"Harbor{i}")
        clients.append(c)
        if i:
            assign(c, counselor, "primary_counselor")
        AppointmentFactory(client=c, staff=counselor, status="no_show", starts_at=now - dt.timedelta(days=9))
        AppointmentFactory(
            client=c,
            staff=counselor,
            kind="medication",
            status="no_show",
            starts_at=now - dt.timedelta(days=3),
        )
        for d in (60, 53, 46, 39):
            ClientContactFactory(client=c, staff=counselor, contacted_at=now - dt.timedelta(days=d))
        for days, total in ((20, 2), (1, 12)):
            answers = answers_totalling("phq9", total - 1) | {"q9": 1}
            AssessmentResponseFactory(
                client=c,
                instrument=instrument("phq9"),
                answers=answers,
                administered_by=counselor,
                administered_at=now - dt.timedelta(days=days),
            )
        CrisisEpisodeFactory(client=c, opened_at=now - dt.timedelta(days=5))
        Task.objects.create(
            kind=TaskKind.CLIENT_REPLY,
            title="Urgent reply",
            client=c,
            team=team,
            priority=TaskPriority.URGENT,
        )
        sent_referral(client=c, requested_at=now - dt.timedelta(days=10))
        TreatmentPlanFactory(client=c)
    PeerContactFactory(client=clients[0], peer=peer, occurred_at=now - dt.timedelta(days=30))
    return clients


def _team1_is_busy(supervisor):
    """The fixture really gives team 1's supervisor something in every drill-down it can fill."""
    scope = scope_for(supervisor)
    return {d.key for s in metrics.panels() for d in s.drilldowns if list(d.rows(scope))}


def test_team1_data_shows_for_team1s_supervisor(team1_world, supervisor):
    busy = _team1_is_busy(supervisor)
    assert {"caseloads.unassigned", "engagement.isolated", "risk.list"} <= busy


def test_no_panel_figure_or_table_of_team2s_supervisor_counts_team1(team1_world, team, other_supervisor):
    # Asking for team 1 by id is dropped, never honoured.
    scope = scope_for(other_supervisor, team_ids=[team.pk])
    assert team.pk not in scope.team_ids

    for panel in metrics.compute_all(scope):
        for f in panel.figures:
            assert f.value in (0, None), f.key
            assert f.numerator in (0, None), f.key
        for s in panel.series:
            assert all(v in (0, None) for _, v in s.points), s.key
        for t in panel.tables:
            text = json.dumps(t.rows, default=str)
            assert NAME not in text, t.key
            assert all(not r.get("client_id") for r in t.rows), t.key


def test_no_drilldown_page_csv_or_api_of_team2s_supervisor_shows_team1(team1_world, team, other_supervisor):
    http, api = login(other_supervisor), api_login(other_supervisor)
    records = [c.record_number for c in team1_world]
    keys = [d.key for s in metrics.panels() for d in s.drilldowns]
    assert keys
    for key in keys:
        query = f"team={team.pk}"
        assert list(metrics.drilldown(key).rows(scope_for(other_supervisor, team_ids=[team.pk]))) == [], key
        page = http.get(f"/dashboard/drilldown/{key}/?{query}")
        assert page.status_code == 200
        assert NAME not in page.content.decode(), key
        csv = http.get(f"/dashboard/drilldown/{key}/?{query}&format=csv").content.decode()
        assert NAME not in csv and not any(r in csv for r in records), key
        # Naming a team outside one's reach is a bad filter (400), and without it the list is empty.
        assert api.get(f"/api/v1/metrics/drilldowns/{key}/?{query}").status_code == 400, key
        assert api.get(f"/api/v1/metrics/drilldowns/{key}/").json()["count"] == 0, key
    dashboard = http.get(f"/dashboard/?team={team.pk}").content.decode()
    assert api.get(f"/api/v1/metrics/?team={team.pk}").status_code == 400
    metrics_json = api.get("/api/v1/metrics/").content.decode()
    for text in (dashboard, metrics_json):
        assert NAME not in text
        assert not any(r in text for r in records)
