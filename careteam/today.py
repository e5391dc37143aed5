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


def today_sections(request) -> list[dict]:
    """Each registered section with its rendered context, in order; sections that opt out are dropped."""
    sections = []
    for section in sorted(_SECTIONS.values(), key=lambda s: s.order):
        ctx = section.context(request)
        if ctx is not None:
            sections.append({"key": section.key, "label": section.label, "template": section.template, **ctx})
    return sections
