"""Panel 7 (peer support): contacts per assigned client per week, and clients gone quiet."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.metrics import drilldown
from dashboards.panels import peers as panel
from dashboards.scope import scope_for
from tests.factories import ClientFactory, PeerAssignmentFactory, PeerContactFactory

TZ = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime(2025, 3, 12, 15, 0, tzinfo=TZ)
START, END = dt.date(2025, 2, 24), dt.date(2025, 3, 9)  # Monday to Sunday: two weeks


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def figure(p, key):
    return next(f for f in p.figures if f.key == key)


@pytest.fixture
def frozen(settings):
    settings.CARETEAM_PEER_CONTACT_THRESHOLD_DAYS = 7
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(frozen, team, other_team, peer):
    def assigned(name, started, ended=None, primary_team=team):
        client = ClientFactory(
            primary_team=primary_team, legal_first_name=name, preferred_name="", legal_last_name="X"
        )
        return PeerAssignmentFactory(client=client, peer=peer, started_on=started, ended_on=ended)

    def contact(assignment, when):
        return PeerContactFactory(assignment=assignment, occurred_at=when)

    a = assigned("A", dt.date(2025, 2, 1))
    b = assigned("B", dt.date(2025, 2, 1), ended=dt.date(2025, 2, 28))  # ended inside the range
    c = assigned("C", dt.date(2025, 3, 10))  # starts after the range; no contact ever
    d = assigned("D", dt.date(2025, 1, 1))
    e = assigned("E", dt.date(2025, 1, 1), ended=dt.date(2025, 2, 10))  # ended before the range
    theirs = assigned("T", dt.date(2025, 1, 1), primary_team=other_team)
    contact(a, at(2025, 2, 23, 23, 30))  # the Sunday evening before the range
    contact(a, at(2025, 2, 24, 10))  # week 1
    contact(a, at(2025, 3, 1, 18))  # week 1 (Saturday)
    contact(a, at(2025, 3, 5, 0, 0))  # week 2; exactly 7 days before today: not past the threshold
    contact(b, at(2025, 2, 25, 12))  # week 1
    contact(d, at(2025, 3, 4, 23, 59))  # week 2; 8 days ago: past the threshold
    contact(e, at(2025, 2, 5, 12))
    contact(theirs, at(2025, 3, 3, 12))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "theirs": theirs}


def test_each_figure_matches_the_hand_worked_answer(world, supervisor):
    p = panel.compute(scope_for(supervisor, start=START, end=END))
    rate = figure(p, "peers.contacts_per_client_week")
    # 5 contacts in the range, 3 clients assigned in it (a, b, d), 2 weeks: 5 / 3 / 2.
    assert (rate.numerator, rate.denominator, rate.value) == (5, 3, 0.83)
    # Week of Feb 24: 3 contacts / 3 clients; week of Mar 3: 2 / 3.
    assert p.series[0].points == [("2025-02-24", 1.0), ("2025-03-03", 0.67)]
    # Right now: c (never contacted) and d (8 days); a's contact is exactly 7 days old; b has ended.
    assert figure(p, "peers.without_contact").value == 2


def test_drill_downs_list_the_clients_and_contacts(world, supervisor, peer):
    scope = scope_for(supervisor, start=START, end=END)
    contacts = list(drilldown("peers.contacts").rows(scope))
    assert [r["name"] for r in contacts] == ["A X", "B X", "A X", "D X", "A X"]
    assert contacts[0]["mode_label"] == "In person"
    quiet = drilldown("peers.without_contact").rows(scope)
    assert [(r["client_id"], r["days_since"]) for r in quiet] == [
        (world["c"].client_id, None),
        (world["d"].client_id, 8),
    ]
    assert quiet[1]["peer_name"] == f"{peer.first_name} {peer.last_name}"
    assert quiet[1]["assigned_on"] == dt.date(2025, 1, 1)


def test_another_teams_supervisor_sees_none_of_it(world, other_supervisor):
    scope = scope_for(other_supervisor, start=START, end=END)
    p = panel.compute(scope)
    assert figure(p, "peers.contacts_per_client_week").numerator == 1
    assert figure(p, "peers.without_contact").value == 1
    for key in ("peers.contacts", "peers.without_contact"):
        assert {r["client_id"] for r in drilldown(key).rows(scope)} == {world["theirs"].client_id}


def test_no_assigned_clients_gives_no_rate(frozen, supervisor):
    p = panel.compute(scope_for(supervisor))
    assert figure(p, "peers.contacts_per_client_week").value is None


def _queries(scope) -> int:
    with CaptureQueriesContext(connection) as ctx:
        panel.compute(scope)
        for key in ("peers.contacts", "peers.without_contact"):
            list(drilldown(key).rows(scope))
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_contacts(frozen, team, supervisor, peer):
    def add(n):
        for i in range(n):
            a = PeerAssignmentFactory(client=ClientFactory(primary_team=team), peer=peer, started_on=START)
            if i % 3:
                PeerContactFactory(assignment=a, occurred_at=at(2025, 3, 1 + i % 8, 12))

    scope = scope_for(supervisor, start=START, end=END)
    add(2)
    small = _queries(scope)
    add(18)
    assert _queries(scope) == small


def test_a_client_with_two_peers_counts_once(world, supervisor, team):
    """GIVEN client d also has a second, active peer who has not met them either; and a client with two
    active peers, one of whom met them yesterday."""
    from tests.factories import UserFactory

    second = UserFactory(username="peer2", role="peer_specialist")
    team.members.add(second)
    PeerAssignmentFactory(client=world["d"].client, peer=second, started_on=dt.date(2025, 2, 1))
    both = PeerAssignmentFactory(
        client=ClientFactory(primary_team=team), peer=second, started_on=dt.date(2025, 2, 1)
    )
    third = UserFactory(username="peer3", role="peer_specialist")
    PeerAssignmentFactory(client=both.client, peer=third, started_on=dt.date(2025, 2, 1))
    PeerContactFactory(assignment=both, occurred_at=at(2025, 3, 11, 12))

    scope = scope_for(supervisor, start=START, end=END)
    p = panel.compute(scope)

    # a, b, d and the new client were assigned in the range: d and the new client once each.
    assert figure(p, "peers.contacts_per_client_week").denominator == 4
    # Still c and d (d once); the new client was met yesterday by one of their two peers.
    assert figure(p, "peers.without_contact").value == 2
    quiet = drilldown("peers.without_contact").rows(scope)
    assert [r["client_id"] for r in quiet] == [world["c"].client_id, world["d"].client_id]
