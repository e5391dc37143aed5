"""Deadlines: tasks raised once, not twice; business days skip weekends and holidays."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from careteam.models import Task, TaskKind
from referrals import deadlines, selectors, services, states
from referrals.models import Referral, ReferralStatus
from referrals.tasks import check_deadlines
from tests.factories import ClientFactory
from tests.factories.directory import ServiceFactory
from tests.factories.referrals import ReferralFactory, sent_referral

NY = zoneinfo.ZoneInfo("America/New_York")


def test_two_business_days_skip_the_weekend_and_the_holiday():
    # Thursday July 3, 2025 10:00 → Friday July 4 is Independence Day, then the weekend → Tuesday July 8.
    start = dt.datetime(2025, 7, 3, 10, 0, tzinfo=NY)
    assert deadlines.add_business_days(start, 2) == dt.datetime(2025, 7, 8, 10, 0, tzinfo=NY)


def test_an_unanswered_routine_referral_raises_one_task_and_a_flag(alice, cm, pantry, need):
    with time_machine.travel(dt.datetime(2025, 3, 3, 9, 0, tzinfo=NY)):  # a Monday
        referral = sent_referral(
            client=alice, need=need, service=pantry, referred_by=cm, requested_at=timezone.now()
        )
    with time_machine.travel(dt.datetime(2025, 3, 5, 8, 0, tzinfo=NY)):  # not yet two business days
        assert check_deadlines()["no_response"] == 0
    with time_machine.travel(dt.datetime(2025, 3, 5, 9, 30, tzinfo=NY)):
        assert check_deadlines()["no_response"] == 1
        assert check_deadlines()["no_response"] == 0  # running twice raises nothing new
    task = Task.objects.get(kind=TaskKind.REFERRAL_NO_RESPONSE)
    assert task.assignee == cm and task.client == alice
    referral.refresh_from_db()
    assert referral.flagged_at is not None
    assert referral.events.filter(kind="flagged").count() == 1


def test_an_urgent_referral_is_due_in_four_hours(alice, cm, pantry, need):
    referral = sent_referral(
        client=alice,
        need=need,
        service=pantry,
        referred_by=cm,
        urgency="urgent",
        requested_at=timezone.now() - dt.timedelta(hours=4, minutes=1),
    )
    report = deadlines.check_deadlines()
    assert report.no_response == 1
    assert Task.objects.get(kind=TaskKind.REFERRAL_NO_RESPONSE).priority == "urgent"
    # The partner answers: the no-response task closes and the flag clears.
    services.referral_transition(
        referral=referral, to=ReferralStatus.ACCEPTED, acting_user=None, partner=True
    )
    referral.refresh_from_db()
    assert referral.flagged_at is None
    assert Task.objects.get(kind=TaskKind.REFERRAL_NO_RESPONSE).status == "done"


def test_a_passed_appointment_without_outcome_raises_a_follow_up_once(alice, cm, pantry, need):
    now = timezone.now()
    ReferralFactory(
        client=alice,
        need=need,
        service=pantry,
        referred_by=cm,
        status=ReferralStatus.ACCEPTED,
        requested_at=now - dt.timedelta(days=5),
        first_response_at=now - dt.timedelta(days=5),
        appointment_at=now - dt.timedelta(days=2, hours=1),
        last_activity_at=now,
    )
    assert deadlines.check_deadlines().outcome_due == 1
    assert deadlines.check_deadlines().outcome_due == 0
    assert Task.objects.filter(kind=TaskKind.REFERRAL_OUTCOME_DUE).count() == 1


@pytest.mark.parametrize("status", sorted(states.OPEN))
def test_outcome_due_is_the_worklists_needs_outcome_condition_later_by_the_grace(
    alice, cm, pantry, need, status, settings
):
    """GIVEN an open referral whose appointment passed longer ago than the grace, with no outcome
    WHEN the deadlines run THEN an outcome-due task is raised exactly when the worklist counts it as
    "Needs outcome" (``selectors.appointment_passed_q``): a requested referral the partner never took
    on has no appointment to have passed — the no-response deadline handles it, not this one."""
    now = timezone.now()
    grace = dt.timedelta(days=settings.CARETEAM_REFERRAL_OUTCOME_GRACE_DAYS)
    referral = ReferralFactory(
        client=alice,
        need=need,
        service=pantry,
        referred_by=cm,
        status=status,
        requested_at=now - dt.timedelta(hours=1),
        first_response_at=now - dt.timedelta(hours=1),
        appointment_at=now - grace - dt.timedelta(hours=1),
        last_activity_at=now,
    )
    needs_outcome = Referral.objects.filter(selectors.appointment_passed_q(now), pk=referral.pk).exists()

    assert deadlines.check_outcome_due(now) == (1 if needs_outcome else 0)
    assert needs_outcome is (status in states.TAKEN_ON)
    assert (
        status != ReferralStatus.REQUESTED
        or not Task.objects.filter(kind=TaskKind.REFERRAL_OUTCOME_DUE).exists()
    )


def test_an_open_referral_quiet_for_fourteen_days_is_flagged_once(alice, cm, pantry, need):
    now = timezone.now()
    referral = ReferralFactory(
        client=alice,
        need=need,
        service=pantry,
        referred_by=cm,
        status=ReferralStatus.IN_PROGRESS,
        requested_at=now - dt.timedelta(days=30),
        first_response_at=now - dt.timedelta(days=29),
        last_activity_at=now - dt.timedelta(days=15),
    )
    assert deadlines.check_deadlines().stale == 1
    assert deadlines.check_deadlines().stale == 0
    referral.refresh_from_db()
    assert referral.flag_reason == "No activity for 14 days."
    assert Task.objects.filter(kind=TaskKind.REFERRAL_STALE).count() == 1


def test_closed_and_draft_referrals_raise_nothing(alice, cm, pantry, need):
    old = timezone.now() - dt.timedelta(days=60)
    ReferralFactory(client=alice, need=need, service=pantry, referred_by=cm, last_activity_at=old)
    ReferralFactory(
        client=alice,
        need=need,
        service=pantry,
        referred_by=cm,
        status=ReferralStatus.COMPLETED,
        outcome="connected",
        requested_at=old,
        appointment_at=old,
        last_activity_at=old,
    )
    report = deadlines.check_deadlines()
    assert (report.no_response, report.outcome_due, report.stale) == (0, 0, 0)
    assert not Task.objects.exists()


def _at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=zoneinfo.ZoneInfo("America/New_York"))


@pytest.mark.parametrize(
    "now", [_at(2025, 3, 12, 15, 0), _at(2025, 7, 7, 9, 30), _at(2025, 12, 29, 8, 0), _at(2025, 3, 10, 0, 30)]
)
def test_the_overdue_filter_agrees_with_the_deadline_rule_hour_by_hour(db, now, team, case_manager):
    """GIVEN a routine referral sent every 5 hours over the three weeks before ``now`` (weekends and
    public holidays included: July 4th, Christmas) WHEN the database is asked which are overdue (the
    no-response check and the dashboard) THEN it picks exactly those whose ``response_due`` has passed."""
    client = ClientFactory(primary_team=team)
    service = ServiceFactory()
    sent = [
        sent_referral(
            client=client, service=service, referred_by=case_manager, requested_at=now - dt.timedelta(hours=h)
        )
        for h in range(0, 21 * 24, 5)
    ]
    expected = {r.pk for r in sent if deadlines.response_due(r) <= now}
    assert expected and len(expected) < len(sent)
    assert (
        set(Referral.objects.filter(deadlines.response_overdue_q(now)).values_list("pk", flat=True))
        == expected
    )


def test_a_sweep_over_referrals_flagged_before_costs_the_same_few_queries(alice, cm, pantry, need):
    """Overdue referrals stay candidates on every run; the keys already raised are looked up per batch,
    so the repeat sweep does not grow with them (it used to lock and re-check each one)."""

    def overdue(n):
        for _ in range(n):
            sent_referral(
                client=alice,
                need=need,
                service=pantry,
                referred_by=cm,
                requested_at=timezone.now() - dt.timedelta(days=10),
            )

    def repeat_sweep_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert deadlines.check_deadlines().no_response == 0
        return len(ctx.captured_queries)

    overdue(2)
    assert deadlines.check_deadlines().no_response == 2
    with_two = repeat_sweep_queries()
    overdue(8)
    assert deadlines.check_deadlines().no_response == 8
    assert repeat_sweep_queries() == with_two
