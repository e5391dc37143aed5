"""Panel 4 (referral loop closure): each figure against a small dataset worked out by hand."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.metrics import drilldown
from dashboards.panels import referrals as panel
from dashboards.scope import scope_for
from referrals.models import Referral, ReferralOutcome, ReferralStatus
from tests.factories import ClientFactory
from tests.factories.directory import OrganizationFactory, ServiceFactory
from tests.factories.referrals import sent_referral

TZ = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime(2025, 3, 12, 15, 0, tzinfo=TZ)  # a Wednesday


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def figure(panel_, key):
    return next(f for f in panel_.figures if f.key == key)


def table(panel_, key):
    return next(t for t in panel_.tables if t.key == key)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(frozen, team, other_team, supervisor, case_manager):
    answers = ServiceFactory(organization=OrganizationFactory(name="Answers Fast"))
    silent = ServiceFactory(organization=OrganizationFactory(name="Never Answers"))
    ours = ClientFactory(primary_team=team, legal_first_name="Ana", legal_last_name="Ours")
    theirs = ClientFactory(primary_team=other_team)

    def send(service, requested_at, client=ours, **kw):
        return sent_referral(
            client=client, service=service, referred_by=case_manager, requested_at=requested_at, **kw
        )

    def closed(service, requested_at, respond_days, close_days, status, outcome):
        return send(
            service,
            requested_at,
            status=status,
            outcome=outcome,
            first_response_at=requested_at + dt.timedelta(days=respond_days),
            closed_at=requested_at + dt.timedelta(days=close_days) if close_days is not None else None,
        )

    r = {
        "r1": closed(answers, at(2025, 3, 1, 10), 1, 5, ReferralStatus.COMPLETED, ReferralOutcome.CONNECTED),
        "r2": closed(
            answers, at(2025, 3, 2, 10), 3, 9, ReferralStatus.REJECTED, ReferralOutcome.NOT_ELIGIBLE
        ),
        "r3": closed(answers, at(2025, 3, 3, 10), 2, None, ReferralStatus.ACCEPTED, ""),
        # The first day of the range counts from its midnight.
        "r10": closed(
            answers, at(2025, 2, 11, 0, 0), 4, 4, ReferralStatus.CANCELLED, ReferralOutcome.CLIENT_DECLINED
        ),
        # Routine, sent Monday 14:00: due Wednesday 14:00 (2 business days) — an hour late now.
        "r4": send(silent, at(2025, 3, 10, 14)),
        # Routine, sent Monday 16:00: due Wednesday 16:00 — not late yet.
        "r5": send(silent, at(2025, 3, 10, 16)),
        # Urgent, sent at 10:00 today: due at 14:00 (4 hours).
        "r6": send(silent, at(2025, 3, 12, 10), urgency="urgent"),
        # Routine, sent Friday: due Tuesday.
        "r7": send(silent, at(2025, 3, 7, 11)),
        # Sent long before the range: still overdue (a current state), not "sent in the range".
        "r8": send(silent, at(2025, 1, 6, 9)),
        # The evening before the range starts: outside.
        "r9": closed(
            answers, at(2025, 2, 10, 23, 30), 1, 2, ReferralStatus.COMPLETED, ReferralOutcome.CONNECTED
        ),
        # Another team's client: never in this supervisor's figures.
        "theirs": send(silent, at(2025, 3, 3, 9), client=theirs),
    }
    return r


def test_each_figure_matches_the_hand_worked_answer(world, supervisor):
    p = panel.compute(scope_for(supervisor))

    # Sent in range: r1, r2, r3, r4, r5, r6, r7, r10.
    assert figure(p, "referrals.sent").value == 8
    # Closed with an outcome: r1, r2, r10 → 3 of 8.
    closed = figure(p, "referrals.closed_pct")
    assert (closed.numerator, closed.denominator, closed.value) == (3, 8, 37.5)
    # Connected: r1 → 1 of 8.
    assert figure(p, "referrals.connected_pct").value == 12.5
    # Days to first response: 1, 3, 2, 4 → median (2 + 3) / 2.
    assert figure(p, "referrals.median_days_to_response").value == 2.5
    assert figure(p, "referrals.median_days_to_response").numerator == 4
    # Days to closure: 5, 9, 4 → median 5.
    assert figure(p, "referrals.median_days_to_closure").value == 5.0
    # Overdue now: r4, r6, r7, r8 — all at "Never Answers"; r5 is not due until 16:00.
    assert figure(p, "referrals.overdue").value == 4
    by_org = table(p, "referrals.overdue_by_organization").rows
    assert [(row["organization"], row["overdue"]) for row in by_org] == [("Never Answers", 4)]
    assert by_org[0]["oldest"] == at(2025, 1, 6, 9)
    outcomes = {row["outcome"]: (row["n"], row["pct"]) for row in table(p, "referrals.outcomes").rows}
    assert outcomes == {
        "Connected / service received": (1, 12.5),
        "Not eligible": (1, 12.5),
        "Client declined": (1, 12.5),
    }


def test_drill_downs_list_the_referrals_behind_the_figures(world, supervisor):
    scope = scope_for(supervisor)
    sent = list(drilldown("referrals.sent").rows(scope))
    assert {row["referral_id"] for row in sent} == {
        world[k].pk for k in ("r1", "r2", "r3", "r4", "r5", "r6", "r7", "r10")
    }
    r1 = next(row for row in sent if row["referral_id"] == world["r1"].pk)
    assert r1["name"] == "Ana Ours" and r1["client_id"] == world["r1"].client_id
    assert r1["referral_outcome"] == "Connected / service received"
    assert r1["referral_status"] == "Completed"
    overdue = list(drilldown("referrals.overdue").rows(scope))
    assert [row["referral_id"] for row in overdue] == [world[k].pk for k in ("r8", "r7", "r4", "r6")]
    assert overdue[-1]["urgency_label"] == "Urgent"


def test_another_teams_supervisor_sees_none_of_it(world, other_supervisor):
    scope = scope_for(other_supervisor)
    p = panel.compute(scope)
    assert figure(p, "referrals.sent").value == 1
    assert [row["referral_id"] for row in drilldown("referrals.sent").rows(scope)] == [world["theirs"].pk]
    assert all(
        row["client_id"] == world["theirs"].client_id for row in drilldown("referrals.overdue").rows(scope)
    )


def test_an_empty_range_gives_no_medians_and_no_percentages(frozen, supervisor):
    p = panel.compute(scope_for(supervisor))
    assert figure(p, "referrals.sent").value == 0
    assert figure(p, "referrals.closed_pct").value is None
    assert figure(p, "referrals.median_days_to_response").value is None


def _queries(scope) -> int:
    with CaptureQueriesContext(connection) as ctx:
        panel.compute(scope)
        list(drilldown("referrals.sent").rows(scope))
        list(drilldown("referrals.overdue").rows(scope))
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_referrals(frozen, team, supervisor, case_manager):
    def add(n):
        for i in range(n):
            client = ClientFactory(primary_team=team)
            r = sent_referral(
                client=client, referred_by=case_manager, requested_at=NOW - dt.timedelta(days=i % 25 + 1)
            )
            if i % 2:
                Referral.objects.filter(pk=r.pk).update(
                    first_response_at=r.requested_at + dt.timedelta(hours=5),
                    closed_at=r.requested_at + dt.timedelta(days=2),
                    status=ReferralStatus.COMPLETED,
                    outcome=ReferralOutcome.CONNECTED,
                )

    scope = scope_for(supervisor)
    add(2)
    small = _queries(scope)
    add(18)
    assert _queries(scope) == small


def test_the_panel_is_two_statements(world, supervisor):
    """Every figure of the range, both medians and the outcomes table come from one aggregate; the
    overdue figure and table from a second (the drill-downs are queried only when opened)."""
    scope = scope_for(supervisor)
    with CaptureQueriesContext(connection) as ctx:
        panel.compute(scope)
    assert len(ctx.captured_queries) == 2
