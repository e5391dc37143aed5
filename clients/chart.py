"""The client chart is a shell; each app plugs its own parts into it.

``clients`` never imports the apps built on it. From ``AppConfig.ready()`` an app registers:

- a **tab** it renders itself: ``register_tab(ChartTab("plan", "Treatment plan", "plans:client-plan"))``;
  the shell links to ``reverse(url_name, args=[client.pk])``;
- an **alert** for the chart header: ``register_alert("key", provider)``, where
  ``provider(user, client) -> list[ChartAlert]`` costs at most one query;
- a **note panel** on a session note's page: ``register_note_panel(NotePanel(...))``; the note page
  loads ``reverse(url_name, args=[client.pk, note.pk])`` as an HTML fragment (htmx, with a plain
  link as the fallback).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class ChartTab:
    key: str
    label: str
    url_name: str
    order: int = 100
    # Whether this user's role sees the tab at all: the owning app's ``<entity>_can_<verb>(user)``
    # predicate from its selectors (e.g. minimum-necessary roles); None means everyone on the team.
    visible: Callable | None = None


@dataclass(frozen=True)
class ChartAlert:
    """A flag in the chart header, e.g. a suicide-risk flag or a plan overdue for review."""

    level: str  # "danger", "warning" or "info" (Bootstrap alert levels)
    text: str
    url: str = ""


@dataclass(frozen=True)
class NotePanel:
    key: str
    label: str
    url_name: str
    order: int = 100
    visible: Callable | None = None  # as ``ChartTab.visible``: the app's predicate, called with the user


_TABS: dict[str, ChartTab] = {}
_ALERTS: dict[str, Callable] = {}
_NOTE_PANELS: dict[str, NotePanel] = {}


def register_tab(tab: ChartTab) -> None:
    _TABS[tab.key] = tab


def register_alert(key: str, provider: Callable) -> None:
    _ALERTS[key] = provider


def register_note_panel(panel: NotePanel) -> None:
    _NOTE_PANELS[panel.key] = panel


def tabs_for(user, client) -> list[dict]:
    return [
        {"key": tab.key, "label": tab.label, "url": reverse(tab.url_name, args=[client.pk])}
        for tab in sorted(_TABS.values(), key=lambda t: t.order)
        if tab.visible is None or tab.visible(user)
    ]


def alerts_for(user, client) -> list[ChartAlert]:
    return [alert for provider in _ALERTS.values() for alert in provider(user, client)]


def note_panels_for(user, client, note) -> list[dict]:
    return [
        {"key": p.key, "label": p.label, "url": reverse(p.url_name, args=[client.pk, note.pk])}
        for p in sorted(_NOTE_PANELS.values(), key=lambda p: p.order)
        if p.visible is None or p.visible(user)
    ]
