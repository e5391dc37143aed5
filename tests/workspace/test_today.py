"""Today and the worklist: the tasks a staff member should act on, scoped like every other list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from careteam.models import AuditAction, AuditEvent, Task, TaskKind, TaskPriority, TaskStatus
from careteam.services import assignment_end, task_create
from tests.conftest import api_login, login
from tests.factories import ClientFactory, assign


def make_task(user, client=None, **kwargs):
    defaults = {"kind": TaskKind.FOLLOW_UP, "title": "Call back about housing", "acting_user": None}
    return task_create(assignee=user, client=client, **{**defaults, **kwargs})


def test_today_shows_my_tasks_urgent_first(alice, counselor):
    make_task(counselor, alice, title="Routine follow-up")
    make_task(counselor, alice, title="Complete a risk screen", priority=TaskPriority.URGENT)

    html = login(counselor).get(reverse("workspace:today")).content.decode()

    assert "My tasks" in html
    assert html.index("Complete a risk screen") < html.index("Routine follow-up")


def test_the_home_page_is_today(counselor):
    response = login(counselor).get("/")
    assert response.status_code == 302 and response["Location"] == reverse("workspace:today")


def test_team_tasks_reach_members_who_may_see_the_client_and_nobody_else(
    alice, team, counselor, case_manager, outsider
):
    """GIVEN a team task with no client and one about Alice WHEN team members open their worklist
    THEN all members see the first; only those on Alice's care team see the second."""
    task_create(kind=TaskKind.OTHER, title="Restock the crisis cards", team=team, acting_user=None)
    task_create(
        kind=TaskKind.FOLLOW_UP, title="Alice missed group", team=team, client=alice, acting_user=None
    )

    on_care_team = login(counselor).get(reverse("workspace:worklist")).content.decode()
    not_on_care_team = login(case_manager).get(reverse("workspace:worklist")).content.decode()
    other_team = login(outsider).get(reverse("workspace:worklist")).content.decode()

    assert "Restock the crisis cards" in on_care_team and "Alice missed group" in on_care_team
    assert "Restock the crisis cards" in not_on_care_team and "Alice missed group" not in not_on_care_team
    assert "Restock the crisis cards" not in other_team and "Alice missed group" not in other_team


def test_a_task_about_a_client_i_no_longer_see_drops_off_my_worklist(alice, counselor, supervisor):
    """GIVEN a task about Alice WHEN the counselor's assignment ends THEN the task is no longer shown."""
    make_task(counselor, alice, title="Check in with Alice")
    assignment = alice.assignments.get(staff=counselor)

    assignment_end(assignment=assignment, acting_user=supervisor, reason="caseload transfer")

    assert "Check in with Alice" not in login(counselor).get(reverse("workspace:worklist")).content.decode()


def test_closing_a_task_marks_it_done_and_is_audited(alice, counselor):
    task = make_task(counselor, alice)

    response = login(counselor).post(reverse("workspace:task-close", args=[task.pk]))

    task.refresh_from_db()
    assert response.status_code == 302
    assert task.status == TaskStatus.DONE and task.done_by == counselor
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_type="careteam.task", object_id=str(task.pk)
    ).exists()


def test_htmx_close_returns_the_updated_row(alice, counselor):
    task = make_task(counselor, alice)

    response = login(counselor).post(
        reverse("workspace:task-close", args=[task.pk]), {"dismiss": "1"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert f'id="task-{task.pk}"' in response.content.decode() and "Dismissed" in response.content.decode()


def test_closing_redirects_only_to_this_site(alice, counselor):
    task = make_task(counselor, alice)

    response = login(counselor).post(
        reverse("workspace:task-close", args=[task.pk]), {"next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("workspace:worklist")


def test_someone_elses_task_is_404(alice, counselor, outsider):
    task = make_task(counselor, alice)

    assert login(outsider).post(reverse("workspace:task-close", args=[task.pk])).status_code == 404
    assert api_login(outsider).get(f"/api/v1/tasks/{task.pk}/").status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_raising_the_same_task_twice_keeps_one(alice, counselor):
    first = make_task(counselor, alice, dedupe_key="risk-screen:1")
    second = make_task(counselor, alice, dedupe_key="risk-screen:1")

    assert first.pk == second.pk
    assert Task.objects.filter(dedupe_key="risk-screen:1").count() == 1


def test_the_clients_on_today_are_audited_as_listed(alice, counselor):
    make_task(counselor, alice)

    login(counselor).get(reverse("workspace:today"))

    assert AuditEvent.objects.filter(action=AuditAction.LIST, client=alice, user=counselor).exists()


def test_the_api_lists_my_open_tasks_and_closes_one(alice, counselor):
    task = make_task(counselor, alice)
    api = api_login(counselor)

    listed = api.get("/api/v1/tasks/").json()
    closed = api.post(f"/api/v1/tasks/{task.pk}/close/", {"status": "dismissed"}, format="json")
    bad = api.post(f"/api/v1/tasks/{task.pk}/close/", {"status": "open"}, format="json")

    assert [t["id"] for t in listed["results"]] == [task.pk]
    assert closed.status_code == 200 and closed.json()["status"] == "dismissed"
    assert bad.status_code == 400 and "status" in bad.json()


@pytest.mark.parametrize("page", ["workspace:today", "workspace:worklist"])
def test_task_pages_issue_the_same_queries_for_2_and_20_tasks(team, counselor, page):
    def count(n):
        for _ in range(n):
            client = ClientFactory(primary_team=team)
            assign(client, counselor, "case_manager")
            make_task(counselor, client)
        http = login(counselor)
        with CaptureQueriesContext(connection) as ctx:
            assert http.get(reverse(page)).status_code == 200
        return len(ctx.captured_queries)

    few = count(2)
    many = count(18)
    assert few == many
    assert many <= 40
