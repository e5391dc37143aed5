"""Referral reads that carry a rule: the "appointment passed" condition behind the worklist badge."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals import selectors
from referrals.models import ReferralStatus
from referrals.states import TERMINAL
from tests.conftest import login
from tests.factories.referrals import sent_referral

S = ReferralStatus
OUTCOME_STATUS = {
    S.COMPLETED: "connected",
    S.CANCELLED: "client_declined",
    S.FAILED: "no_contact",
    S.REJECTED: "not_eligible",
}


def _referral(status, *, appointment_in, alice, need, pantry, cm):
    return sent_referral(
        client=alice,
        need=need,
        service=pantry,
        referred_by=cm,
        status=status,
        outcome=OUTCOME_STATUS.get(status, ""),
        appointment_at=timezone.now() + appointment_in,
    )


def _worklist_rows(cm, bucket):
    return {r.pk: r.appointment_passed for r in selectors.worklist_for_user(cm, bucket=bucket)}


@pytest.mark.parametrize(
    ("status", "passed"),
    [
        (S.ACCEPTED, True),
        (S.IN_PROGRESS, True),
        (S.ON_HOLD, True),
        # Not taken on by the partner yet: nothing there to have passed.
        (S.REQUESTED, False),
        # Closed: the loop has its answer, a passed date is not news.
        (S.CANCELLED, False),
        (S.FAILED, False),
        (S.REJECTED, False),
        (S.COMPLETED, False),
        (S.ENTERED_IN_ERROR, False),
    ],
)
def test_a_past_appointment_is_passed_only_while_the_partner_holds_the_referral(
    alice, need, pantry, cm, status, passed
):
    past = _referral(
        status, appointment_in=-dt.timedelta(hours=1), alice=alice, need=need, pantry=pantry, cm=cm
    )
    future = _referral(
        status, appointment_in=dt.timedelta(hours=1), alice=alice, need=need, pantry=pantry, cm=cm
    )
    bucket = "closed" if status in TERMINAL else "open"

    rows = _worklist_rows(cm, bucket)

    assert rows[past.pk] is passed
    assert rows[future.pk] is False


def test_the_badge_and_the_needs_outcome_bucket_are_the_same_rule(alice, need, pantry, cm):
    """Every referral the worklist marks "passed" is in "Needs outcome", and nothing else is."""
    for status in (S.ACCEPTED, S.ON_HOLD, S.REQUESTED, S.CANCELLED, S.FAILED):
        for delta in (-dt.timedelta(days=1), dt.timedelta(days=1)):
            _referral(status, appointment_in=delta, alice=alice, need=need, pantry=pantry, cm=cm)
    everything = {**_worklist_rows(cm, "open"), **_worklist_rows(cm, "closed")}

    needs_outcome = set(_worklist_rows(cm, "outcome"))

    assert needs_outcome == {pk for pk, passed in everything.items() if passed}
    assert len(needs_outcome) == 2


def test_the_worklist_page_shows_passed_for_an_open_referral_and_not_for_a_cancelled_one(
    alice, need, pantry, cm
):
    open_one = _referral(
        S.ACCEPTED, appointment_in=-dt.timedelta(days=1), alice=alice, need=need, pantry=pantry, cm=cm
    )
    http = login(cm)

    page = http.get(reverse("referrals:worklist") + "?bucket=open").content.decode()
    assert f'href="/referrals/{open_one.pk}/' in page
    assert ">passed</span>" in page

    open_one.status, open_one.outcome = S.CANCELLED, "client_declined"
    open_one.save(update_fields=["status", "outcome"])
    closed = http.get(reverse("referrals:worklist") + "?bucket=closed").content.decode()
    assert f'href="/referrals/{open_one.pk}/' in closed
    assert ">passed</span>" not in closed


def test_attendance_is_offered_only_once_the_partner_has_taken_the_referral_on(alice, need, pantry, cm):
    referral = _referral(
        S.REQUESTED, appointment_in=dt.timedelta(days=1), alice=alice, need=need, pantry=pantry, cm=cm
    )
    http = login(cm)
    url = reverse("referrals:detail", args=[referral.pk])
    assert 'value="attendance"' not in http.get(url).content.decode()
    assert not selectors.attendance_reportable(referral)

    referral.status = S.ACCEPTED
    referral.save(update_fields=["status"])

    assert 'value="attendance"' in http.get(url).content.decode()
    assert selectors.attendance_reportable(referral)
