"""The status table of a staff task on a worklist: open until someone does it or sets it aside.

- open → done: a staff member did it (the worklist's "Done", the API), or what raised it closed it
  (a risk screen recorded, a note co-signed, a referral answered, a crisis checkpoint met).
- open → dismissed: a staff member set it aside, or it was replaced (a missed crisis checkpoint's
  supervisor task replaces the worker's reminder).

Done and dismissed are final: the worklist offers no way to reopen a task, and a task that must be
done again is raised again (its ``dedupe_key`` names the occasion). Closing a task that is already
closed is not an error (two people on a team may click "Done" at once); see ``services.task_close``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from .models import TaskStatus
from .statemachine import StateMachine

TASK_STATES = StateMachine(
    name=_("task"),
    statuses=TaskStatus,
    moves={
        TaskStatus.OPEN: frozenset({TaskStatus.DONE, TaskStatus.DISMISSED}),
        TaskStatus.DONE: frozenset(),
        TaskStatus.DISMISSED: frozenset(),
    },
)


def tasks_with_moves(tasks: Iterable) -> list:
    """The tasks, each with what the worklist row offers (``can_mark_done``, ``can_dismiss``) worked out
    from the table, so the row template decides nothing itself. Python over loaded rows, no query."""
    rows = list(tasks)
    for task in rows:
        task.can_mark_done = TASK_STATES.can_move(task.status, TaskStatus.DONE)
        task.can_dismiss = TASK_STATES.can_move(task.status, TaskStatus.DISMISSED)
    return rows
