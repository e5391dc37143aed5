"""What the crisis app contributes to pages it does not own: the chart-header alert."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from clients.chart import ChartAlert

from . import selectors
from .models import RiskLevel


def crisis_alerts(user, client) -> list[ChartAlert]:
    """An open crisis episode, flagged red at high or imminent risk (one query)."""
    if not selectors.episodes_can_read(user):
        return []
    episode = selectors.open_episode_for_alert(client)
    if episode is None:
        return []
    url = reverse("crisis:episode-detail", args=[client.pk, episode.pk])
    risk = RiskLevel(episode.risk_level).label.lower()
    level = "danger" if episode.risk_level in (RiskLevel.HIGH, RiskLevel.IMMINENT) else "warning"
    return [
        ChartAlert(
            level,
            f"Open crisis episode since {timezone.localtime(episode.opened_at):%b %-d} — {risk} risk",
            url,
        )
    ]
