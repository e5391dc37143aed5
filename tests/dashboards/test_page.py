"""The dashboard page and its drill-downs: who may open them, what they show, audit rows, query counts."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from careteam.models import AuditAction, AuditEvent
from dashboards import metrics
from tests.conftest import login
from tests.factories import (
    AppointmentFactory,
    AssessmentResponseFactory,
    ClientContactFactory,
    ClientFactory,
    assign,
)
from tests.factories.assessments import answers_totalling, instrument


def rich_client(team, counselor, i):
    """A client with appointments, contacts and a PHQ-9 pair, so every panel has rows to count."""
    client = ClientFactory(primary_team=team, legal_last_name=f"Client{i:02d}")
    if i % 3:
        assign(client, counselor, "primary_counselor")
    now = dt.datetime.now(dt.UTC)
    AppointmentFactory(
        client=client, staff=counselor, status="attended", starts_at=now - dt.timedelta(days=3)
    )
    AppointmentFactory(client=client, staff=counselor, status="no_show", starts_at=now - dt.timedelta(days=9))
    ClientContactFactory(client=client, staff=counselor, contacted_at=now - dt.timedelta(days=20 + i % 5))
    for days, total in ((25, 2), (2, 9)):
        AssessmentResponseFactory(
            client=client,
            instrument=instrument("phq9"),
            answers=answers_totalling("phq9", total),
            administered_by=counselor,
            administered_at=now - dt.timedelta(days=days),
        )
    return client


def test_the_supervisor_sees_every_registered_panel_in_order(alice, supervisor):
    response = login(supervisor).get("/dashboard/")

    assert response.status_code == 200
    html = response.content.decode()
    titles = [spec.title for spec in metrics.panels()]
    positions = [html.index(f'id="panel-title-{spec.key}">{spec.title}') for spec in metrics.panels()]
    assert positions == sorted(positions) and len(titles) >= 3
    assert "Active clients without a primary counselor" in html
    assert "Sudden isolation" in html
    assert "<details" in html and "Definition" in html
    assert "style=" not in html and "<style" not in html  # strict CSP


def test_every_figure_with_a_drilldown_links_to_it_with_the_same_filters(alice, supervisor, team):
    response = login(supervisor).get(f"/dashboard/?start=2026-01-01&end=2026-01-31&team={team.pk}")

    html = response.content.decode()
    links = set(re.findall(r'href="(/dashboard/drilldown/[^"]+)"', html))
    expected = {f.drilldown for p in response.context["panels"] for f in (x["figure"] for x in p["figures"])}
    assert {re.match(r"/dashboard/drilldown/([^/]+)/", link).group(1) for link in links} >= expected - {""}
    assert all(
        "start=2026-01-01" in link and "end=2026-01-31" in link and f"team={team.pk}" in link
        for link in links
    )


def test_counselors_may_not_open_the_dashboard_and_anonymous_users_log_in(alice, counselor, peer, outsider):
    assert login(counselor).get("/dashboard/").status_code == 403
    assert login(peer).get("/dashboard/drilldown/risk.list/").status_code == 403
    assert login(outsider).get("/dashboard/drilldown/risk.list/?format=csv").status_code == 403
    from django.test import Client as HttpClient

    assert HttpClient().get("/dashboard/").status_code == 302


def test_the_nav_shows_the_dashboard_to_supervisors_only(alice, supervisor, counselor):
    assert b'href="/dashboard/"' in login(supervisor).get("/clients/").content
    assert b'href="/dashboard/"' not in login(counselor).get("/clients/").content


def test_bad_filters_are_shown_as_errors_and_the_default_range_is_used(alice, supervisor):
    response = login(supervisor).get("/dashboard/?start=2026-02-10&end=2026-02-01")

    assert response.status_code == 200
    assert "The last day cannot come before the first day." in response.content.decode()
    scope = response.context["scope"]
    assert (scope.end - scope.start).days == 29  # the default: the last 30 days


def last_audit_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_the_page_writes_one_view_row_and_list_rows_for_clients_it_names(team, supervisor, counselor):
    client = rich_client(team, counselor, 1)  # PHQ-9 2 then 9; a 20 now makes a rise of 11 (a risk flag)
    AssessmentResponseFactory(
        client=client,
        instrument=instrument("phq9"),
        answers=answers_totalling("phq9", 20),
        administered_by=counselor,
    )
    http = login(supervisor)
    last = last_audit_id()

    http.get("/dashboard/")

    rows = list(AuditEvent.objects.filter(id__gt=last).order_by("id"))
    assert [r.action for r in rows if r.client_id is None] == [AuditAction.VIEW]
    assert rows[0].detail["page"] == "dashboard"
    assert [(r.action, r.client_id) for r in rows if r.client_id] == [(AuditAction.LIST, client.pk)]


def test_a_drilldown_is_paged_sorted_links_to_the_chart_and_audits_the_clients_shown(
    team, supervisor, counselor
):
    clients = [
        ClientFactory(primary_team=team, legal_first_name="Pat", legal_last_name=f"Person{i:02d}")
        for i in range(55)
    ]
    http = login(supervisor)
    last = last_audit_id()

    response = http.get("/dashboard/drilldown/caseloads.unassigned/?sort=-client")

    html = response.content.decode()
    assert response.status_code == 200
    assert "55 rows" in html
    assert len(re.findall(r'href="/clients/\d+/"', html)) == 50
    assert html.index("Person54") < html.index("Person53")  # descending by name
    assert "Person04" not in html  # on page 2
    listed = AuditEvent.objects.filter(id__gt=last, action=AuditAction.LIST)
    assert listed.count() == 50
    assert set(listed.values_list("client_id", flat=True)) <= {c.pk for c in clients}
    assert listed.first().detail["drilldown"] == "caseloads.unassigned"
    page2 = http.get("/dashboard/drilldown/caseloads.unassigned/?sort=-client&page=2")
    assert "Person04" in page2.content.decode()


def test_an_unknown_drilldown_is_404(alice, supervisor):
    assert login(supervisor).get("/dashboard/drilldown/nope/").status_code == 404


def _queries(http, url):
    with CaptureQueriesContext(connection) as ctx:
        assert http.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/",
        "/dashboard/drilldown/risk.list/",
        "/dashboard/drilldown/engagement.not_engaged/",
        "/dashboard/drilldown/engagement.appointments/?format=csv",
        "/api/v1/metrics/",
        "/api/v1/metrics/drilldowns/risk.list/",
    ],
)
def test_the_number_of_queries_does_not_grow_with_the_clients(team, supervisor, counselor, url):
    for i in range(2):
        rich_client(team, counselor, i)
    http = login(supervisor)
    http.get(url)  # warm caches (sessions, content types)
    at_two = _queries(http, url)

    for i in range(2, 20):
        rich_client(team, counselor, i)
    at_twenty = _queries(http, url)

    assert at_twenty == at_two
