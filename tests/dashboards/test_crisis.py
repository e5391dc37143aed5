"""Panel 5 (crisis follow-up): episodes, checkpoint rates (HEDIS-style denominators) and caring contacts."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import AppointmentKind, AppointmentStatus
from crisis.services import episode_record_disposition
from dashboards.metrics import drilldown
from dashboards.panels import crisis as panel
from dashboards.scope import scope_for
from outreach.models import MessageStatus, SkipReason, SourceKind
from tests.factories import AppointmentFactory, ClientContactFactory, ClientFactory
from tests.factories.crisis import CrisisEpisodeFactory
from tests.factories.outreach import ScheduledMessageFactory

TZ = zoneinfo.ZoneInfo("America/New_York")
NOW = dt.datetime(2025, 3, 12, 15, 0, tzinfo=TZ)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def figure(p, key):
    return next(f for f in p.figures if f.key == key)


def episode(client, opened_at, disposition="", disposition_at=None):
    e = CrisisEpisodeFactory(client=client, opened_at=opened_at)
    if disposition:  # the service starts the checkpoints, as on the episode page
        e = episode_record_disposition(
            episode=e, disposition=disposition, acting_user=e.opened_by, at=disposition_at
        )
    return e


def caring(client, due_at, status, reason=""):
    return ScheduledMessageFactory(
        client=client,
        due_at=due_at,
        status=status,
        status_reason=reason,
        source_kind=SourceKind.CARING_CONTACT,
    )


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(frozen, team, other_team, counselor):
    a = ClientFactory(primary_team=team, legal_first_name="Ann", legal_last_name="Able", preferred_name="")
    b = ClientFactory(primary_team=team)
    c = ClientFactory(primary_team=team)
    theirs = ClientFactory(primary_team=other_team)
    e = {
        # Community disposition Mar 1 10:00; reached exactly at the 24-hour deadline; no visit in 7 days.
        "e1": episode(a, at(2025, 3, 1, 9), "community", at(2025, 3, 1, 10)),
        # ED disposition Mar 5 12:00; an unreached call (does not count), then a visit on Mar 7 12:00.
        "e2": episode(b, at(2025, 3, 5, 8), "ed", at(2025, 3, 5, 12)),
        # Inpatient discharge this morning: every window still open and unmet — not counted yet.
        "e3": episode(c, at(2025, 3, 11, 20), "inpatient", at(2025, 3, 12, 9)),
        # No disposition yet: an episode, but no follow-up clock.
        "e5": episode(c, at(2025, 3, 10, 8)),
        # Before the range.
        "e4": episode(a, at(2025, 2, 1, 9), "community", at(2025, 2, 1, 10)),
        # Another team.
        "theirs": episode(theirs, at(2025, 3, 2, 9), "ed", at(2025, 3, 2, 10)),
    }
    ClientContactFactory(client=a, staff=counselor, contacted_at=at(2025, 3, 2, 10))
    ClientContactFactory(client=b, staff=counselor, contacted_at=at(2025, 3, 5, 14), reached=False)
    AppointmentFactory(
        client=b,
        staff=counselor,
        starts_at=at(2025, 3, 7, 12),
        status=AppointmentStatus.ATTENDED,
        kind=AppointmentKind.INDIVIDUAL,
    )
    # Caring contacts for a: 2 sent, 1 failed, 3 skipped in the range; others outside it or not caring.
    caring(a, at(2025, 3, 3, 10), MessageStatus.SENT)
    caring(a, at(2025, 3, 4, 10), MessageStatus.DELIVERED)
    caring(a, at(2025, 3, 5, 10), MessageStatus.FAILED)
    caring(a, at(2025, 3, 6, 10), MessageStatus.SKIPPED, SkipReason.OPTED_OUT_CHANNEL)
    caring(b, at(2025, 3, 6, 11), MessageStatus.SKIPPED, SkipReason.OPTED_OUT_CHANNEL)
    caring(a, at(2025, 3, 7, 10), MessageStatus.SKIPPED, SkipReason.NO_ADDRESS)
    caring(a, at(2025, 2, 5, 10), MessageStatus.SENT)
    caring(a, at(2025, 3, 20, 10), MessageStatus.PENDING)
    caring(theirs, at(2025, 3, 6, 10), MessageStatus.SENT)
    ScheduledMessageFactory(client=a, due_at=at(2025, 3, 6, 9), status=MessageStatus.SENT)
    return e


def test_each_figure_matches_the_hand_worked_answer(world, supervisor):
    p = panel.compute(scope_for(supervisor))
    # e1, e2, e3, e5 opened in the range.
    assert figure(p, "crisis.episodes").value == 4

    def frac(kind):
        f = figure(p, f"crisis.{kind}")
        return (f.numerator, f.denominator, f.value)

    # 24 h: e1 met on its deadline, e2 missed (the unreached call does not count); e3 still open.
    assert frac("contact-24h") == (1, 2, 50.0)
    # 72 h: e1 (the call), e2 (the visit on day 2).
    assert frac("contact-72h") == (2, 2, 100.0)
    # 7-day visit: e1 missed, e2 met.
    assert frac("outpatient-7d") == (1, 2, 50.0)
    # After ED / inpatient: e2 met both; e3's windows are open and unmet, so left out.
    assert frac("fuh-7d") == (1, 1, 100.0)
    assert frac("fuh-30d") == (1, 1, 100.0)

    assert figure(p, "crisis.caring_sent").value == 2
    assert figure(p, "crisis.caring_failed").value == 1
    assert figure(p, "crisis.caring_skipped").value == 3
    reasons = {(r["status"], r["reason"]): r["n"] for r in p.tables[0].rows}
    assert reasons == {
        ("Failed", "Delivery failed (provider error)"): 1,
        ("Skipped", "Client opted out of this channel"): 2,
        ("Skipped", "No phone number or email for this channel"): 1,
    }


def test_a_contact_one_second_after_the_deadline_misses_it(frozen, team, supervisor, counselor):
    client = ClientFactory(primary_team=team)
    episode(client, at(2025, 3, 1, 9), "community", at(2025, 3, 1, 10))
    ClientContactFactory(client=client, staff=counselor, contacted_at=at(2025, 3, 2, 10, 0, 1))
    p = panel.compute(scope_for(supervisor))
    assert figure(p, "crisis.contact-24h").numerator == 0
    assert figure(p, "crisis.contact-72h").numerator == 1


def test_checkpoint_drill_downs_show_met_and_missed_with_when(world, supervisor):
    scope = scope_for(supervisor)
    rows = drilldown("crisis.checkpoint.contact-24h").rows(scope)
    assert [(r["episode_id"], r["result"]) for r in rows] == [
        (world["e2"].pk, "Missed"),
        (world["e1"].pk, "Met"),
    ]
    assert rows[1]["met_at"] == at(2025, 3, 2, 10)
    assert rows[1]["name"] == "Ann Able"
    assert rows[1]["client_id"] == world["e1"].client_id
    fuh = drilldown("crisis.checkpoint.fuh-7d").rows(scope)
    assert [(r["episode_id"], r["met_at"]) for r in fuh] == [(world["e2"].pk, at(2025, 3, 7, 12))]
    assert fuh[0]["disposition_label"] == "Emergency department"
    episodes = list(drilldown("crisis.episodes").rows(scope))
    assert [r["episode_id"] for r in episodes] == [world[k].pk for k in ("e1", "e2", "e5", "e3")]
    messages = list(drilldown("crisis.caring_contacts").rows(scope))
    assert len(messages) == 6
    assert {r["reason"] for r in messages if r["status_label"] == "Skipped"} == {
        "Client opted out of this channel",
        "No phone number or email for this channel",
    }


def test_another_teams_supervisor_sees_none_of_it(world, other_supervisor):
    scope = scope_for(other_supervisor)
    p = panel.compute(scope)
    assert figure(p, "crisis.episodes").value == 1
    assert figure(p, "crisis.caring_sent").value == 1
    for spec in ("crisis.episodes", "crisis.checkpoint.contact-24h", "crisis.caring_contacts"):
        assert {r["client_id"] for r in drilldown(spec).rows(scope)} == {world["theirs"].client_id}


def _queries(scope) -> int:
    with CaptureQueriesContext(connection) as ctx:
        panel.compute(scope)
        for key in ("crisis.episodes", "crisis.checkpoint.contact-24h", "crisis.caring_contacts"):
            list(drilldown(key).rows(scope))
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_episodes(frozen, team, supervisor, counselor):
    def add(n):
        for i in range(n):
            client = ClientFactory(primary_team=team)
            start = NOW - dt.timedelta(days=i % 20 + 2)
            episode(client, start - dt.timedelta(hours=1), "ed", start)
            if i % 2:
                ClientContactFactory(
                    client=client, staff=counselor, contacted_at=start + dt.timedelta(hours=3)
                )
            caring(
                client, start, MessageStatus.SKIPPED if i % 3 else MessageStatus.SENT, SkipReason.NO_ADDRESS
            )

    scope = scope_for(supervisor)
    add(2)
    small = _queries(scope)
    add(18)
    assert _queries(scope) == small
