"""The chart's Overview is a clinical summary; each app plugs its own blocks into it.

``clients`` never imports the apps built on it (DESIGN "Layout and layers"). From ``AppConfig.ready()``
an app registers a block:

    register_summary_block(SummaryBlock("plan", _("Treatment plan"), "plans/summary/_plan.html",
                                        provider=plan_summary, order=60, visible=..., tab="plan"))

- ``provider(user, client) -> dict | None`` reads what the block shows with the app's own selectors, in
  a FIXED number of queries (one or two) whatever the length of the client's history; ``None`` leaves
  the block out (the empty state is the block's own template's business: return ``{}`` to keep it).
- ``visible(user)`` is the app's predicate for the role (minimum necessary: a peer specialist sees no
  diagnoses, medications, allergies, scores or risk details); ``None`` means everyone on the care team.
  A block the user may not see is never asked for its data.
- ``tab`` is the key of the chart tab the block links to (``clients.chart.register_tab``); the link is
  shown only when that tab is registered and visible to the user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SummaryBlock:
    key: str
    label: str
    template: str
    provider: Callable
    order: int = 100
    visible: Callable | None = None
    tab: str = ""


_BLOCKS: dict[str, SummaryBlock] = {}


def register_summary_block(block: SummaryBlock) -> None:
    _BLOCKS[block.key] = block


def summary_blocks_for(user, client, tabs: list[dict]) -> list[dict]:
    """The blocks ``user`` may see for ``client``, in order, each with its data and its tab's link.

    ``tabs`` is the chart's ``tabs_for(user, client)`` (already in the chart context), so the links
    follow the same visibility as the tab bar and cost nothing more.
    """
    tab_urls = {tab["key"]: tab["url"] for tab in tabs}
    blocks = []
    for block in sorted(_BLOCKS.values(), key=lambda b: (b.order, b.key)):
        if block.visible is not None and not block.visible(user):
            continue
        data = block.provider(user, client)
        if data is None:
            continue
        blocks.append(
            {
                "key": block.key,
                "label": block.label,
                "template": block.template,
                "url": tab_urls.get(block.tab, ""),
                "data": data,
            }
        )
    return blocks
