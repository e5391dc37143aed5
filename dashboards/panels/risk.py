"""Panel 3, the leading-risk list: the morning huddle's list, one row per client, each flag named.

Clients in scope who are not discharged, with at least one flag as of the end of the range. Flags,
most severe first (the list sorts by a client's most severe flag, then by how many flags, then name):

1. ``crisis_7d``: a crisis episode opened in the 30 days up to the end of the range with no met 7-day
   follow-up checkpoint (outpatient appointment within 7 days, or HEDIS FUH/FUA 7-day visit) — still
   open, missed, or no disposition yet. Met is ``crisis.checkpoints.met_q`` (the crisis app's rule).
2. ``cssrs``: a C-SSRS screener scored moderate or high risk in those 30 days (Posner et al. 2011;
   ``scoring.CSSRS_RISK_BANDS``, the bands that raise the suicide-risk flag when it is scored).
3. ``phq9_item9``: the latest PHQ-9 in those 30 days has item 9 answered above 0 (Kroenke 2001: any
   answer to item 9 warrants a risk assessment; ``scoring.PHQ9_ITEM9_FLAG_FROM``, the same rule that
   flags the response when it is scored).
4. ``urgent_reply``: an urgent reply from the client (a reply to a caring contact or any message,
   raised by ``outreach`` as an urgent "Reply from a client" task) whose task is still open.
5. ``phq9_rise``: the latest PHQ-9 in those 30 days is 5 or more points above the PHQ-9 before it
   (5 points is the PHQ-9's minimal clinically important change; Löwe et al. 2004;
   ``scoring.MEANINGFUL_CHANGE``).
6. ``isolation``: sudden isolation, as defined in the engagement panel.
7. ``no_shows``: the client's two most recent appointments that were due (attended or no-show, before
   the end of the range) were both no-shows.
8. ``med_no_show``: a medication (psychiatric) appointment marked no-show in those 30 days.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from careteam.models import Task, TaskKind, TaskPriority, TaskStatus
from clients.assessments import scoring
from clients.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    AssessmentResponse,
    Client,
    ClientStatus,
)
from crisis.checkpoints import met_q
from crisis.models import CrisisEpisode, FollowUpCheckpoint

from ..metrics import Drilldown, Figure, Panel, PanelSpec, Table, register_panel
from ..scope import Scope
from .engagement import isolation_rows

LOOKBACK_DAYS = 30
PHQ9_RISE = scoring.MEANINGFUL_CHANGE["phq9"]
SEVEN_DAY_CHECKPOINTS = ("outpatient-7d", "fuh-7d")

# (key, label) most severe first: the order is the sort order.
FLAGS: list[tuple[str, str]] = [
    ("crisis_7d", "Crisis in the last 30 days, 7-day follow-up not met"),
    ("cssrs", "C-SSRS moderate or high risk"),
    ("phq9_item9", "PHQ-9 item 9 positive"),
    ("urgent_reply", "Urgent client reply not handled"),
    ("phq9_rise", f"PHQ-9 up {PHQ9_RISE} or more points"),
    ("isolation", "Sudden isolation"),
    ("no_shows", "Two no-shows in a row"),
    ("med_no_show", "Missed medication appointment"),
]
FLAG_LABELS = dict(FLAGS)


def _since(scope: Scope) -> dt.datetime:
    return scope.end_at - dt.timedelta(days=LOOKBACK_DAYS)


def _measured(scope: Scope) -> QuerySet:
    """The clients the list is about: in scope and not discharged."""
    return scope.clients().exclude(status=ClientStatus.DISCHARGED)


def _latest_phq9(scope: Scope) -> QuerySet:
    """Each measured client's latest PHQ-9 before the end of the range, when it falls in the look-back,
    with ``q9`` (item 9's answer) and ``prev_total`` (the total of the PHQ-9 before it)."""
    since, until = _since(scope), scope.end_at
    same_client = {"client_id": OuterRef("client_id"), "instrument_id": OuterRef("instrument_id")}
    later = AssessmentResponse.objects.filter(**same_client, administered_at__lt=until).filter(
        Q(administered_at__gt=OuterRef("administered_at"))
        | Q(administered_at=OuterRef("administered_at"), pk__gt=OuterRef("pk"))
    )
    earlier = (
        AssessmentResponse.objects.filter(**same_client)
        .filter(
            Q(administered_at__lt=OuterRef("administered_at"))
            | Q(administered_at=OuterRef("administered_at"), pk__lt=OuterRef("pk"))
        )
        .order_by("-administered_at", "-pk")
    )
    # The look-back's PHQ-9s of measured clients, by id: read from an index
    # (``clients_assess_instr_at_idx``) so only those rows, not every team's, are fetched.
    in_window = AssessmentResponse.objects.filter(
        client__in=_measured(scope).values("pk"),
        instrument__code="phq9",
        administered_at__gte=since,
        administered_at__lt=until,
    ).values("pk")
    return (
        AssessmentResponse.objects.filter(pk__in=in_window)
        .exclude(Exists(later))
        .annotate(
            q9=Cast(KeyTextTransform(scoring.PHQ9_ITEM9, "answers"), IntegerField()),
            prev_total=Subquery(earlier.values("total")[:1]),
        )
    )


# The PHQ-9 flags are conditions on each client's latest PHQ-9 (``_latest_phq9``), found once per
# request as the ``phq`` set of the statement; the other flags are queries (``flag_queries``). The
# cut-points are the scoring module's integers (formatted in, as ``int``s, never text).
PHQ_FLAGS = {
    "phq9_item9": f"q9 >= {int(scoring.PHQ9_ITEM9_FLAG_FROM)}",
    "phq9_rise": f"total >= prev_total + {int(PHQ9_RISE)}",
}


def flag_queries(scope: Scope) -> dict[str, QuerySet]:
    """For each flag but the PHQ-9 ones, one query of the ids of the measured clients who carry it
    (``cid``).

    Each is uncorrelated with the others and limited to the clients in scope, so the database finds
    each set once, from the rows of the look-back window (or, for no-shows, each client's two latest
    due appointments), instead of testing every flag against every client.
    """
    since, until = _since(scope), scope.end_at
    measured = _measured(scope).values("pk")
    seven_day_met = FollowUpCheckpoint.objects.filter(
        episode_id=OuterRef("pk"), kind__in=SEVEN_DAY_CHECKPOINTS
    ).filter(met_q())
    due = Appointment.objects.filter(
        client_id=OuterRef("pk"),
        status__in=[AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW],
        starts_at__lt=until,
    ).order_by("-starts_at", "-id")
    isolated = [r["client_id"] for r in isolation_rows(scope)]
    return {
        "crisis_7d": CrisisEpisode.objects.filter(
            client__in=measured, opened_at__gte=since, opened_at__lt=until
        )
        .exclude(Exists(seven_day_met))
        .values(cid=F("client_id")),
        "cssrs": AssessmentResponse.objects.filter(
            client__in=measured,
            instrument__code="cssrs_screener",
            band__in=sorted(scoring.CSSRS_RISK_BANDS),
            administered_at__gte=since,
            administered_at__lt=until,
        ).values(cid=F("client_id")),
        "urgent_reply": Task.objects.filter(
            client__in=measured,
            kind=TaskKind.CLIENT_REPLY,
            priority=TaskPriority.URGENT,
            status=TaskStatus.OPEN,
            created_at__lt=until,
        ).values(cid=F("client_id")),
        "isolation": _measured(scope).filter(pk__in=isolated).values(cid=F("pk")),
        "no_shows": _measured(scope)
        .annotate(last_due=Subquery(due.values("status")[:1]), prev_due=Subquery(due.values("status")[1:2]))
        .filter(last_due=AppointmentStatus.NO_SHOW, prev_due=AppointmentStatus.NO_SHOW)
        .values(cid=F("pk")),
        "med_no_show": Appointment.objects.filter(
            client__in=measured,
            kind=AppointmentKind.MEDICATION,
            status=AppointmentStatus.NO_SHOW,
            starts_at__gte=since,
            starts_at__lt=until,
        ).values(cid=F("client_id")),
    }


def _flagged_sql(scope: Scope, limit: int | None) -> tuple[str, list]:
    """One statement: the flag sets (``flag_queries``) united, grouped per client, joined to the client
    for the name; window totals carry the count per flag on every row, so the top of the list and the
    counts come from one pass whatever the ``limit``. Only integers and table/column names are
    formatted into the SQL; every value is a parameter of the ORM-built parts."""
    queries = flag_queries(scope)
    try:
        phq_sql, params = (
            _latest_phq9(scope)
            .order_by()
            .values("q9", "total", "prev_total", cid=F("client_id"))
            .query.sql_with_params()
        )
    except EmptyResultSet:  # no team in scope
        return "", []
    params = list(params)
    members = []
    for rank, (key, _) in enumerate(FLAGS, start=1):
        if key in PHQ_FLAGS:
            members.append(f"SELECT cid, {rank} FROM phq WHERE {PHQ_FLAGS[key]}")  # noqa: S608
            continue
        try:
            sql, member_params = queries[key].order_by().query.sql_with_params()
        except EmptyResultSet:  # e.g. nobody is isolated: ``pk IN ()`` has no SQL
            continue
        members.append(f"SELECT flag_set.cid, {rank} FROM ({sql}) flag_set")  # noqa: S608
        params += member_params
    per_flag = ", ".join(
        f"MAX(CASE WHEN flag = {rank} THEN 1 ELSE 0 END) AS f_{key}"
        for rank, (key, _) in enumerate(FLAGS, start=1)
    )
    totals = ", ".join(f"SUM(p.f_{key}) OVER () AS n_{key}" for key, _ in FLAGS)
    flags = ", ".join(f"p.f_{key}" for key, _ in FLAGS)
    client = Client._meta.db_table
    sql = f"""
        WITH phq AS ({phq_sql}),
        flags (client_id, flag) AS ({" UNION ALL ".join(members)}),
        per_client AS (
            SELECT client_id, MIN(flag) AS severity, COUNT(DISTINCT flag) AS flag_count, {per_flag}
              FROM flags GROUP BY client_id
        )
        SELECT c.id, c.record_number,
               COALESCE(NULLIF(c.preferred_name, ''), c.legal_first_name) || ' ' || c.legal_last_name,
               p.severity, p.flag_count, {flags}, COUNT(*) OVER () AS total, {totals}
          FROM per_client p JOIN {client} c ON c.id = p.client_id
         ORDER BY p.severity, p.flag_count DESC, c.legal_last_name, c.legal_first_name, c.id
    """  # noqa: S608
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    return sql, params


def _huddle(scope: Scope, limit: int | None) -> tuple[list[dict], dict[str, int]]:
    """The flagged clients, most severe first (the first ``limit`` of them), and the clients per flag
    and in all over the whole list — one query (two when the isolation rows are not yet computed)."""
    counts = {"total": 0, **{key: 0 for key, _ in FLAGS}}
    sql, params = _flagged_sql(scope, limit)
    if not sql:
        return [], counts
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    n = len(FLAGS)
    rows = []
    for client_id, record_number, name, _severity, flag_count, *rest in fetched:
        keys = [key for (key, _), on in zip(FLAGS, rest[:n], strict=True) if on]
        names = [FLAG_LABELS[key] for key in keys]
        rows.append(
            {
                "client_id": client_id,
                "client": name,
                "record_number": record_number,
                "most_severe": names[0],
                "flags": "; ".join(names),
                "flag_count": flag_count,
                "flag_keys": keys,
            }
        )
    if fetched:
        total, *per_flag = fetched[0][5 + n :]
        counts = {"total": total, **{key: int(v) for (key, _), v in zip(FLAGS, per_flag, strict=True)}}
    return rows, counts


def risk_rows(scope: Scope, limit: int | None = None) -> list[dict]:
    """The huddle list: one row per flagged client, most severe first, each flag named."""
    return _huddle(scope, limit)[0]


def flag_counts(scope: Scope) -> dict[str, int]:
    """Clients per flag and in all."""
    return _huddle(scope, 0)[1]


HUDDLE_TOP = 10


def compute(scope: Scope) -> Panel:
    rows, counts = _huddle(scope, HUDDLE_TOP)
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
