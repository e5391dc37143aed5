"""Reads for the worklist: the open tasks a user should act on, scoped to clients they may see."""

from __future__ import annotations

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404

from careteam import access
from careteam.models import Task, TaskPriority, TaskStatus, User
from careteam.states import tasks_with_moves
from outreach.models import InboundMessage

TODAY_TASK_LIMIT = 10


def task_list_for_user(user: User, *, status: str = TaskStatus.OPEN) -> QuerySet[Task]:
    """Tasks assigned to the user or to a team they belong to; a task about a client they can no
    longer see drops out (one semi-join, as everywhere else)."""
    if not user.is_authenticated:
        return Task.objects.none()
    qs = Task.objects.filter(Q(assignee=user) | Q(team__members=user))
    if status:
        qs = qs.filter(status=status)
    visible = access.clients_visible_to(user).values("pk")
    qs = qs.filter(Q(client__isnull=True) | Q(client__in=visible))
    # A client's reply naming risk words first (the words are on the inbound text that raised the
    # task), then every urgent task by due time, then the rest.
    risky_reply = InboundMessage.objects.filter(task=OuterRef("pk")).exclude(risk_words=[])
    urgent_first = Case(
        When(Exists(risky_reply), then=Value(0)),
        When(priority=TaskPriority.URGENT, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        qs.distinct()
        .select_related("client", "assignee", "team")
        .annotate(urgency=urgent_first)
        .order_by("urgency", "due_at", "id")
    )


def task_get_for_user(user: User, pk: int) -> Task:
    try:
        return task_list_for_user(user, status="").get(pk=pk)
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404("No such task.") from None


def worklist_section_context(request) -> dict:
    tasks = task_list_for_user(request.user)
    shown = list(tasks[: TODAY_TASK_LIMIT + 1])
    tasks = tasks_with_moves(shown[:TODAY_TASK_LIMIT])
    return {
        "tasks": tasks,
        "more_tasks": len(shown) > TODAY_TASK_LIMIT,
        "clients_shown": [t.client_id for t in tasks if t.client_id],
    }
