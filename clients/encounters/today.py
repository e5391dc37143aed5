"""What appointments and notes plug into: the chart tab and the Today page's sections.

``register()`` is called once from ``ClientsConfig.ready()``. Each Today section costs a fixed
number of queries whatever the row count (bounded lists, related rows joined).
"""

from __future__ import annotations

from careteam.timezones import user_time_zone, user_today
from careteam.today import TodaySection, register_today_section
from clients.chart import ChartTab, register_tab

from . import selectors


def appointments_section(request) -> dict | None:
    user = request.user
    if not selectors.appointments_can_read(user):
        return None
    appointments = selectors.todays_appointments_for_user(user)
    return {
        "appointments": appointments,
        "user_tz": user_time_zone(user),
        "today": user_today(user),
        "can_change": selectors.appointments_can_change(user),
        "show_notes": selectors.notes_can_read(user),
        "can_write_notes": selectors.notes_can_write(user),
        "clients_shown": [a.client_id for a in appointments],
    }


def notes_to_sign_section(request) -> dict | None:
    user = request.user
    if not selectors.notes_can_write(user):
        return None
    drafts, unwritten = selectors.notes_to_sign_for_user(user)
    return {
        "drafts": drafts,
        "unwritten": unwritten,
        "user_tz": user_time_zone(user),
        "clients_shown": [n.client_id for n in drafts] + [a.client_id for a in unwritten],
    }


def cosign_section(request) -> dict | None:
    user = request.user
    if not selectors.notes_can_cosign(user):
        return None
    notes = list(selectors.cosign_queue_for_user(user)[: selectors.TODAY_LIMIT])
    return {"notes": notes, "user_tz": user_time_zone(user), "clients_shown": [n.client_id for n in notes]}


def register() -> None:
    register_tab(
        ChartTab(
            "encounters",
            "Appointments & Notes",
            "clients:encounters:tab",
            order=25,
            visible=selectors.appointments_can_read,
        )
    )
    register_today_section(
        TodaySection(
            key="appointments",
            label="Today's appointments",
            template="clients/encounters/today_appointments.html",
            context=appointments_section,
            order=10,
        )
    )
    register_today_section(
        TodaySection(
            key="notes_to_sign",
            label="Notes to sign",
            template="clients/encounters/today_notes_to_sign.html",
            context=notes_to_sign_section,
            order=20,
        )
    )
    register_today_section(
        TodaySection(
            key="cosign",
            label="Co-sign queue",
            template="clients/encounters/today_cosign.html",
            context=cosign_section,
            order=30,
        )
    )
