"""Panel 6 — treatment and outcomes: plan reviews and note signing behind, goals met by their measure,
PHQ-9 / GAD-7 change from baseline, and the BARC-10 recovery-capital trend.

Clinical thresholds come from ``clients.assessments.scoring`` (one source with the scoring rules and
their published sources): PHQ-9 (Kroenke, Spitzer & Williams 2001) and GAD-7 (Spitzer et al. 2006)
score below 5 as "minimal" — used here as remission, as in the NCQA depression-remission measures
(PHQ-9 < 5), which count only people who started with an elevated score (PHQ-9 > 9): the improvement
and remission rates here use the same denominator (``scoring.ELEVATED_FROM``). A fall of 5 or more
points is the usual threshold of clinically meaningful improvement (Löwe et al. 2004;
``scoring.MEANINGFUL_CHANGE``). BARC-10 (Vilsaint et al. 2017) totals 10 to 60, higher is more
recovery capital.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    RowRange,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Concat, FirstValue, RowNumber, TruncMonth
from django.utils import timezone

from clients.assessments import scoring
from clients.models import AssessmentResponse, EncounterNote, NoteStatus
from plans import selectors as plan_selectors
from plans.models import Goal, PlanStatus, TreatmentPlan

from ..metrics import (
    Drilldown,
    Figure,
    Median,
    Panel,
    PanelSpec,
    Series,
    client_fields,
    rate,
    register_panel,
)
from ..scope import Scope

KEY = "treatment"
UNSIGNED_HOURS = 72
TREND_MONTHS = 6
OUTCOME_INSTRUMENTS = (("phq9", "PHQ-9"), ("gad7", "GAD-7"))


def _today(scope: Scope) -> dt.date:
    return timezone.localtime(timezone.now(), scope.tz).date()


def _plans_overdue(scope: Scope) -> QuerySet[TreatmentPlan]:
    return TreatmentPlan.objects.filter(
        client__in=scope.clients(), status=PlanStatus.ACTIVE, review_due_on__lt=_today(scope)
    )


def _notes_unsigned(scope: Scope) -> QuerySet[EncounterNote]:
    return EncounterNote.objects.filter(
        client__in=scope.clients(),
        status=NoteStatus.DRAFT,
        created_at__lte=timezone.now() - dt.timedelta(hours=UNSIGNED_HOURS),
    )


def _cosign_backlog(scope: Scope) -> QuerySet[EncounterNote]:
    return EncounterNote.objects.filter(
        client__in=scope.clients(), status=NoteStatus.SIGNED, requires_cosign=True, cosigned_at__isnull=True
    )


def _outcome_scores(scope: Scope) -> QuerySet[AssessmentResponse]:
    """One row per client in scope and outcome instrument (``code``): the client's latest score up to the
    end of the range, kept when they have two or more scores by then and the latest is inside the range;
    annotated with ``n_scores`` (scores by the end), ``baseline`` / ``baseline_at`` (the first score
    ever), ``latest`` / ``latest_at`` (the last one by the end) and ``change`` (latest - baseline).

    The figures (both instruments, one aggregate) and the drill-downs (``.filter(code=...)``) read these
    same rows. Set-based, one statement: window functions over the scores of the clients in scope,
    partitioned by client and instrument, oldest first (ties by id, as the chart lists them); the latest
    score is the row whose position is the count. Filters on window annotations apply after the windows,
    so ``n_scores`` and ``baseline`` see every score; a filter on ``code`` applies before them, which
    changes nothing since a partition is one instrument.
    """

    # The same window for every annotation (the whole partition as the frame), so PostgreSQL sorts the
    # scores once and computes them all in one pass.
    def over(expression):
        return Window(
            expression,
            partition_by=[F("client_id"), F("instrument_id")],
            order_by=[F("administered_at").asc(), F("id").asc()],
            frame=RowRange(start=None, end=None),
        )

    return (
        AssessmentResponse.objects.filter(
            client__in=scope.clients(),
            instrument__code__in=[code for code, _ in OUTCOME_INSTRUMENTS],
            total__isnull=False,
            administered_at__lt=scope.end_at,
        )
        .annotate(
            code=F("instrument__code"),
            n_scores=over(Count("pk")),
            position=over(RowNumber()),
            baseline=over(FirstValue("total")),
            baseline_at=over(FirstValue("administered_at")),
            latest_at=over(Max("administered_at")),
        )
        .filter(position=F("n_scores"), n_scores__gte=2, latest_at__gte=scope.start_at)
        .annotate(latest=F("total"), change=F("total") - F("baseline"))
    )


def _barc_scores(scope: Scope, months: list[dt.date]) -> QuerySet[AssessmentResponse]:
    since = dt.datetime.combine(months[0], dt.time.min, tzinfo=scope.tz)
    return AssessmentResponse.objects.filter(
        client__in=scope.clients(),
        instrument__code="barc10",
        total__isnull=False,
        administered_at__gte=since,
        administered_at__lt=scope.end_at,
    )


def _months(scope: Scope) -> list[dt.date]:
    """First days of the months the range touches, going back at least ``TREND_MONTHS`` months."""
    last = scope.end.replace(day=1)
    first = scope.start.replace(day=1)
    back = last
    for _ in range(TREND_MONTHS - 1):
        back = (back - dt.timedelta(days=1)).replace(day=1)
    first = min(first, back)
    months = []
    while first <= last:
        months.append(first)
        first = (first + dt.timedelta(days=32)).replace(day=1)
    return months


def _measured_goals(scope: Scope) -> QuerySet[Goal]:
    """Goals measured by an instrument on the active plans of the clients in scope, each with the
    client's latest score on that instrument (``latest_total``) and whether it was taken since the plan
    started (``scored_since``: signed, or created for a plan never signed)."""
    latest = AssessmentResponse.objects.filter(
        client_id=OuterRef("problem__plan__client_id"),
        instrument_id=OuterRef("measure_instrument_id"),
        total__isnull=False,
    ).order_by("-administered_at", "-id")
    return (
        Goal.objects.filter(
            problem__plan__client__in=scope.clients(),
            problem__plan__status=PlanStatus.ACTIVE,
            measure_instrument__isnull=False,
        )
        .annotate(
            latest_total=Subquery(latest.values("total")[:1]),
            latest_at=Subquery(latest.values("administered_at")[:1]),
            started_at=Coalesce("problem__plan__signed_at", "problem__plan__created_at"),
        )
        .annotate(
            scored_since=Case(
                When(latest_at__gte=F("started_at"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def _goals_by_measure(scope: Scope) -> dict[str, int]:
    """Measured goals counted by ``plans.selectors.goal_measure_status`` (the rule the plan tab and the
    reviews apply). One statement: the goals are grouped in the database by what the rule reads
    (comparator, target, latest score, scored since the plan started), so the rule runs once per
    group — a few hundred at most — not once per goal."""
    counts = dict.fromkeys(
        (plan_selectors.MEASURE_MET, plan_selectors.MEASURE_NOT_YET, plan_selectors.MEASURE_NO_SCORE), 0
    )
    groups = (
        _measured_goals(scope)
        .values("measure_comparator", "measure_target", "latest_total", "scored_since")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in groups:
        status = plan_selectors.goal_measure_status(
            comparator=row["measure_comparator"],
            target=row["measure_target"],
            latest_total=row["latest_total"],
            scored_since=bool(row["scored_since"]),
        )
        counts[status] += row["n"]
    return counts


def compute(scope: Scope) -> Panel:
    figures = [
        Figure(
            "treatment.plans_overdue",
            "Plans overdue for review",
            _plans_overdue(scope).count(),
            "plans",
            "Right now, whatever the range: active treatment plans whose review date is before today.",
            drilldown="treatment.plans_overdue",
        ),
        Figure(
            "treatment.notes_unsigned",
            f"Notes unsigned after {UNSIGNED_HOURS} h",
            _notes_unsigned(scope).count(),
            "notes",
            f"Right now: encounter notes still in draft {UNSIGNED_HOURS} hours or more after they were "
            "started.",
            drilldown="treatment.notes_unsigned",
        ),
        Figure(
            "treatment.cosign_backlog",
            "Co-signature backlog",
            _cosign_backlog(scope).count(),
            "notes",
            "Right now: signed notes that need a supervisor's co-signature and do not have it yet.",
            drilldown="treatment.cosign_backlog",
        ),
    ]
    by_measure = _goals_by_measure(scope)
    measured = sum(by_measure.values())
    right_now = "Right now, whatever the range: goals measured by an instrument (e.g. PHQ-9 below 10) on "
    figures += [
        Figure(
            "treatment.goals_measured",
            "Goals measured by a score",
            measured,
            "goals",
            right_now + "active treatment plans.",
        ),
        Figure(
            "treatment.goals_met",
            "Measured goals met",
            rate(by_measure[plan_selectors.MEASURE_MET], measured),
            "%",
            right_now + "active plans, whose latest score on the instrument, taken since the plan started, "
            "meets the target.",
            numerator=by_measure[plan_selectors.MEASURE_MET],
            denominator=measured,
        ),
        Figure(
            "treatment.goals_not_yet",
            "Measured goals not met yet",
            by_measure[plan_selectors.MEASURE_NOT_YET],
            "goals",
            right_now + "active plans, whose latest score, taken since the plan started, does not meet "
            "the target yet.",
        ),
        Figure(
            "treatment.goals_no_score",
            "Measured goals with no score since the plan started",
            by_measure[plan_selectors.MEASURE_NO_SCORE],
            "goals",
            right_now + "active plans, with no score on the instrument since the plan was signed.",
        ),
    ]
    # Both instruments in one statement: each figure aggregates that instrument's rows (FILTER by code).
    wanted = {}
    for code, _ in OUTCOME_INSTRUMENTS:
        this = Q(code=code)
        elevated = this & Q(baseline__gte=scoring.ELEVATED_FROM[code])
        wanted |= {
            f"{code}_n": Count("pk", filter=this),
            f"{code}_elevated": Count("pk", filter=elevated),
            f"{code}_improved": Count(
                "pk", filter=elevated & Q(change__lte=-scoring.MEANINGFUL_CHANGE[code])
            ),
            f"{code}_remission": Count("pk", filter=elevated & Q(latest__lt=scoring.REMISSION_BELOW[code])),
            f"{code}_median": Median("change", filter=this),
        }
    outcomes = _outcome_scores(scope).aggregate(**wanted)
    for code, name in OUTCOME_INSTRUMENTS:
        elevated_from = scoring.ELEVATED_FROM[code]
        improved_points = scoring.MEANINGFUL_CHANGE[code]
        remission_below = scoring.REMISSION_BELOW[code]
        agg = {key: outcomes[f"{code}_{key}"] for key in ("n", "elevated", "improved", "remission")}
        middle = outcomes[f"{code}_median"]
        scope_words = (
            f"clients with two or more {name} scores up to the last day of the range, the latest of them "
            "inside the range; baseline is the first score ever recorded, latest the last one by the end "
            "of the range"
        )
        figures += [
            Figure(
                f"treatment.{code}_median_change",
                f"{name}: median change from baseline",
                None if middle is None else round(float(middle), 1),
                "points",
                f"Median of (latest - baseline) over the {scope_words}. Negative is better.",
                numerator=agg["n"],
                drilldown=f"treatment.{code}_change",
            ),
            Figure(
                f"treatment.{code}_improved_pct",
                f"{name}: improved by {improved_points}+ points",
                rate(agg["improved"], agg["elevated"]),
                "%",
                f"Of the {scope_words}, those whose baseline was {elevated_from} or more: the share "
                f"whose latest score is at least {improved_points} points below the baseline.",
                numerator=agg["improved"],
                denominator=agg["elevated"],
                drilldown=f"treatment.{code}_change",
            ),
            Figure(
                f"treatment.{code}_remission_pct",
                f"{name}: in remission (latest < {remission_below})",
                rate(agg["remission"], agg["elevated"]),
                "%",
                f"Of the {scope_words}, those whose baseline was {elevated_from} or more: the share "
                f"whose latest score is below {remission_below} (minimal).",
                numerator=agg["remission"],
                denominator=agg["elevated"],
                drilldown=f"treatment.{code}_change",
            ),
        ]
    months = _months(scope)
    by_month = {
        (row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]): row["mean"]
        for row in _barc_scores(scope, months)
        .annotate(month=TruncMonth("administered_at", tzinfo=scope.tz))
        .values("month")
        .annotate(mean=Avg("total"))
        .order_by("month")
    }
    series = [
        Series(
            "treatment.barc10_trend",
            "BARC-10: mean total per month",
            "points (10 to 60)",
            [
                (m.strftime("%Y-%m"), None if by_month.get(m) is None else round(float(by_month[m]), 1))
                for m in months
            ],
            definition=f"Mean BARC-10 total of the check-ins recorded each calendar month (site time zone), "
            f"for the months of the range and at least the {TREND_MONTHS} months up to its end; a month "
            f"with no check-in has no point. {scoring.BARC10_REMISSION_CUTOFF} or more is associated with "
            "sustained remission.",
            drilldown="treatment.barc10_scores",
        )
    ]
    return Panel(KEY, "Treatment and outcomes", figures=figures, series=series)


def plans_overdue_rows(scope: Scope):
    return (
        _plans_overdue(scope)
        .values("client_id", "version", "review_due_on", **client_fields(), plan_id=F("pk"))
        .order_by("review_due_on", "pk")
    )


def _author():
    return Concat(F("author__first_name"), Value(" "), F("author__last_name"))


def notes_unsigned_rows(scope: Scope):
    return (
        _notes_unsigned(scope)
        .values(
            "client_id", **client_fields(), note_id=F("pk"), author_name=_author(), started=F("created_at")
        )
        .order_by("created_at", "pk")
    )


def cosign_rows(scope: Scope):
    return (
        _cosign_backlog(scope)
        .values("client_id", **client_fields(), note_id=F("pk"), author_name=_author(), signed=F("signed_at"))
        .order_by("signed_at", "pk")
    )


def _change_rows(code: str):
    def rows(scope: Scope):
        return (
            _outcome_scores(scope)
            .filter(code=code)
            .values(
                "client_id",
                "baseline",
                "baseline_at",
                "latest",
                "latest_at",
                "change",
                "n_scores",
                **client_fields(),
            )
            .order_by("change", "client__legal_last_name", "client_id")
        )

    return rows


def barc_rows(scope: Scope):
    return (
        _barc_scores(scope, _months(scope))
        .values("client_id", "total", **client_fields(), administered=F("administered_at"))
        .order_by("administered_at", "pk")
    )


CHANGE_COLUMNS = [
    ("record_number", "Record"),
    ("name", "Client"),
    ("baseline", "Baseline"),
    ("baseline_at", "Baseline on"),
    ("latest", "Latest"),
    ("latest_at", "Latest on"),
    ("change", "Change"),
    ("n_scores", "Scores"),
]

register_panel(
    PanelSpec(
        KEY,
        "Treatment and outcomes",
        order=60,
        compute=compute,
        drilldowns=(
            Drilldown(
                "treatment.plans_overdue",
                "Treatment plans overdue for review",
                [
                    ("record_number", "Record"),
                    ("name", "Client"),
                    ("version", "Plan version"),
                    ("review_due_on", "Review was due"),
                ],
                plans_overdue_rows,
            ),
            Drilldown(
                "treatment.notes_unsigned",
                f"Notes unsigned after {UNSIGNED_HOURS} hours",
                [
                    ("record_number", "Record"),
                    ("name", "Client"),
                    ("note_id", "Note"),
                    ("author_name", "Author"),
                    ("started", "Started"),
                ],
                notes_unsigned_rows,
            ),
            Drilldown(
                "treatment.cosign_backlog",
                "Notes waiting for a co-signature",
                [
                    ("record_number", "Record"),
                    ("name", "Client"),
                    ("note_id", "Note"),
                    ("author_name", "Author"),
                    ("signed", "Signed"),
                ],
                cosign_rows,
            ),
            *[
                Drilldown(
                    f"treatment.{code}_change",
                    f"{name} change from baseline",
                    CHANGE_COLUMNS,
                    _change_rows(code),
                )
                for code, name in OUTCOME_INSTRUMENTS
            ],
            Drilldown(
                "treatment.barc10_scores",
                "BARC-10 check-ins in the trend",
                [
                    ("record_number", "Record"),
                    ("name", "Client"),
                    ("administered", "Recorded"),
                    ("total", "Total"),
                ],
                barc_rows,
            ),
        ),
    )
)
