"""The co-sign queue sends the supervisor to the note, where it is read and co-signed or returned to
its author with a comment (issue 18: "one click, no confirm, no undo").

A signed note never goes back to draft (``states.NOTE_STATES``), so "return to author" is a task for
the author carrying the supervisor's comment, plus an audit row; the author answers with an addendum,
which closes the task, and the note stays in the queue until co-signed."""

import pytest
from django.urls import reverse

from careteam.models import AuditAction, AuditEvent, Task, TaskKind, TaskStatus
from clients.encounters import services
from tests.conftest import login
from tests.factories import UserFactory, assign

from .conftest import dap

QUEUE = reverse("clients:encounters:cosign-queue")


def note_url(note, name="note-detail"):
    return reverse(f"clients:encounters:{name}", args=[note.client_id, note.pk])


@pytest.fixture
def trainee(alice, team, supervisor):
    user = UserFactory(username="trainee", role="counselor", notes_require_cosign=True)
    team.members.add(user)
    assign(alice, user, "other")
    return user


@pytest.fixture
def waiting(alice, trainee):
    """A trainee's signed note waiting for the supervisor's co-signature."""
    note = services.note_create(client=alice, acting_user=trainee, data=dap())
    return services.note_sign(note=note, acting_user=trainee)


def test_the_queue_links_to_the_note_and_has_no_one_click_cosign(alice, supervisor, waiting):
    html = login(supervisor).get(QUEUE).content.decode()

    assert f'href="{note_url(waiting)}"' in html
    assert note_url(waiting, "note-cosign") not in html


def test_the_note_page_offers_cosign_and_return_to_author(alice, supervisor, waiting):
    html = login(supervisor).get(note_url(waiting)).content.decode()

    assert f'action="{note_url(waiting, "note-cosign")}"' in html
    assert f'action="{note_url(waiting, "note-return")}"' in html and 'name="comment"' in html


def test_return_to_author_needs_a_comment(alice, supervisor, waiting):
    response = login(supervisor).post(note_url(waiting, "note-return"), {"comment": "  "})

    assert response.status_code == 400 and 'aria-invalid="true"' in response.content.decode()
    assert not Task.objects.filter(assignee=waiting.author).exists()


def test_return_to_author_gives_the_author_a_task_with_the_comment_and_audits_it(
    alice, supervisor, trainee, waiting
):
    """GIVEN a trainee's note waiting for co-signature WHEN the supervisor returns it with a comment
    THEN the trainee gets an open task naming the note and carrying the comment, the return is audited,
    the note stays uncosigned in the queue; and the trainee's addendum closes the task."""
    comment = "The plan section does not say when the next session is."
    response = login(supervisor).post(note_url(waiting, "note-return"), {"comment": comment})

    assert response.status_code == 302
    task = Task.objects.get(assignee=trainee, status=TaskStatus.OPEN)
    assert task.kind == TaskKind.NOTE_RETURNED and comment in task.detail
    assert (task.source_type, task.source_id) == ("clients.encounternote", str(waiting.pk))
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_id=str(waiting.pk), user=supervisor, reason=comment
    ).exists()
    waiting.refresh_from_db()
    assert waiting.cosigned_at is None
    queue = login(supervisor).get(QUEUE).content.decode()
    assert alice.display_name in queue and "Returned" in queue
    author_view = login(trainee).get(note_url(waiting)).content.decode()
    assert comment in author_view

    services.note_addendum_add(note=waiting, acting_user=trainee, text="Next session Tuesday 3 pm.")

    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_only_a_supervisor_of_the_author_returns_a_note(alice, counselor, waiting):
    response = login(counselor).post(note_url(waiting, "note-return"), {"comment": "Please fix."})

    assert response.status_code in (302, 400)
    assert not Task.objects.filter(kind=TaskKind.NOTE_RETURNED).exists()
