"""The generic status table (careteam.statemachine): reading it, refusing moves, compare-and-set moves.

The rows are real staff tasks (``careteam.Task``, table ``careteam.states.TASK_STATES``); the wording
of refusals is checked on a small made-up table too, where some moves out of a live status are illegal.
"""

import pytest
from django.db import models

from careteam.errors import DomainError
from careteam.models import Task, TaskKind, TaskStatus
from careteam.statemachine import StaleStateError, StateMachine
from careteam.states import TASK_STATES


class Visit(models.TextChoices):
    BOOKED = "booked", "Booked"
    ARRIVED = "arrived", "Arrived"
    SEEN = "seen", "Seen"
    NO_SHOW = "no_show", "No-show"


VISITS = StateMachine(
    name="visit",
    statuses=Visit,
    moves={
        Visit.BOOKED: frozenset({Visit.ARRIVED, Visit.NO_SHOW}),
        Visit.ARRIVED: frozenset({Visit.SEEN}),
    },
)


@pytest.fixture
def make_task(team):
    def make(status=TaskStatus.OPEN, **kwargs):
        return Task.objects.create(
            kind=TaskKind.OTHER, title="Call the pharmacy", team=team, status=status, **kwargs
        )

    return make


# --- reading the table ---------------------------------------------------------------------------


def test_a_table_naming_an_unknown_status_is_refused_when_declared():
    with pytest.raises(ValueError, match="unknown statuses"):
        StateMachine(name="visit", statuses=Visit, moves={Visit.BOOKED: frozenset({"cancelled"})})


def test_a_table_moving_a_status_to_itself_is_refused_when_declared():
    with pytest.raises(ValueError, match="to itself"):
        StateMachine(name="visit", statuses=Visit, moves={Visit.BOOKED: frozenset({Visit.BOOKED})})


def test_targets_follow_the_order_the_choices_declare():
    assert VISITS.targets(Visit.BOOKED) == [Visit.ARRIVED, Visit.NO_SHOW]
    assert VISITS.targets(Visit.SEEN) == []


def test_sources_name_every_status_that_may_reach_a_status():
    assert VISITS.sources(Visit.SEEN) == {Visit.ARRIVED}
    assert VISITS.sources(Visit.BOOKED) == frozenset()
    assert TASK_STATES.sources(TaskStatus.DONE) == {TaskStatus.OPEN}


def test_terminal_statuses_are_those_with_no_way_out():
    assert VISITS.terminal == {Visit.SEEN, Visit.NO_SHOW}
    assert TASK_STATES.terminal == {TaskStatus.DONE, TaskStatus.DISMISSED}


def test_all_pairs_are_every_ordered_pair_of_distinct_statuses():
    pairs = list(VISITS.all_pairs())
    assert len(pairs) == 4 * 3 and len(set(pairs)) == len(pairs)
    assert all(a != b for a, b in pairs)


# --- refusing ----------------------------------------------------------------------------------------


def test_a_refusal_says_what_the_thing_is_and_what_it_cannot_become():
    assert VISITS.refusal(Visit.ARRIVED, Visit.NO_SHOW) == "A visit that is arrived cannot become no-show."


def test_a_refusal_out_of_a_final_status_says_it_is_final():
    assert (
        VISITS.refusal(Visit.SEEN, Visit.BOOKED)
        == "A visit that is seen cannot become booked: seen is final."
    )


def test_a_refusal_to_the_same_status_says_it_is_already_there():
    assert TASK_STATES.refusal(TaskStatus.DONE, TaskStatus.DONE) == "The task is already done."


def test_check_refuses_an_illegal_move_with_a_domain_error_on_the_status_field():
    VISITS.check(Visit.BOOKED, Visit.ARRIVED)  # legal: nothing happens
    with pytest.raises(DomainError) as exc:
        VISITS.check(Visit.BOOKED, Visit.SEEN)
    assert exc.value.message == "A visit that is booked cannot become seen."
    assert exc.value.field == "status"


# --- moving rows -------------------------------------------------------------------------------------


def test_a_move_writes_the_status_and_the_other_fields_in_one_update(make_task, counselor):
    task = make_task()
    assert TASK_STATES.move(task, TaskStatus.DONE, also={"done_by": counselor}) is True
    assert (task.status, task.done_by) == (TaskStatus.DONE, counselor)
    task.refresh_from_db()
    assert (task.status, task.done_by) == (TaskStatus.DONE, counselor)


def test_an_illegal_move_is_refused_and_writes_nothing(make_task):
    task = make_task(status=TaskStatus.DONE)
    with pytest.raises(DomainError, match="done is final"):
        TASK_STATES.move(task, TaskStatus.OPEN)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_of_two_writers_who_read_the_same_status_only_the_first_wins(make_task, counselor, supervisor):
    """GIVEN two staff who loaded the same open task, WHEN both close it, THEN the second is told someone
    else changed it and the first one's close stands."""
    first = make_task()
    second = Task.objects.get(pk=first.pk)
    assert TASK_STATES.move(first, TaskStatus.DONE, also={"done_by": counselor})
    with pytest.raises(StaleStateError) as exc:
        TASK_STATES.move(second, TaskStatus.DISMISSED, also={"done_by": supervisor})
    assert isinstance(exc.value, DomainError)
    assert "changed by someone else" in exc.value.message
    second.refresh_from_db()
    assert (second.status, second.done_by) == (TaskStatus.DONE, counselor)


def test_a_quiet_loser_gets_false_and_its_copy_is_left_as_it_read_it(make_task):
    first = make_task()
    second = Task.objects.get(pk=first.pk)
    assert TASK_STATES.move(first, TaskStatus.DONE, quiet=True) is True
    assert TASK_STATES.move(second, TaskStatus.DISMISSED, quiet=True) is False
    assert second.status == TaskStatus.OPEN  # nothing written to the stale copy either
    assert Task.objects.get(pk=first.pk).status == TaskStatus.DONE


def test_quiet_does_not_hide_an_illegal_move(make_task):
    task = make_task(status=TaskStatus.DISMISSED)
    with pytest.raises(DomainError):
        TASK_STATES.move(task, TaskStatus.DONE, quiet=True)


def test_move_all_moves_only_the_rows_that_may_legally_move(make_task, counselor):
    open_tasks = [make_task(), make_task()]
    done = make_task(status=TaskStatus.DONE, done_by=counselor)
    moved = TASK_STATES.move_all(Task.objects.all(), TaskStatus.DISMISSED, also={"done_by": None})
    assert moved == 2
    assert set(Task.objects.filter(pk__in=[t.pk for t in open_tasks]).values_list("status", flat=True)) == {
        TaskStatus.DISMISSED
    }
    done.refresh_from_db()
    assert (done.status, done.done_by) == (TaskStatus.DONE, counselor)


def test_move_all_to_a_status_nothing_reaches_moves_nothing(make_task):
    make_task(status=TaskStatus.DONE)
    assert TASK_STATES.move_all(Task.objects.all(), TaskStatus.OPEN) == 0
    assert Task.objects.get().status == TaskStatus.DONE
