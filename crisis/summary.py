"""Crisis and safety on the chart's clinical summary: an open crisis episode with its risk level (for
the roles that read risk details) and the current safety plan (peers included: what a peer most needs
in a hard moment). Registered from ``CrisisConfig.ready()``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clients.summary import SummaryBlock, register_summary_block

from . import selectors


def crisis_summary(user, client) -> dict:
    """The open episode (if the role reads episodes) and the current safety plan (if it reads safety
    plans). Two queries at most."""
    episode = selectors.open_episode_for_alert(client) if selectors.episodes_can_read(user) else None
    safety_plan = selectors.current_safety_plan(client) if selectors.safety_plan_can_read(user) else None
    return {
        "episode": episode,
        "safety_plan": safety_plan,
        "episodes_shown": selectors.episodes_can_read(user),
        "safety_plan_shown": selectors.safety_plan_can_read(user),
    }


def register() -> None:
    register_summary_block(
        SummaryBlock(
            "crisis",
            _("Crisis & safety plan"),
            "crisis/summary/_crisis.html",
            crisis_summary,
            order=15,
            visible=selectors.crisis_section_can_see,
            tab="crisis",
        )
    )
