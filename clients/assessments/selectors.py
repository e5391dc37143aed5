"""Reads of instruments and assessment responses, scoped to what the user may see.

Scores are clinical information: a minimum-necessary user (peer specialist)
gets none of them from here, whatever clients they may otherwise see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils import timezone

from careteam import access
from careteam.minimum_necessary import Section, section_can_see
from careteam.models import CareTeamAssignment, CaseRole, User
from clients.models import AssessmentResponse, Client, ClientStatus, Instrument

from . import scoring
from .charts import TrendChart, trend_chart

VIEW_SCORES = "clients.view_assessmentresponse"
ADMINISTER = "clients.add_assessmentresponse"
# Whose clients count as "mine" for assessments due: the clinicians who measure them.
MEASURING_ROLES = (CaseRole.PRIMARY_COUNSELOR, CaseRole.CASE_MANAGER)
DUE_LIMIT = 15


def scores_can_see(user: User) -> bool:
    """The role reads assessment scores and may see the scores section (``careteam.minimum_necessary``:
    peer specialists never do)."""
    return user.is_authenticated and user.has_perm(VIEW_SCORES) and section_can_see(user, Section.SCORES)


def assessments_can_administer(user: User, client: Client) -> bool:
    """Administers an instrument to this client: the role scores and the user may change the client's
    record (a view-only place on the care team reads scores but records none)."""
    return user.has_perm(ADMINISTER) and access.client_can_access(user, client, access.CHANGE)


def instrument_list() -> QuerySet[Instrument]:
    return Instrument.objects.filter(is_active=True).order_by("name")


def instrument_get(code: str) -> Instrument:
    try:
        return instrument_list().get(code=code)
    except Instrument.DoesNotExist:
        raise Http404("No such instrument.") from None


def assessment_list_for_user(
    user: User, *, client: int | None = None, instrument: str | None = None
) -> QuerySet[AssessmentResponse]:
    """Responses of the clients ``user`` may see; none at all for a minimum-necessary user."""
    if not scores_can_see(user):
        return AssessmentResponse.objects.none()
    qs = AssessmentResponse.objects.filter(client__in=access.clients_visible_to(user).values("pk"))
    if client is not None:
        qs = qs.filter(client_id=client)
    if instrument:
        qs = qs.filter(instrument__code=instrument)
    return qs.select_related("instrument", "administered_by", "client")


def assessment_get_for_user(user: User, pk) -> AssessmentResponse:
    try:
        return assessment_list_for_user(user).get(pk=pk)
    except (AssessmentResponse.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assessment.") from None


# --- the chart tab ---------------------------------------------------------------------------------


@dataclass
class Point:
    response: AssessmentResponse
    band_label: str
    change: int | None = None  # since the previous administration
    higher_is_better: bool = False

    @property
    def change_described(self) -> Change | None:
        return describe_change(self.change, self.higher_is_better)


@dataclass
class InstrumentHistory:
    instrument: Instrument
    points: list[Point] = field(default_factory=list)  # oldest first
    chart: TrendChart | None = None

    @property
    def latest(self) -> Point:
        return self.points[-1]

    @property
    def baseline(self) -> Point:
        return self.points[0]

    @property
    def newest_first(self) -> list[Point]:
        return self.points[::-1]

    @property
    def change_since_baseline(self) -> int | None:
        return (
            _diff(self.latest.response.total, self.baseline.response.total) if len(self.points) > 1 else None
        )

    @property
    def change_since_previous(self) -> int | None:
        return self.latest.change

    @property
    def higher_is_better(self) -> bool:
        return self.instrument.scoring_rule in scoring.HIGHER_IS_BETTER

    @property
    def baseline_change(self) -> Change | None:
        return describe_change(self.change_since_baseline, self.higher_is_better)

    @property
    def previous_change(self) -> Change | None:
        return describe_change(self.change_since_previous, self.higher_is_better)


@dataclass(frozen=True)
class Change:
    """A change in total, signed, and what it means for this instrument."""

    text: str  # "+3", "-5", "0" (typographic minus)
    meaning: str  # "better", "worse", "no change"
    css: str  # a Bootstrap text colour


def describe_change(delta: int | None, higher_is_better: bool = False) -> Change | None:
    if delta is None:
        return None
    if delta == 0:
        return Change("0", "no change", "text-body-secondary")
    better = (delta > 0) == higher_is_better
    text = f"+{delta}" if delta > 0 else f"\u2212{abs(delta)}"
    return Change(text, "better" if better else "worse", "text-success" if better else "text-danger")


def _diff(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a - b


def assessment_history_for_client(client: Client) -> list[InstrumentHistory]:
    """Every instrument the client was measured with, its responses oldest first, and a trend chart.

    One query whatever the number of responses (instrument and administering user joined in).
    """
    histories: dict[int, InstrumentHistory] = {}
    responses = (
        AssessmentResponse.objects.filter(client=client)
        .select_related("instrument", "administered_by")
        .order_by("instrument__name", "administered_at", "id")
    )
    for response in responses:
        history = histories.setdefault(response.instrument_id, InstrumentHistory(response.instrument))
        previous = history.points[-1].response.total if history.points else None
        history.points.append(
            Point(
                response=response,
                band_label=scoring.band_label(response.instrument.scoring_rule, response.band),
                change=_diff(response.total, previous),
                higher_is_better=response.instrument.scoring_rule in scoring.HIGHER_IS_BETTER,
            )
        )
    for history in histories.values():
        history.chart = trend_chart(
            history.instrument.scoring_rule,
            [p.response for p in history.points],
            sex_at_birth=client.sex_at_birth,
        )
    return list(histories.values())


# How long a moderate or high C-SSRS screen keeps the client flagged: the 30 days of the huddle's
# leading-risk "cssrs" flag (dashboards/panels/risk.py). Read by the chart alert and the caseload column.
CSSRS_RISK_LOOKBACK_DAYS = 30


def latest_cssrs_risk(client: Client) -> dict | None:
    """The latest C-SSRS screener scored moderate or high (``scoring.CSSRS_RISK_BANDS``, Posner et al.
    2011) in the last ``CSSRS_RISK_LOOKBACK_DAYS`` days (band, when), as the huddle list counts it: a
    later low screen within the window does not clear it. One query."""
    since = timezone.now() - dt.timedelta(days=CSSRS_RISK_LOOKBACK_DAYS)
    return (
        AssessmentResponse.objects.filter(
            client=client,
            instrument__scoring_rule="cssrs_screener",
            band__in=sorted(scoring.CSSRS_RISK_BANDS),
            administered_at__gte=since,
        )
        .order_by("-administered_at", "-id")
        .values("band", "administered_at")
        .first()
    )


def latest_phq9_risk(client: Client) -> dict | None:
    """The latest PHQ-9 (answers, flags, when) if it carries the suicide-risk flag. One query."""
    latest = (
        AssessmentResponse.objects.filter(client=client, instrument__scoring_rule="phq9")
        .order_by("-administered_at", "-id")
        .values("answers", "flags", "administered_at")
        .first()
    )
    if latest is None or scoring.SUICIDE_RISK not in (latest["flags"] or []):
        return None
    return latest


# --- Today: assessments due ------------------------------------------------------------------------


@dataclass(frozen=True)
class DueAssessment:
    client_id: int
    client_name: str
    record_number: str
    instrument_code: str
    instrument_name: str
    last_at: dt.datetime
    due_on: dt.date
    days_overdue: int


def assessments_due_for_user(user: User, *, now: dt.datetime | None = None) -> list[DueAssessment]:
    """Instruments with a cadence whose last response is older than the cadence, for the active
    clients the user measures (primary counselor or case manager). Only instruments the client was
    measured with at least once. One query whatever the caseload: the last response per client and
    instrument is aggregated in the database; the cadence comparison is done here."""
    now = now or timezone.now()
    mine = (
        CareTeamAssignment.objects.active().filter(staff=user, role__in=MEASURING_ROLES).values("client_id")
    )
    rows = (
        AssessmentResponse.objects.filter(
            client__in=mine,
            client__status=ClientStatus.ACTIVE,
            client__archived_at__isnull=True,
            instrument__is_active=True,
            instrument__cadence_days__isnull=False,
        )
        .values(
            "client_id",
            "client__preferred_name",
            "client__legal_first_name",
            "client__legal_last_name",
            "client__record_number",
            "instrument__code",
            "instrument__name",
            "instrument__cadence_days",
        )
        .annotate(last_at=Max("administered_at"))
        .order_by()
    )
    due = []
    for row in rows:
        due_at = row["last_at"] + dt.timedelta(days=row["instrument__cadence_days"])
        if due_at > now:
            continue
        first = row["client__preferred_name"] or row["client__legal_first_name"]
        due.append(
            DueAssessment(
                client_id=row["client_id"],
                client_name=f"{first} {row['client__legal_last_name']}",
                record_number=row["client__record_number"] or "",
                instrument_code=row["instrument__code"],
                instrument_name=row["instrument__name"],
                last_at=row["last_at"],
                due_on=timezone.localtime(due_at).date(),
                days_overdue=(now - due_at).days,
            )
        )
    due.sort(key=lambda d: (-d.days_overdue, d.client_name, d.instrument_name))
    return due
