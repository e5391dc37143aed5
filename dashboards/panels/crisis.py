"""Panel 5 — crisis follow-up: episodes, the follow-up checkpoints met, and caring contacts.

"Met" is the crisis app's own rule (``crisis.checkpoints.met_q`` / ``with_met``): a reached contact or
an attended appointment inside the window, both edges included — a checkpoint met exactly on its
deadline counts. Rates follow the HEDIS FUH/FUA pattern (NCQA HEDIS MY2024 Vol. 2): the denominator is
the follow-up clocks that started (disposition or discharge) in the range and whose window has either
ended or already been met — a window still open and unmet is neither a success nor a failure yet; the
numerator is those met.
"""

from __future__ import annotations

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from crisis import checkpoints
from crisis.models import CrisisEpisode, Disposition, FollowUpCheckpoint, RiskLevel
from outreach.models import Channel, MessageStatus, ScheduledMessage, SkipReason, SourceKind

from ..metrics import (
    Drilldown,
    Figure,
    Panel,
    PanelSpec,
    Table,
    choice_label,
    client_fields,
    rate,
    register_panel,
)
from ..scope import Scope

KEY = "crisis"
SENT = (MessageStatus.SENT, MessageStatus.DELIVERED)
FAILED_REASON = "Delivery failed (provider error)"

# (checkpoint kind, figure label): the kinds ``CARETEAM_CRISIS_CHECKPOINTS`` ships with.
CHECKPOINT_FIGURES = (
    ("contact-24h", "Contact within 24 hours"),
    ("contact-72h", "Contact within 72 hours"),
    ("outpatient-7d", "Outpatient appointment attended within 7 days"),
    ("fuh-7d", "Follow-up within 7 days after ED / inpatient (FUH/FUA-style)"),
    ("fuh-30d", "Follow-up within 30 days after ED / inpatient (FUH/FUA-style)"),
)
CHECKPOINT_DEFINITIONS = {
    "contact-24h": "a reached contact (any mode) or an attended appointment of any kind within 24 hours "
    "of the disposition",
    "contact-72h": "a reached contact or an attended appointment within 72 hours of the disposition",
    "outpatient-7d": "an attended outpatient appointment (any kind but 'other'; peer support counts) "
    "within 7 days of the disposition",
    "fuh-7d": "after an emergency-department or inpatient disposition, an attended outpatient visit "
    "within 7 days of the discharge",
    "fuh-30d": "after an emergency-department or inpatient disposition, an attended outpatient visit "
    "within 30 days of the discharge",
}


def _episodes(scope: Scope) -> QuerySet[CrisisEpisode]:
    return CrisisEpisode.objects.filter(
        scope.client_q(), opened_at__gte=scope.start_at, opened_at__lt=scope.end_at
    )


def _clocks(scope: Scope) -> QuerySet[FollowUpCheckpoint]:
    """Follow-up clocks that started in the range, whatever their state."""
    return FollowUpCheckpoint.objects.filter(
        scope.client_q(), window_start__gte=scope.start_at, window_start__lt=scope.end_at
    )


def _counted_q(now) -> Q:
    """A clock counts in a rate when its window has ended or it is met already (the cheap test first)."""
    return Q(window_end__lt=now) | checkpoints.met_q()


def _checkpoints(scope: Scope) -> QuerySet[FollowUpCheckpoint]:
    """Follow-up clocks that started in the range and count in a rate: window ended, or met already."""
    return _clocks(scope).filter(_counted_q(timezone.now()))


def _caring(scope: Scope) -> QuerySet[ScheduledMessage]:
    return ScheduledMessage.objects.filter(
        scope.client_q(),
        source_kind=SourceKind.CARING_CONTACT,
        due_at__gte=scope.start_at,
        due_at__lt=scope.end_at,
    )


def compute(scope: Scope) -> Panel:
    episodes = _episodes(scope).count()
    # The clocks of the team are found first; whether each is met (correlated EXISTS probes) is only
    # asked in the aggregates, of those rows: ``_checkpoints`` as the "due" filter, ``met_q`` as "met".
    by_kind = {
        row["kind"]: row
        for row in _clocks(scope)
        .values("kind")
        .annotate(
            due=Count("pk", filter=_counted_q(timezone.now())),
            met=Count("pk", filter=checkpoints.met_q()),
        )
        .order_by()
    }
    messages = list(
        _caring(scope)
        .filter(status__in=[*SENT, MessageStatus.FAILED, MessageStatus.SKIPPED])
        .values("status", "status_reason")
        .annotate(n=Count("pk"))
        .order_by("status", "status_reason")
    )
    sent = sum(r["n"] for r in messages if r["status"] in SENT)
    failed = sum(r["n"] for r in messages if r["status"] == MessageStatus.FAILED)
    skipped = sum(r["n"] for r in messages if r["status"] == MessageStatus.SKIPPED)

    figures = [
        Figure(
            "crisis.episodes",
            "Crisis episodes opened",
            episodes,
            "episodes",
            "Crisis episodes of clients in scope opened between the first and the last day of the range, "
            "both days included.",
            drilldown="crisis.episodes",
        )
    ]
    for kind, label in CHECKPOINT_FIGURES:
        row = by_kind.get(kind, {"due": 0, "met": 0})
        figures.append(
            Figure(
                f"crisis.{kind}",
                label,
                rate(row["met"], row["due"]),
                "%",
                f"Met: {CHECKPOINT_DEFINITIONS[kind]}; both ends of the window count. Denominator: the "
                "follow-ups whose clock (the disposition) started in the range and whose window has ended "
                "or has already been met; numerator: those met.",
                numerator=row["met"],
                denominator=row["due"],
                drilldown=f"crisis.checkpoint.{kind}",
            )
        )
    figures += [
        Figure(
            "crisis.caring_sent",
            "Caring contacts sent",
            sent,
            "messages",
            "Caring-contact messages due in the range (by their scheduled time) that were sent or delivered.",
            drilldown="crisis.caring_contacts",
        ),
        Figure(
            "crisis.caring_failed",
            "Caring contacts failed",
            failed,
            "messages",
            "Caring-contact messages due in the range that failed after every retry.",
            drilldown="crisis.caring_contacts",
        ),
        Figure(
            "crisis.caring_skipped",
            "Caring contacts skipped",
            skipped,
            "messages",
            "Caring-contact messages due in the range that were deliberately not sent (the reasons below).",
            drilldown="crisis.caring_contacts",
        ),
    ]
    reasons = dict(SkipReason.choices)
    statuses = dict(MessageStatus.choices)
    tables = [
        Table(
            "crisis.caring_not_sent",
            "Caring contacts not sent, by reason",
            [("status", "Status"), ("reason", "Reason"), ("n", "Messages")],
            [
                {
                    "status": statuses[r["status"]],
                    "reason": reasons.get(r["status_reason"], r["status_reason"])
                    or (FAILED_REASON if r["status"] == MessageStatus.FAILED else "No reason recorded"),
                    "n": r["n"],
                }
                for r in messages
                if r["status"] not in SENT
            ],
            drilldown="crisis.caring_contacts",
            definition="Caring-contact messages due in the range that were skipped or failed, by the reason "
            "the outbox recorded.",
        )
    ]
    return Panel(KEY, "Crisis follow-up", figures=figures, tables=tables)


def episode_rows(scope: Scope):
    return (
        _episodes(scope)
        .values(
            "client_id",
            **client_fields(),
            episode_id=F("pk"),
            opened=F("opened_at"),
            risk=choice_label("risk_level", RiskLevel.choices),
            disposition_label=choice_label("disposition", Disposition.choices),
            disposed_at=F("disposition_at"),
            closed=F("closed_at"),
        )
        .order_by("opened_at", "pk")
    )


def _checkpoint_rows(kind: str):
    def rows(scope: Scope) -> list[dict]:
        qs = (
            checkpoints.with_met(_checkpoints(scope).filter(kind=kind))
            .annotate(met=ExpressionWrapper(checkpoints.met_q(), output_field=BooleanField()))
            .values(
                "client_id",
                "met",
                "first_contact_at",
                "first_appt_at",
                "first_visit_at",
                "meets",
                "episode_id",
                **client_fields(),
                disposition_label=choice_label("episode__disposition", Disposition.choices),
                clock_started=F("window_start"),
                deadline=F("window_end"),
            )
            .order_by("met", "window_end", "pk")
        )
        out = []
        for row in qs:
            if row.pop("meets") == checkpoints.CheckpointMeets.VISIT:
                candidates = [row["first_visit_at"]]
            else:
                candidates = [row["first_contact_at"], row["first_appt_at"]]
            for extra in ("first_contact_at", "first_appt_at", "first_visit_at"):
                row.pop(extra)
            met = row.pop("met")
            row["result"] = "Met" if met else "Missed"
            row["met_at"] = min((c for c in candidates if c), default=None) if met else None
            out.append(row)
        return out

    return rows


def caring_rows(scope: Scope):
    return (
        _caring(scope)
        .values(
            "client_id",
            "status_detail",
            **client_fields(),
            message_id=F("pk"),
            due=F("due_at"),
            channel_label=choice_label("channel", Channel.choices),
            status_label=choice_label("status", MessageStatus.choices),
            reason=choice_label("status_reason", SkipReason.choices),
        )
        .order_by("status", "due_at", "pk")
    )


CHECKPOINT_COLUMNS = [
    ("record_number", "Record"),
    ("name", "Client"),
    ("episode_id", "Episode"),
    ("disposition_label", "Disposition"),
    ("clock_started", "Clock started"),
    ("deadline", "Deadline"),
    ("result", "Result"),
    ("met_at", "Met at"),
]

register_panel(
    PanelSpec(
        KEY,
        "Crisis follow-up",
        order=50,
        compute=compute,
        drilldowns=(
            Drilldown(
                "crisis.episodes",
                "Crisis episodes opened in the range",
                [
                    ("record_number", "Record"),
                    ("name", "Client"),
                    ("episode_id", "Episode"),
                    ("opened", "Opened"),
                    ("risk", "Risk"),
                    ("disposition_label", "Disposition"),
                    ("disposed_at", "Disposition at"),
                    ("closed", "Closed"),
                ],
                episode_rows,
            ),
            *[
                Drilldown(f"crisis.checkpoint.{kind}", label, CHECKPOINT_COLUMNS, _checkpoint_rows(kind))
                for kind, label in CHECKPOINT_FIGURES
            ],
            Drilldown(
                "crisis.caring_contacts",
                "Caring-contact messages due in the range",
                [
                    ("record_number", "Record"),
                    ("name", "Client"),
                    ("message_id", "Message"),
                    ("due", "Due"),
                    ("channel_label", "Channel"),
                    ("status_label", "Status"),
                    ("reason", "Reason"),
                    ("status_detail", "Detail"),
                ],
                caring_rows,
            ),
        ),
    )
)
