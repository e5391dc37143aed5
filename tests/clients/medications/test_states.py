"""The medication and allergy status tables: every pair of statuses, legal or not."""

import pytest

from careteam.errors import DomainError
from clients.allergies.states import ALLERGY_STATES
from clients.medications.states import MEDICATION_STATES
from clients.models import AllergyStatus, MedicationStatus

M, A = MedicationStatus, AllergyStatus

MEDICATION_MOVES = {
    (M.ACTIVE, M.STOPPED),
    (M.ACTIVE, M.ENTERED_IN_ERROR),
    (M.STOPPED, M.ENTERED_IN_ERROR),
}
ALLERGY_MOVES = {
    (A.ACTIVE, A.INACTIVE),
    (A.ACTIVE, A.ENTERED_IN_ERROR),
    (A.INACTIVE, A.ACTIVE),
    (A.INACTIVE, A.ENTERED_IN_ERROR),
}


@pytest.mark.parametrize("current,to", MEDICATION_STATES.all_pairs())
def test_each_medication_move_is_allowed_only_if_the_table_says_so(current, to):
    if (current, to) in MEDICATION_MOVES:
        MEDICATION_STATES.check(current, to)
    else:
        with pytest.raises(DomainError):
            MEDICATION_STATES.check(current, to)


@pytest.mark.parametrize("current,to", ALLERGY_STATES.all_pairs())
def test_each_allergy_move_is_allowed_only_if_the_table_says_so(current, to):
    if (current, to) in ALLERGY_MOVES:
        ALLERGY_STATES.check(current, to)
    else:
        with pytest.raises(DomainError):
            ALLERGY_STATES.check(current, to)


def test_a_stopped_medication_is_not_restarted_a_restart_is_a_new_row():
    assert not MEDICATION_STATES.can_move(M.STOPPED, M.ACTIVE)
    assert MEDICATION_STATES.terminal == frozenset({M.ENTERED_IN_ERROR})
    assert ALLERGY_STATES.terminal == frozenset({A.ENTERED_IN_ERROR})
