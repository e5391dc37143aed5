"""What measurement-based care plugs into the chart shell and the Today page (called from ClientsConfig)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from careteam.today import TodaySection, register_today_section
from clients.chart import ChartAlert, ChartTab, register_alert, register_tab

from . import scoring, selectors


def suicide_risk_alert(user, client) -> list[ChartAlert]:
    """ "Suicide risk flag" while the latest PHQ-9 carries it (item 9 answered at all, Kroenke 2001;
    ``scoring.phq9_item9_flags``). At most one query."""
    if not selectors.scores_can_see(user):
        return []
    latest = selectors.latest_phq9_risk(client)
    if latest is None:
        return []
    when = date_format(timezone.localtime(latest["administered_at"]), "M j, Y")
    answer = latest["answers"].get(scoring.PHQ9_ITEM9)
    return [
        ChartAlert(
            level="danger",
            text=_("Suicide risk flag: PHQ-9 item 9 answered %(answer)s on %(when)s")
            % {"answer": answer, "when": when},
            url=reverse("clients:assessments", args=[client.pk]),
        )
    ]


def cssrs_risk_alert(user, client) -> list[ChartAlert]:
    """ "Suicide risk flag" for a C-SSRS screener scored moderate or high in the last
    ``selectors.CSSRS_RISK_LOOKBACK_DAYS`` days (``selectors.latest_cssrs_risk``). At most one query."""
    if not selectors.scores_can_see(user):
        return []
    latest = selectors.latest_cssrs_risk(client)
    if latest is None:
        return []
    when = date_format(timezone.localtime(latest["administered_at"]), "M j, Y")
    return [
        ChartAlert(
            level="danger",
            text=_("Suicide risk flag: C-SSRS screener %(band)s risk on %(when)s")
            % {"band": latest["band"], "when": when},
            url=reverse("clients:assessments", args=[client.pk]),
        )
    ]


def assessments_due_context(request) -> dict | None:
    user = request.user
    if not selectors.scores_can_see(user):
        return None
    due = selectors.assessments_due_for_user(user)
    shown = due[: selectors.DUE_LIMIT]
    return {
        "due": shown,
        "more_due": len(due) - len(shown),
        "clients_shown": sorted({d.client_id for d in shown}),
    }


def register() -> None:
    register_tab(
        ChartTab(
            "assessments", "Assessments", "clients:assessments", order=30, visible=selectors.scores_can_see
        )
    )
    register_alert("suicide-risk-phq9", suicide_risk_alert)
    register_alert("suicide-risk-cssrs", cssrs_risk_alert)
    register_today_section(
        TodaySection(
            key="assessments_due",
            label="Assessments due",
            template="clients/assessments/today_due.html",
            context=assessments_due_context,
            order=40,
        )
    )
