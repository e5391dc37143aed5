"""Today and the worklist: what a staff member should do next, across every app."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import View
from django.views.generic import TemplateView

from careteam.audit import Entry, audit_log_many
from careteam.models import AuditAction, TaskKind, TaskStatus
from careteam.redirects import redirect_next_or
from careteam.services import task_close
from careteam.states import tasks_with_moves
from careteam.timezones import user_today
from careteam.today import today_sections

from . import selectors


def audit_clients_shown(user, client_ids, page: str) -> None:
    audit_log_many(
        user=user,
        entries=[
            Entry(
                action=AuditAction.LIST,
                client_id=pk,
                object_type="clients.client",
                object_id=str(pk),
                detail={"page": page},
            )
            for pk in sorted(client_ids)
        ],
    )


class TodayView(LoginRequiredMixin, TemplateView):
    """The logged-in user's day: tasks, appointments, notes to sign, plans and assessments due."""

    template_name = "workspace/today.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        sections, shown = today_sections(self.request)
        audit_clients_shown(self.request.user, shown, "today")
        # The date the user is living in, not the server's.
        ctx.update(sections=sections, today=user_today(self.request.user))
        return ctx


class WorklistView(LoginRequiredMixin, TemplateView):
    """Every open task for the user and their teams, urgent first, filterable by kind."""

    template_name = "workspace/worklist.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", TaskStatus.OPEN)
        if status not in TaskStatus.values:
            status = TaskStatus.OPEN
        kind = self.request.GET.get("kind", "")
        qs = selectors.task_list_for_user(self.request.user, status=status)
        if kind in TaskKind.values:
            qs = qs.filter(kind=kind)
        page_obj = Paginator(qs, 25).get_page(self.request.GET.get("page"))
        audit_clients_shown(self.request.user, {t.client_id for t in page_obj if t.client_id}, "worklist")
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx.update(
            page_obj=page_obj,
            tasks=tasks_with_moves(page_obj.object_list),
            status=status,
            kind=kind,
            statuses=TaskStatus.choices,
            kinds=TaskKind.choices,
            page_query=query.urlencode(),
        )
        return ctx


class TaskCloseView(LoginRequiredMixin, View):
    """Mark a task done or dismissed (POST). htmx swaps the row; without JavaScript it redirects back."""

    def post(self, request, pk):
        task = selectors.task_get_for_user(request.user, pk)
        status = TaskStatus.DISMISSED if request.POST.get("dismiss") else TaskStatus.DONE
        task = task_close(task=task, acting_user=request.user, status=status)
        if request.htmx:
            return render(request, "workspace/_task_row.html", {"task": tasks_with_moves([task])[0]})
        messages.success(request, f"“{task.title}” marked {task.get_status_display().lower()}.")
        return redirect_next_or(request, "workspace:worklist")
