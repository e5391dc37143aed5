"""The worklist row offers Done and Dismiss exactly for the tasks the status table lets move there."""

import pytest
from django.urls import reverse

from careteam.models import Task, TaskStatus
from careteam.states import TASK_STATES
from tests.conftest import login
from tests.workspace.test_today import make_task

DONE_BUTTON = 'type="submit">Done<'
DISMISS_BUTTON = 'value="1">Dismiss<'


def _row(html: str, task) -> str:
    start = html.index(f'id="task-{task.pk}"')
    return html[start : html.index("</li>", start)]


@pytest.mark.parametrize("status", TaskStatus.values)
def test_the_row_offers_done_and_dismiss_exactly_as_the_table_allows(status, alice, counselor):
    """GIVEN a task in ``status`` WHEN the worklist lists that status THEN its row offers Done (and
    Dismiss) exactly when ``TASK_STATES`` lets it move to done (dismissed): the template decides nothing."""
    task = make_task(counselor, alice)
    Task.objects.filter(pk=task.pk).update(status=status)

    html = login(counselor).get(reverse("workspace:worklist"), {"status": status}).content.decode()
    row = _row(html, task)

    assert (DONE_BUTTON in row) is TASK_STATES.can_move(status, TaskStatus.DONE)
    assert (DISMISS_BUTTON in row) is TASK_STATES.can_move(status, TaskStatus.DISMISSED)
    assert (reverse("workspace:task-close", args=[task.pk]) in row) is bool(TASK_STATES.targets(status))


def test_the_row_swapped_in_after_done_offers_nothing_more(alice, counselor):
    task = make_task(counselor, alice)

    row = (
        login(counselor)
        .post(reverse("workspace:task-close", args=[task.pk]), {}, HTTP_HX_REQUEST="true")
        .content.decode()
    )

    assert DONE_BUTTON not in row and DISMISS_BUTTON not in row and "text-body-secondary" in row
