"""The client chart is a shell; each app registers the tabs it renders itself.

``clients`` never imports the apps built on it. An app adds a tab from its
``AppConfig.ready()``::

    register_tab(ChartTab("plan", "Treatment plan", "plans:client-plan", order=40))

and the chart shell links to ``reverse(url_name, args=[client.pk])``.
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
    # Whether this user sees the tab at all (e.g. minimum-necessary roles); None means everyone on the team.
    visible: Callable | None = None


_TABS: dict[str, ChartTab] = {}


def register_tab(tab: ChartTab) -> None:
    _TABS[tab.key] = tab


def tabs_for(user, client) -> list[dict]:
    return [
        {"key": tab.key, "label": tab.label, "url": reverse(tab.url_name, args=[client.pk])}
        for tab in sorted(_TABS.values(), key=lambda t: t.order)
        if tab.visible is None or tab.visible(user, client)
    ]
