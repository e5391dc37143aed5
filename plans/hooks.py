"""What the plans app contributes to pages it does not own: the chart-header alert and Today."""

from __future__ import annotations

from django.urls import reverse
from django.utils.dateformat import format as date_format

from careteam.timezones import user_today
from clients.chart import ChartAlert
from clients.models import ClientStatus

from . import selectors


def plan_alerts(user, client) -> list[ChartAlert]:
    """Chart-header alert: plan review overdue or due today, or no active plan (one query)."""
    if not user.has_perm("plans.view_treatmentplan"):
        return []
    has_active, due = selectors.plan_review_state(client)
    url = reverse("plans:client-plan", args=[client.pk])
    if not has_active:
        if client.status == ClientStatus.ACTIVE:
            return [ChartAlert("info", "No active treatment plan", url)]
        return []
    today = user_today(user)
    if due is not None and due < today:
        return [
            ChartAlert("warning", f"Treatment plan review overdue since {date_format(due, 'M j, Y')}", url)
        ]
    if due is not None and due == today:
        return [ChartAlert("info", "Treatment plan review due today", url)]
    return []


def plans_due_section_context(request) -> dict | None:
    """Today: my clients whose plan review is due (or who have no active plan). Bounded queries."""
    user = request.user
    if not selectors.plans_can_read_clinical(user):
        return None
    today = user_today(user)
    rows = selectors.plans_due_for_user(user, today=today)
    shown = rows[: selectors.TODAY_PLANS_LIMIT]
    return {
        "plan_clients": shown,
        "more_plan_clients": len(rows) > selectors.TODAY_PLANS_LIMIT,
        "today": today,
        "clients_shown": [c.pk for c in shown],
    }
