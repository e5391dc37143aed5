"""Panel 3, the leading-risk list: the morning huddle's list, one row per client, each flag named.

Clients in scope who are not discharged, with at least one flag as of the end of the range. Flags,
most severe first (the list sorts by a client's most severe flag, then by how many flags, then name):

1. ``crisis_7d``: a crisis episode opened in the 30 days up to the end of the range with no met 7-day
   follow-up checkpoint (outpatient appointment within 7 days, or HEDIS FUH/FUA 7-day visit) — still
   open, missed, or no disposition yet. Met is ``crisis.checkpoints.met_q`` (the crisis app's rule).
2. ``cssrs``: a C-SSRS screener scored moderate or high risk in those 30 days (Posner et al. 2011;
   bands in ``clients.assessments.scoring``).
3. ``phq9_item9``: the latest PHQ-9 in those 30 days has item 9 answered above 0 (Kroenke 2001: any
   answer to item 9 warrants a risk assessment).
4. ``urgent_reply``: an urgent reply from the client (a reply to a caring contact or any message,
   raised by ``outreach`` as an urgent "Reply from a client" task) whose task is still open.
5. ``phq9_rise``: the latest PHQ-9 in those 30 days is 5 or more points above the PHQ-9 before it
   (5 points is the PHQ-9's minimal clinically important change; Löwe et al. 2004).
6. ``isolation``: sudden isolation, as defined in the engagement panel.
7. ``no_shows``: the client's two most recent appointments that were due (attended or no-show, before
   the end of the range) were both no-shows.
8. ``med_no_show``: a medication (psychiatric) appointment marked no-show in those 30 days.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from careteam.models import Task, TaskKind, TaskPriority, TaskStatus
from clients.models import Appointment, AppointmentKind, AppointmentStatus, AssessmentResponse, ClientStatus
from crisis.checkpoints import met_q
from crisis.models import CrisisEpisode, FollowUpCheckpoint

from ..metrics import Drilldown, Figure, Panel, PanelSpec, Table, client_name, register_panel
from ..scope import Scope
from .engagement import isolation_rows

LOOKBACK_DAYS = 30
PHQ9_RISE = 5
SEVEN_DAY_CHECKPOINTS = ("outpatient-7d", "fuh-7d")

# (key, label) most severe first: the order is the sort order.
FLAGS: list[tuple[str, str]] = [
    ("crisis_7d", "Crisis in the last 30 days, 7-day follow-up not met"),
    ("cssrs", "C-SSRS moderate or high risk"),
    ("phq9_item9", "PHQ-9 item 9 positive"),
    ("urgent_reply", "Urgent client reply not handled"),
    ("phq9_rise", "PHQ-9 up 5 or more points"),
    ("isolation", "Sudden isolation"),
    ("no_shows", "Two no-shows in a row"),
    ("med_no_show", "Missed medication appointment"),
]
FLAG_LABELS = dict(FLAGS)


def _since(scope: Scope) -> dt.datetime:
    return scope.end_at - dt.timedelta(days=LOOKBACK_DAYS)


def _phq9_before_end(scope: Scope) -> QuerySet:
    return AssessmentResponse.objects.filter(
        client_id=OuterRef("pk"), instrument__code="phq9", administered_at__lt=scope.end_at
    ).order_by("-administered_at", "-id")


def flagged_clients(scope: Scope) -> QuerySet:
    """Clients in scope (not discharged) annotated with one boolean per flag, the severity rank of
    their most severe flag and their flag count; only clients with at least one flag. Two queries
    (sudden isolation first, then this one), whatever the number of clients."""
    since, until = _since(scope), scope.end_at
    isolated = [r["client_id"] for r in isolation_rows(scope)]

    seven_day_met = FollowUpCheckpoint.objects.filter(
        episode_id=OuterRef("pk"), kind__in=SEVEN_DAY_CHECKPOINTS
    ).filter(met_q())
    crisis = CrisisEpisode.objects.filter(
        client_id=OuterRef("pk"), opened_at__gte=since, opened_at__lt=until
    ).filter(~Q(Exists(seven_day_met)))
    cssrs = AssessmentResponse.objects.filter(
        client_id=OuterRef("pk"),
        instrument__code="cssrs_screener",
        band__in=["moderate", "high"],
        administered_at__gte=since,
        administered_at__lt=until,
    )
    phq = _phq9_before_end(scope)
    reply = Task.objects.filter(
        client_id=OuterRef("pk"),
        kind=TaskKind.CLIENT_REPLY,
        priority=TaskPriority.URGENT,
        status=TaskStatus.OPEN,
        created_at__lt=until,
    )
    due = Appointment.objects.filter(
        client_id=OuterRef("pk"),
        status__in=[AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW],
        starts_at__lt=until,
    ).order_by("-starts_at", "-id")
    med_no_show = Appointment.objects.filter(
        client_id=OuterRef("pk"),
        kind=AppointmentKind.MEDICATION,
        status=AppointmentStatus.NO_SHOW,
        starts_at__gte=since,
        starts_at__lt=until,
    )
    qs = (
        scope.clients()
        .exclude(status=ClientStatus.DISCHARGED)
        .annotate(
            phq_at=Subquery(phq.values("administered_at")[:1]),
            phq_total=Subquery(phq.values("total")[:1]),
            phq_prev_total=Subquery(phq.values("total")[1:2]),
            phq_q9=Subquery(
                phq.annotate(q9=Cast(KeyTextTransform("q9", "answers"), IntegerField())).values("q9")[:1]
            ),
            last_due=Subquery(due.values("status")[:1]),
            prev_due=Subquery(due.values("status")[1:2]),
        )
        .annotate(
            f_crisis_7d=Exists(crisis),
            f_cssrs=Exists(cssrs),
            f_phq9_item9=Case(
                When(Q(phq_at__gte=since, phq_q9__gte=1), then=Value(True)), default=Value(False)
            ),
            f_urgent_reply=Exists(reply),
            f_phq9_rise=Case(
                When(Q(phq_at__gte=since, phq_total__gte=F("phq_prev_total") + PHQ9_RISE), then=Value(True)),
                default=Value(False),
            ),
            f_isolation=Case(When(pk__in=isolated, then=Value(True)), default=Value(False)),
            f_no_shows=Case(
                When(
                    Q(last_due=AppointmentStatus.NO_SHOW, prev_due=AppointmentStatus.NO_SHOW),
                    then=Value(True),
                ),
                default=Value(False),
            ),
            f_med_no_show=Exists(med_no_show),
        )
    )
    any_flag = Q()
    for key, _ in FLAGS:
        any_flag |= Q(**{f"f_{key}": True})
    severity = Case(
        *[When(**{f"f_{key}": True}, then=Value(rank)) for rank, (key, _) in enumerate(FLAGS, start=1)],
        default=Value(len(FLAGS) + 1),
        output_field=IntegerField(),
    )
    flag_count = sum(
        (Case(When(**{f"f_{key}": True}, then=Value(1)), default=Value(0)) for key, _ in FLAGS),
        start=Value(0),
    )
    return (
        qs.filter(any_flag)
        .annotate(severity=severity, flag_count=flag_count)
        .order_by("severity", "-flag_count", "legal_last_name", "legal_first_name", "pk")
    )


def risk_rows(scope: Scope, limit: int | None = None) -> list[dict]:
    """The huddle list: one row per flagged client, most severe first, each flag named."""
    fields = [f"f_{key}" for key, _ in FLAGS]
    rows = (
        flagged_clients(scope)
        .values("record_number", "severity", "flag_count", *fields)
        .annotate(client=client_name(), client_id=F("pk"))
    )
    if limit is not None:
        rows = rows[:limit]
    out = []
    for row in rows:
        names = [label for key, label in FLAGS if row[f"f_{key}"]]
        out.append(
            {
                "client_id": row["client_id"],
                "client": row["client"],
                "record_number": row["record_number"],
                "most_severe": names[0],
                "flags": "; ".join(names),
                "flag_count": row["flag_count"],
                "flag_keys": [key for key, _ in FLAGS if row[f"f_{key}"]],
            }
        )
    return out


def flag_counts(scope: Scope) -> dict[str, int]:
    """Clients per flag and in all (one aggregate over the same annotated query)."""
    aggregates = {key: Count("pk", filter=Q(**{f"f_{key}": True})) for key, _ in FLAGS}
    return flagged_clients(scope).order_by().aggregate(total=Count("pk"), **aggregates)


HUDDLE_TOP = 10


def compute(scope: Scope) -> Panel:
    counts = flag_counts(scope)
    rows = risk_rows(scope, limit=HUDDLE_TOP)
    definition = (
        "Clients in the selected teams (not discharged) with at least one leading-risk flag as of the end "
        "of the range, most severe flag first: "
        + "; ".join(f"{i}. {label}" for i, (_, label) in enumerate(FLAGS, start=1))
        + ". Look-back for crises, screens, PHQ-9 and medication no-shows: 30 days."
    )
    return Panel(
        key="risk",
        title="Leading risk",
        figures=[
            Figure(
                key="risk.flagged",
                label="Clients with a risk flag",
                value=counts["total"],
                unit="clients",
                definition=definition,
                drilldown="risk.list",
            )
        ],
        tables=[
            Table(
                key="risk.huddle",
                label=f"Huddle list (the {HUDDLE_TOP} most severe)",
                columns=[("client", "Client"), ("record_number", "Record"), ("flags", "Flags")],
                rows=rows,
                drilldown="risk.list",
                definition=definition,
            ),
            Table(
                key="risk.by_flag",
                label="Clients per flag",
                columns=[("flag", "Flag"), ("clients", "Clients")],
                rows=[{"flag": label, "clients": counts[key]} for key, label in FLAGS],
                drilldown="risk.list",
                definition="A client with several flags is counted under each.",
            ),
        ],
    )


PANEL = PanelSpec(
    key="risk",
    title="Leading risk",
    order=30,
    compute=compute,
    drilldowns=(
        Drilldown(
            key="risk.list",
            label="Leading-risk list (huddle)",
            columns=[
                ("client", "Client"),
                ("record_number", "Record"),
                ("most_severe", "Most severe flag"),
                ("flags", "All flags"),
                ("flag_count", "Flags"),
            ],
            rows=risk_rows,
        ),
    ),
)
register_panel(PANEL)
