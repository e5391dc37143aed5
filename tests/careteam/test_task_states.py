"""The staff-task status table (careteam.states) and the services that close tasks through it."""

import pytest

from careteam import services
from careteam.errors import DomainError
from careteam.models import AuditAction, AuditEvent, Task, TaskKind, TaskStatus
from careteam.states import TASK_STATES
from workspace.admin import TaskAdmin


@pytest.fixture
def make_task(team, alice):
    def make(status=TaskStatus.OPEN, **kwargs):
        defaults = {"kind": TaskKind.OTHER, "title": "Call Ali back", "team": team, "client": alice}
        return Task.objects.create(status=status, **{**defaults, **kwargs})

    return make


def test_an_open_task_may_be_done_or_dismissed_and_nothing_is_reopened():
    assert TASK_STATES.targets(TaskStatus.OPEN) == [TaskStatus.DONE, TaskStatus.DISMISSED]
    assert TASK_STATES.terminal == {TaskStatus.DONE, TaskStatus.DISMISSED}


@pytest.mark.parametrize(("current", "to"), TASK_STATES.all_pairs())
def test_the_move_helper_accepts_exactly_the_tables_moves(make_task, current, to):
    task = make_task(status=current)
    if TASK_STATES.can_move(current, to):
        TASK_STATES.move(task, to)
        task.refresh_from_db()
        assert task.status == to
    else:
        with pytest.raises(DomainError) as exc:
            TASK_STATES.move(task, to)
        assert exc.value.message == TASK_STATES.refusal(current, to)
        task.refresh_from_db()
        assert task.status == current


@pytest.mark.parametrize("to", [TaskStatus.DONE, TaskStatus.DISMISSED])
def test_closing_an_open_task_records_who_and_when_and_is_audited(make_task, counselor, to):
    task = services.task_close(task=make_task(), acting_user=counselor, status=to)
    task.refresh_from_db()
    assert (task.status, task.done_by) == (to, counselor)
    assert task.done_at is not None
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_type="careteam.task", object_id=str(task.pk), user=counselor
    ).exists()


def test_closing_a_task_as_open_is_refused_with_the_tables_message(make_task, counselor):
    task = make_task()
    with pytest.raises(DomainError) as exc:
        services.task_close(task=task, acting_user=counselor, status=TaskStatus.OPEN)
    assert exc.value.message == "The task is already open."


@pytest.mark.parametrize("closed", [TaskStatus.DONE, TaskStatus.DISMISSED])
@pytest.mark.parametrize("to", [TaskStatus.DONE, TaskStatus.DISMISSED])
def test_closing_a_closed_task_again_changes_nothing(make_task, counselor, supervisor, closed, to):
    """GIVEN a task someone already closed, WHEN a teammate (or what raised it) closes it too,
    THEN it stays as the first close left it, without an error or an audit row."""
    task = make_task(status=closed, done_by=counselor)
    before = AuditEvent.objects.count()
    services.task_close(task=task, acting_user=supervisor, status=to)
    task.refresh_from_db()
    assert (task.status, task.done_by) == (closed, counselor)
    assert AuditEvent.objects.count() == before


def test_a_record_closes_only_its_own_open_tasks_in_one_go_with_one_audit_row_each(
    make_task, alice, counselor, supervisor
):
    open_tasks = [make_task(source_type="clients.client", source_id=str(alice.pk)) for _ in range(3)]
    dismissed = make_task(
        status=TaskStatus.DISMISSED, done_by=supervisor, source_type="clients.client", source_id=str(alice.pk)
    )
    elsewhere = make_task(source_type="clients.client", source_id=str(alice.pk + 1000))

    assert services.tasks_close_for_source(source=alice, acting_user=counselor) == 3

    assert set(Task.objects.filter(pk__in=[t.pk for t in open_tasks]).values_list("status", "done_by")) == {
        (TaskStatus.DONE, counselor.pk)
    }
    dismissed.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (dismissed.status, dismissed.done_by) == (TaskStatus.DISMISSED, supervisor)
    assert elsewhere.status == TaskStatus.OPEN
    audited = AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_type="careteam.task", user=counselor
    )
    assert sorted(audited.values_list("object_id", flat=True)) == sorted(str(t.pk) for t in open_tasks)
    assert services.tasks_close_for_source(source=alice, acting_user=counselor) == 0


def test_the_admin_cannot_edit_a_tasks_status_around_the_table():
    assert "status" in TaskAdmin.readonly_fields
