"""The treatment-plan status table: every pair walked through the machine the services move plans with,
and activation (the one service that moves a plan) accepting exactly the table's moves."""

import pytest
from django.utils import timezone

from careteam.errors import DomainError
from careteam.statemachine import StaleStateError
from plans import services
from plans.models import PlanStatus, TreatmentPlan
from plans.states import PLAN_STATES
from tests.factories import GoalFactory, ProblemFactory, TreatmentPlanFactory, active_plan

P = PlanStatus
LEGAL = [pair for pair in PLAN_STATES.all_pairs() if PLAN_STATES.can_move(*pair)]
ILLEGAL = [pair for pair in PLAN_STATES.all_pairs() if not PLAN_STATES.can_move(*pair)]


def plan_in(status, client, user) -> TreatmentPlan:
    """A plan with a goal, stored in ``status`` (signed unless it is a draft, as the database demands)."""
    signed = {} if status == P.DRAFT else {"signed_by": user, "signed_at": timezone.now()}
    plan = TreatmentPlanFactory(client=client, created_by=user, status=status, **signed)
    GoalFactory(problem=ProblemFactory(plan=plan))
    return plan


def signing(to, user) -> dict:
    """What the database asks of a move into active: who signed it, and when."""
    return {"signed_by": user, "signed_at": timezone.now()} if to == P.ACTIVE else {}


def activate(plan, user):
    return services.plan_activate(
        plan=plan, acting_user=user, client_agreement="signed", client_agreement_on=timezone.localdate()
    )


def test_a_plan_is_drafted_then_active_then_superseded_for_good():
    assert {a: set(PLAN_STATES.targets(a)) for a in P.values} == {
        P.DRAFT: {P.ACTIVE},
        P.ACTIVE: {P.SUPERSEDED},
        P.SUPERSEDED: set(),
    }
    assert PLAN_STATES.terminal == {P.SUPERSEDED}


@pytest.mark.parametrize(("start", "to"), LEGAL)
def test_every_legal_move_is_written(start, to, alice, counselor):
    plan = plan_in(start, alice, counselor)

    assert PLAN_STATES.move(plan, to, also=signing(to, counselor))

    plan.refresh_from_db()
    assert plan.status == to


@pytest.mark.parametrize(("start", "to"), ILLEGAL)
def test_every_illegal_move_is_refused_and_nothing_changes(start, to, alice, counselor):
    plan = plan_in(start, alice, counselor)

    with pytest.raises(DomainError) as exc:
        PLAN_STATES.move(plan, to, also=signing(to, counselor))

    assert exc.value.message == PLAN_STATES.refusal(start, to)
    plan.refresh_from_db()
    assert plan.status == start


@pytest.mark.parametrize("start", P.values)
def test_activation_accepts_exactly_the_moves_into_active_the_table_allows(start, alice, counselor):
    plan = plan_in(start, alice, counselor)

    if PLAN_STATES.can_move(start, P.ACTIVE):
        activate(plan, counselor)
        plan.refresh_from_db()
        assert plan.status == P.ACTIVE and plan.signed_by == counselor
    else:
        with pytest.raises(DomainError):
            activate(plan, counselor)
        plan.refresh_from_db()
        assert plan.status == start


def test_activating_the_next_version_supersedes_the_active_one(alice, counselor):
    v1 = active_plan(alice, counselor)
    v2 = services.plan_create_draft(client=alice, acting_user=counselor)

    activate(v2, counselor)

    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (P.SUPERSEDED, P.ACTIVE)
    assert v1.superseded_at == v2.signed_at


def test_a_move_made_from_a_stale_read_is_refused(alice, counselor):
    """GIVEN two people who read the same draft
    WHEN the first activates it and the second's copy still says draft
    THEN the second move writes nothing and says someone else changed it."""
    plan = plan_in(P.DRAFT, alice, counselor)
    stale = TreatmentPlan.objects.get(pk=plan.pk)
    PLAN_STATES.move(plan, P.ACTIVE, also=signing(P.ACTIVE, counselor))

    with pytest.raises(StaleStateError):
        PLAN_STATES.move(stale, P.ACTIVE, also=signing(P.ACTIVE, counselor))
