"""The sections of a staff member's Today page, contributed by each app.

The Today page lives above every app (``workspace``); the apps below it
register what they want shown, from ``AppConfig.ready()``::

    register_today_section(TodaySection(
        key="appointments", label="Today's appointments", order=10,
        template="clients/encounters/today_appointments.html",
        context=lambda request: {"appointments": ...},   # bounded queries, whatever the row count
    ))

``context`` returns the template's context, or None to leave the section out
for this user (e.g. the co-sign queue for someone who does not co-sign).
A section that shows clients lists their ids under ``"clients_shown"``: the
Today page writes one audit LIST row per client shown, like any list page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class TodaySection:
    key: str
    label: str
    template: str
    context: Callable
    order: int = 100


_SECTIONS: dict[str, TodaySection] = {}


def register_today_section(section: TodaySection) -> None:
    _SECTIONS[section.key] = section


def today_sections(request) -> tuple[list[dict], set[int]]:
    """Each registered section with its context, in order (sections that opt out are dropped),
    and the ids of every client the page will show."""
    sections, shown = [], set()
    for section in sorted(_SECTIONS.values(), key=lambda s: s.order):
        ctx = section.context(request)
        if ctx is not None:
            shown.update(ctx.get("clients_shown", ()))
            sections.append({"key": section.key, "label": section.label, "template": section.template, **ctx})
    return sections, shown
