"""Panel 4 — referral loop closure: sent, closed with an outcome, connected, response and closure times,
partners that do not answer, and the outcomes recorded.

The loop follows the FHIR SDOH Clinical Care referral Task (``referrals.states``): a referral is *sent*
when it moves to ``requested`` (``requested_at``), *answered* at the partner's first move
(``first_response_at``) and *closed* when it reaches a closing status with an outcome (``closed_at``).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, QuerySet

from clients.models import Urgency
from referrals import deadlines
from referrals.models import Referral, ReferralOutcome, ReferralStatus

from ..metrics import (
    Drilldown,
    Figure,
    Median,
    Panel,
    PanelSpec,
    Table,
    choice_label,
    client_fields,
    rate,
    register_panel,
)
from ..scope import Scope

KEY = "referrals"


def _in_scope(scope: Scope) -> QuerySet[Referral]:
    return Referral.objects.filter(client__in=scope.clients())


def _sent(scope: Scope) -> QuerySet[Referral]:
    return _in_scope(scope).filter(requested_at__gte=scope.start_at, requested_at__lt=scope.end_at)


def _since_requested(field: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(field) - F("requested_at"), output_field=DurationField())


def _days(value: dt.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 86400, 1)


def _outcome_key(value: str) -> str:
    return f"outcome_{value}"


def compute(scope: Scope) -> Panel:
    # One statement for every figure of the range (and the outcomes table), one for the overdue ones.
    counts = _sent(scope).aggregate(
        sent=Count("pk"),
        closed=Count("pk", filter=Q(closed_at__isnull=False) & ~Q(outcome="")),
        connected=Count("pk", filter=Q(outcome=ReferralOutcome.CONNECTED)),
        answered=Count("pk", filter=Q(first_response_at__isnull=False)),
        ended=Count("pk", filter=Q(closed_at__isnull=False)),
        to_response=Median(_since_requested("first_response_at"), filter=Q(first_response_at__isnull=False)),
        to_closure=Median(_since_requested("closed_at"), filter=Q(closed_at__isnull=False)),
        **{_outcome_key(value): Count("pk", filter=Q(outcome=value)) for value in ReferralOutcome.values},
    )
    to_response, to_closure = counts["to_response"], counts["to_closure"]
    overdue_rows = list(
        _in_scope(scope)
        .filter(deadlines.response_overdue_q())
        .values("organization_id", "organization__name")
        .annotate(overdue=Count("*"), oldest=Min("requested_at"))
        .order_by("-overdue", "organization__name")
    )
    labels = dict(ReferralOutcome.choices)
    outcome_rows = sorted(
        (
            {"outcome": value, "n": counts[_outcome_key(value)]}
            for value in ReferralOutcome.values
            if counts[_outcome_key(value)]
        ),
        key=lambda r: (-r["n"], r["outcome"]),
    )
    n_sent = counts["sent"]
    figures = [
        Figure(
            "referrals.sent",
            "Referrals sent",
            n_sent,
            "referrals",
            "Referrals of clients in scope sent to a partner (moved to 'requested') between the first and "
            "the last day of the range, both days included.",
            drilldown="referrals.sent",
        ),
        Figure(
            "referrals.closed_pct",
            "Closed with an outcome",
            rate(counts["closed"], n_sent),
            "%",
            "Of the referrals sent in the range, those closed (completed, failed, rejected or cancelled) "
            "with an outcome recorded, whenever it was closed.",
            numerator=counts["closed"],
            denominator=n_sent,
            drilldown="referrals.sent",
        ),
        Figure(
            "referrals.connected_pct",
            "Connected",
            rate(counts["connected"], n_sent),
            "%",
            "Of the referrals sent in the range, those whose outcome is 'connected / service received'.",
            numerator=counts["connected"],
            denominator=n_sent,
            drilldown="referrals.sent",
        ),
        Figure(
            "referrals.median_days_to_response",
            "Median days to first partner response",
            _days(to_response),
            "days",
            "Median of (first response by the partner - sent), in days, over the referrals sent in the range "
            "that the partner has answered (accepted, rejected or other first move).",
            numerator=counts["answered"],
            denominator=n_sent,
            drilldown="referrals.sent",
        ),
        Figure(
            "referrals.median_days_to_closure",
            "Median days to closure",
            _days(to_closure),
            "days",
            "Median of (closed - sent), in days, over the referrals sent in the range that are closed.",
            numerator=counts["ended"],
            denominator=n_sent,
            drilldown="referrals.sent",
        ),
        Figure(
            "referrals.overdue",
            "Awaiting a partner past the deadline",
            sum(r["overdue"] for r in overdue_rows),
            "referrals",
            "Right now, whatever the range: referrals still 'requested' with no answer from the partner "
            "after the response deadline for their urgency (routine: business days, urgent: hours — "
            "the same rule as the deadline check that flags them).",
            drilldown="referrals.overdue",
        ),
    ]
    tables = [
        Table(
            "referrals.overdue_by_organization",
            "Overdue by organisation",
            [("organization", "Organisation"), ("overdue", "Overdue"), ("oldest", "Oldest sent")],
            [
                {"organization": r["organization__name"], "overdue": r["overdue"], "oldest": r["oldest"]}
                for r in overdue_rows
            ],
            drilldown="referrals.overdue",
            definition="Open referrals past the partner's response deadline right now, per receiving "
            "organisation, most first: the partners that do not answer.",
        ),
        Table(
            "referrals.outcomes",
            "Outcomes",
            [("outcome", "Outcome"), ("n", "Referrals"), ("pct", "% of sent")],
            [
                {"outcome": labels.get(r["outcome"], r["outcome"]), "n": r["n"], "pct": rate(r["n"], n_sent)}
                for r in outcome_rows
            ],
            drilldown="referrals.sent",
            definition="The outcome recorded on the referrals sent in the range, by kind; the percentage "
            "is of all referrals sent in the range.",
        ),
    ]
    return Panel(KEY, "Referral loop closure", figures=figures, tables=tables)


def sent_rows(scope: Scope):
    return (
        _sent(scope)
        .values(
            "client_id",
            **client_fields(),
            referral_id=F("pk"),
            organization_name=F("organization__name"),
            sent_at=F("requested_at"),
            responded_at=F("first_response_at"),
            closed=F("closed_at"),
            referral_status=choice_label("status", ReferralStatus.choices),
            referral_outcome=choice_label("outcome", ReferralOutcome.choices),
        )
        .order_by("requested_at", "pk")
    )


def overdue_rows(scope: Scope):
    return (
        _in_scope(scope)
        .filter(deadlines.response_overdue_q())
        .values(
            "client_id",
            **client_fields(),
            urgency_label=choice_label("urgency", Urgency.choices),
            referral_id=F("pk"),
            organization_name=F("organization__name"),
            sent_at=F("requested_at"),
        )
        .order_by("organization__name", "requested_at", "pk")
    )


register_panel(
    PanelSpec(
        KEY,
        "Referral loop closure",
        order=40,
        compute=compute,
        drilldowns=(
            Drilldown(
                "referrals.sent",
                "Referrals sent in the range",
                [
                    ("record_number", "Record"),
                    ("name", "Client"),
                    ("referral_id", "Referral"),
                    ("organization_name", "Organisation"),
                    ("sent_at", "Sent"),
                    ("responded_at", "First response"),
                    ("closed", "Closed"),
                    ("referral_status", "Status"),
                    ("referral_outcome", "Outcome"),
                ],
                sent_rows,
            ),
            Drilldown(
                "referrals.overdue",
                "Referrals awaiting a partner past the deadline",
                [
                    ("record_number", "Record"),
                    ("name", "Client"),
                    ("referral_id", "Referral"),
                    ("organization_name", "Organisation"),
                    ("urgency_label", "Urgency"),
                    ("sent_at", "Sent"),
                ],
                overdue_rows,
            ),
        ),
    )
)
