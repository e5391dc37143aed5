"""The referrals' block on the chart's clinical summary: the client's open referrals (sent and not
yet closed, ``states.OPEN``), flagged ones first. Registered from ``ReferralsConfig.ready()``."""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from clients.summary import SummaryBlock, register_summary_block

from . import selectors, states

SHOWN = 5


def open_referrals_summary(user, client) -> dict:
    """Up to ``SHOWN`` open referrals (flagged first, then the soonest appointment, then the oldest
    request) and whether there are more. One query."""
    rows = list(
        selectors.referrals_for_client(client)
        .filter(status__in=states.OPEN)
        .order_by(
            F("flagged_at").desc(nulls_last=True),
            F("appointment_at").asc(nulls_last=True),
            "requested_at",
            "id",
        )[: SHOWN + 1]
    )
    return {"referrals": rows[:SHOWN], "more": len(rows) > SHOWN}


def register() -> None:
    register_summary_block(
        SummaryBlock(
            "referrals",
            _("Open referrals"),
            "referrals/summary/_open_referrals.html",
            open_referrals_summary,
            order=60,
            visible=selectors.referrals_can_read,
            tab="referrals",
        )
    )
