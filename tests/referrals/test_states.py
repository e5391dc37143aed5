"""The status table: every legal move succeeds, every illegal one is refused with a clear message.

The pairs are walked through the shared machine (``states.REFERRAL_STATES``), the same one the
services check against; ``TRANSITIONS`` adds who may make each move.
"""

import pytest

from careteam.errors import DomainError
from referrals import services, states
from referrals.models import ReferralEvent, ReferralOutcome, ReferralStatus
from tests.factories.referrals import ReferralFactory

S = ReferralStatus
MACHINE = states.REFERRAL_STATES
LEGAL = [pair for pair in MACHINE.all_pairs() if MACHINE.can_move(*pair)]
ILLEGAL = [pair for pair in MACHINE.all_pairs() if not MACHINE.can_move(*pair)]


def test_the_table_matches_the_fhir_referral_task():
    assert set(states.TRANSITIONS[S.DRAFT]) == {S.REQUESTED, S.ENTERED_IN_ERROR}
    assert set(states.TRANSITIONS[S.REQUESTED]) == {S.ACCEPTED, S.REJECTED, S.CANCELLED, S.ENTERED_IN_ERROR}
    assert set(states.TRANSITIONS[S.ACCEPTED]) == {
        S.IN_PROGRESS,
        S.ON_HOLD,
        S.CANCELLED,
        S.COMPLETED,
        S.FAILED,
    }
    assert set(states.TRANSITIONS[S.IN_PROGRESS]) == {S.ON_HOLD, S.CANCELLED, S.COMPLETED, S.FAILED}
    assert set(states.TRANSITIONS[S.ON_HOLD]) == {S.IN_PROGRESS, S.CANCELLED, S.COMPLETED, S.FAILED}
    for terminal in states.TERMINAL:
        assert terminal not in states.TRANSITIONS
    assert states.who_may(S.DRAFT, S.REQUESTED) == {states.REQUESTER}
    assert states.who_may(S.REQUESTED, S.ACCEPTED) == {states.RECEIVER}
    assert states.who_may(S.ACCEPTED, S.CANCELLED) == {states.REQUESTER, states.RECEIVER}


def test_the_shared_machine_and_the_who_may_table_say_the_same():
    assert set(LEGAL) == {(a, b) for a, moves in states.TRANSITIONS.items() for b in moves}
    assert all(states.who_may(a, b) for a, b in LEGAL)
    assert not any(states.who_may(a, b) for a, b in ILLEGAL)
    assert MACHINE.terminal == states.TERMINAL
    assert states.all_pairs() == list(MACHINE.all_pairs())


def _outcome_for(to):
    return states.OUTCOMES_FOR[to][0] if to in states.CLOSING else ""


@pytest.mark.parametrize(("start", "to"), LEGAL)
def test_every_legal_move_is_made_and_recorded(start, to, alice, cm, pantry, need):
    referral = ReferralFactory(client=alice, need=need, service=pantry, referred_by=cm, status=start)
    referral = services.referral_transition(
        referral=referral, to=to, acting_user=cm, outcome=_outcome_for(to), note="checked"
    )
    referral.refresh_from_db()
    assert referral.status == to
    event = ReferralEvent.objects.filter(referral=referral, kind="status").last()
    assert (event.from_status, event.to_status, event.actor_kind) == (start, to, "staff")
    if to in states.TERMINAL:
        assert referral.closed_at is not None
    if to in states.CLOSING:
        assert referral.outcome == _outcome_for(to)


@pytest.mark.parametrize(("start", "to"), ILLEGAL)
def test_every_illegal_move_is_refused_and_nothing_changes(start, to, alice, cm, pantry, need):
    referral = ReferralFactory(client=alice, need=need, service=pantry, referred_by=cm, status=start)
    with pytest.raises(DomainError) as exc:
        services.referral_transition(referral=referral, to=to, acting_user=cm, outcome=_outcome_for(to))
    assert exc.value.message == MACHINE.refusal(start, to)
    assert exc.value.field == "to"
    referral.refresh_from_db()
    assert referral.status == start
    assert not ReferralEvent.objects.filter(referral=referral).exists()


def test_the_partner_cannot_make_the_requesters_moves(alice, cm, pantry, need):
    referral = ReferralFactory(client=alice, need=need, service=pantry, referred_by=cm, status=S.REQUESTED)
    with pytest.raises(DomainError, match="Only the referring program"):
        services.referral_transition(referral=referral, to=S.ENTERED_IN_ERROR, acting_user=None, partner=True)


def test_staff_making_a_receivers_move_act_on_the_partners_behalf(alice, cm, pantry, need):
    referral = ReferralFactory(client=alice, need=need, service=pantry, referred_by=cm, status=S.REQUESTED)
    services.referral_transition(referral=referral, to=S.ACCEPTED, acting_user=cm, note="by phone")
    event = referral.events.get()
    assert event.actor_kind == "staff"
    assert event.note == f"On behalf of {pantry.organization.name}: by phone"


@pytest.mark.parametrize(
    ("to", "outcome", "note", "field"),
    [
        (S.FAILED, "", "", "outcome"),
        (S.FAILED, ReferralOutcome.CONNECTED, "", "outcome"),
        (S.FAILED, ReferralOutcome.OTHER, "", "outcome_note"),
        (S.CANCELLED, "", "", "outcome"),
    ],
)
def test_closing_needs_a_fitting_outcome(to, outcome, note, field, alice, cm, pantry, need):
    referral = ReferralFactory(client=alice, need=need, service=pantry, referred_by=cm, status=S.ACCEPTED)
    with pytest.raises(DomainError) as exc:
        services.referral_transition(
            referral=referral, to=to, acting_user=cm, outcome=outcome, outcome_note=note
        )
    assert exc.value.field == field
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED
