"""Panel 2, engagement: who has been seen or reached lately, weekly attendance and no-show rates,
and clients whose silence is unusually long for them (sudden isolation).

A *contact* here is any of: an attended appointment (``clients.Appointment``, status attended), a
logged contact in which the client was reached (``clients.ClientContact.reached``), or a peer
contact (``peers.PeerContact``) — peer support is engagement with the program too.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict

from django.db import connection
from django.db.models import Case, Count, DateField, Exists, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from careteam.timezones import zone_named
from clients.models import Appointment, AppointmentKind, AppointmentStatus, ClientContact, ClientStatus
from peers.models import PeerContact

from ..metrics import (
    SQLITE_MEDIAN,
    Drilldown,
    Figure,
    Panel,
    PanelSpec,
    Series,
    choice_label,
    client_name,
    rate,
    register_panel,
)
from ..scope import Scope

ENGAGED_DAYS = 14  # "engaged": a contact in the 14 days up to the range's last day (both ends count)
ISOLATION_LOOKBACK_DAYS = 90  # the window whose gaps give a client's usual interval
ISOLATION_MIN_DAYS = 14  # a silence must also be longer than this to count
ISOLATION_FACTOR = 2  # ... and longer than this many times the client's median gap
KEPT_STATUSES = (AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW)


def active_clients(scope: Scope) -> QuerySet:
    return scope.clients().filter(status=ClientStatus.ACTIVE)


def engaged_since(scope: Scope) -> dt.datetime:
    """Midnight (site zone) starting the day 14 days before ``scope.end``: a contact at any time on
    that day still counts, so "exactly 14 days ago" is in."""
    return dt.datetime.combine(scope.end - dt.timedelta(days=ENGAGED_DAYS), dt.time.min, tzinfo=scope.tz)


def _contact_exists(since: dt.datetime, until: dt.datetime) -> Q:
    appt = Appointment.objects.filter(
        client_id=OuterRef("pk"), status=AppointmentStatus.ATTENDED, starts_at__gte=since, starts_at__lt=until
    )
    contact = ClientContact.objects.filter(
        client_id=OuterRef("pk"), reached=True, contacted_at__gte=since, contacted_at__lt=until
    )
    peer = PeerContact.objects.filter(client_id=OuterRef("pk"), occurred_at__gte=since, occurred_at__lt=until)
    return Q(Exists(appt)) | Q(Exists(contact)) | Q(Exists(peer))


def engaged_q(scope: Scope) -> Q:
    return _contact_exists(engaged_since(scope), scope.end_at)


def engagement_counts(scope: Scope) -> dict:
    """Active clients in scope and how many of them had a contact in the engagement window (one query)."""
    return active_clients(scope).aggregate(active=Count("pk"), engaged=Count("pk", filter=engaged_q(scope)))


def client_local_day(zones: list[str], field: str = "starts_at", client_prefix: str = "client__") -> Case:
    """SQL for the calendar day of ``field`` in the client's own time zone.

    One ``WHEN`` per time zone in use (a handful), so an appointment at 23:30 in Los Angeles falls on
    that Los Angeles day even though it is the next day in UTC and in New York.
    """
    return Case(
        *[
            When(**{f"{client_prefix}time_zone": zone}, then=TruncDate(field, tzinfo=zone_named(zone)))
            for zone in zones
        ],
        # A blank or unknown zone counts in the site's zone, as everywhere else (careteam.timezones).
        default=TruncDate(field, tzinfo=zone_named("")),
        output_field=DateField(),
    )


def _zones(scope: Scope) -> list[str]:
    return sorted(scope.clients().order_by().values_list("time_zone", flat=True).distinct())


def appointments_in_range(scope: Scope, zones: list[str] | None = None) -> QuerySet:
    """Attended and no-show appointments of clients in scope whose day, in the client's zone, is in range."""
    zones = _zones(scope) if zones is None else zones
    # Any zone is within a day of UTC: a day's margin either side, then the exact local-day test.
    margin = dt.timedelta(days=1)
    return (
        Appointment.objects.filter(
            scope.client_q(),
            status__in=KEPT_STATUSES,
            starts_at__gte=scope.start_at - margin,
            starts_at__lt=scope.end_at + margin,
        )
        .annotate(local_day=client_local_day(zones))
        .filter(local_day__gte=scope.start, local_day__lte=scope.end)
    )


def week_label(monday: dt.date) -> str:
    return f"Week of {monday:%b} {monday.day}"


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def attendance_by_week(scope: Scope) -> list[dict]:
    """Attended and no-show counts per Monday-to-Sunday week of the range.

    Counted per local day in the database (one grouped query, at most one row per day of the range);
    the days are then added up into their weeks. Rate denominators are attended + no-show:
    cancellations and reschedules are neither.
    """
    zones = _zones(scope)
    per_day = (
        appointments_in_range(scope, zones)
        .order_by()
        .values("local_day")
        .annotate(
            # Counting a column of the index (not the id) lets the database answer from the index.
            attended=Count("status", filter=Q(status=AppointmentStatus.ATTENDED)),
            no_show=Count("status", filter=Q(status=AppointmentStatus.NO_SHOW)),
        )
    )
    weeks: OrderedDict[dt.date, dict] = OrderedDict()
    day = week_start(scope.start)
    while day <= scope.end:
        weeks[day] = {"week": day, "attended": 0, "no_show": 0}
        day += dt.timedelta(days=7)
    for row in per_day:
        local = row["local_day"]
        if isinstance(local, str):  # SQLite hands back the text of a CASE over dates
            local = dt.date.fromisoformat(local)
        bucket = weeks[week_start(local)]
        bucket["attended"] += row["attended"]
        bucket["no_show"] += row["no_show"]
    out = []
    for w in weeks.values():
        due = w["attended"] + w["no_show"]
        out.append(
            {
                **w,
                "due": due,
                "attendance_rate": rate(w["attended"], due),
                "no_show_rate": rate(w["no_show"], due),
            }
        )
    return out


# --- Sudden isolation ------------------------------------------------------------------------------


def _seconds_between(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        # date_part gives a double; EXTRACT gives numeric since PostgreSQL 14, several times slower to
        # subtract, sort and average over tens of thousands of gaps.
        return f"date_part('epoch', {later} - {earlier})"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def isolation_rows(scope: Scope) -> list[dict]:
    """Sudden isolation per measured client (computed once per request; see ``Scope.memo``)."""
    return scope.memo("engagement.isolation", lambda: _isolation_rows(scope))


def _isolation_rows(scope: Scope) -> list[dict]:
    """Active clients in scope whose current silence is unusually long for them.

    Contacts (see the module docstring) in the 90 days before the end of the range, per client, in
    time order; the gaps between consecutive contacts (window function ``LAG``); their median (the
    middle one, or the mean of the middle two: ``percentile_cont`` on PostgreSQL, the ``Median``
    aggregate's function on SQLite), with the last contact, in one pass per client. Flagged when the time from
    the last contact to the end of the range is more than twice that median and more than 14 days.
    A client needs at least two contacts in the window (one gap) to have a usual interval.
    One query. Returns ``client_id``, ``days_since``, ``median_gap_days``.
    """
    ops = connection.ops
    # Measured to the end of the range, or to now when the range runs to today.
    end = min(scope.end_at, timezone.now())
    since = ops.adapt_datetimefield_value(end - dt.timedelta(days=ISOLATION_LOOKBACK_DAYS))
    until = ops.adapt_datetimefield_value(end)
    scope_sql, scope_params = active_clients(scope).order_by().values("pk").query.sql_with_params()
    end_cast = "CAST(%s AS timestamptz)" if connection.vendor == "postgresql" else "%s"
    gap = _seconds_between("at", "LAG(at) OVER (PARTITION BY client_id ORDER BY at)")
    since_last = _seconds_between(end_cast, "MAX(at)")
    median_gap = (
        "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY gap)"
        if connection.vendor == "postgresql"
        else f"{SQLITE_MEDIAN}(gap)"
    )
    # Only table names and vendor snippets are formatted in; every value is a parameter.
    sql = f"""
        WITH ev AS (
            SELECT client_id, contacted_at AS at FROM {ClientContact._meta.db_table}
             WHERE reached = %s AND contacted_at >= %s AND contacted_at < %s AND client_id IN ({scope_sql})
            UNION ALL
            SELECT client_id, starts_at AS at FROM {Appointment._meta.db_table}
             WHERE status = %s AND starts_at >= %s AND starts_at < %s AND client_id IN ({scope_sql})
            UNION ALL
            SELECT client_id, occurred_at AS at FROM {PeerContact._meta.db_table}
             WHERE occurred_at >= %s AND occurred_at < %s AND client_id IN ({scope_sql})
        ),
        gaps AS (SELECT client_id, at, {gap} AS gap FROM ev),
        measured AS (
            SELECT client_id, {median_gap} AS median_gap, {since_last} AS since
              FROM gaps GROUP BY client_id HAVING COUNT(gap) > 0
        )
        SELECT client_id, since, median_gap FROM measured
         WHERE since > %s * median_gap AND since > %s
         ORDER BY since DESC, client_id
    """  # noqa: S608
    params = [
        True, since, until, *scope_params,
        AppointmentStatus.ATTENDED, since, until, *scope_params,
        since, until, *scope_params,
        until, ISOLATION_FACTOR, ISOLATION_MIN_DAYS * 86400,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            {
                "client_id": client_id,
                "days_since": round(float(since_s) / 86400, 1),
                "median_gap_days": round(float(median_s) / 86400, 1),
            }
            for client_id, since_s, median_s in cursor.fetchall()
        ]


def isolated_client_rows(scope: Scope) -> list[dict]:
    """The drill-down: the isolated clients with their names and the numbers that flagged them."""
    measured = {r["client_id"]: r for r in isolation_rows(scope)}
    if not measured:
        return []
    clients = (
        active_clients(scope)
        .filter(pk__in=list(measured))
        .values("record_number")
        .annotate(client=client_name(), client_id=F("pk"))
    )
    rows = []
    for c in clients:
        m = measured[c["client_id"]]
        rows.append({**c, "days_since": m["days_since"], "median_gap_days": m["median_gap_days"]})
    rows.sort(key=lambda r: (-r["days_since"], r["client"]))
    return rows


# --- Drill-downs -------------------------------------------------------------------------------------


def _last_contacts(qs: QuerySet, scope: Scope) -> QuerySet:
    until = scope.end_at
    return qs.annotate(
        last_appointment=Subquery(
            Appointment.objects.filter(
                client_id=OuterRef("pk"), status=AppointmentStatus.ATTENDED, starts_at__lt=until
            )
            .order_by("-starts_at")
            .values("starts_at")[:1]
        ),
        last_contact=Subquery(
            ClientContact.objects.filter(client_id=OuterRef("pk"), reached=True, contacted_at__lt=until)
            .order_by("-contacted_at")
            .values("contacted_at")[:1]
        ),
        last_peer_contact=Subquery(
            PeerContact.objects.filter(client_id=OuterRef("pk"), occurred_at__lt=until)
            .order_by("-occurred_at")
            .values("occurred_at")[:1]
        ),
    )


ENGAGEMENT_COLUMNS = [
    ("client", "Client"),
    ("record_number", "Record"),
    ("last_appointment", "Last attended appointment"),
    ("last_contact", "Last reached contact"),
    ("last_peer_contact", "Last peer contact"),
]


def engaged_rows(scope: Scope) -> QuerySet:
    qs = active_clients(scope).filter(engaged_q(scope))
    return (
        _last_contacts(qs, scope)
        .values("record_number", "last_appointment", "last_contact", "last_peer_contact")
        .annotate(client=client_name(), client_id=F("pk"))
        .order_by("client", "client_id")
    )


def not_engaged_rows(scope: Scope) -> QuerySet:
    qs = active_clients(scope).exclude(engaged_q(scope))
    return (
        _last_contacts(qs, scope)
        .values("record_number", "last_appointment", "last_contact", "last_peer_contact")
        .annotate(client=client_name(), client_id=F("pk"))
        .order_by("client", "client_id")
    )


def appointment_rows(scope: Scope) -> QuerySet:
    """The appointments behind the attendance figures (attended or no-show, local day in range)."""
    from ..metrics import staff_name

    return (
        appointments_in_range(scope)
        .values("client_id", "client__record_number", "starts_at", "local_day")
        .annotate(
            client=client_name("client__"),
            staff_member=staff_name(),
            kind_label=choice_label("kind", AppointmentKind.choices),
            status_label=choice_label("status", AppointmentStatus.choices),
        )
        .order_by("-starts_at", "client_id")
    )


def compute(scope: Scope) -> Panel:
    counts = engagement_counts(scope)
    weeks = attendance_by_week(scope)
    isolated = isolation_rows(scope)
    attended = sum(w["attended"] for w in weeks)
    due = sum(w["due"] for w in weeks)
    no_show = sum(w["no_show"] for w in weeks)
    contact_rule = (
        "A contact is an attended appointment, a logged contact in which the client was reached, or a "
        "peer contact."
    )
    return Panel(
        key="engagement",
        title="Engagement",
        figures=[
            Figure(
                key="engagement.engaged_pct",
                label="Active clients engaged in the last 14 days",
                value=rate(counts["engaged"], counts["active"]),
                unit="%",
                definition=f"Active clients with at least one contact from the start of the day 14 days "
                f"before the range's last day to the end of that last day (a contact exactly 14 days "
                f"earlier counts). {contact_rule}",
                numerator=counts["engaged"],
                denominator=counts["active"],
                drilldown="engagement.engaged",
            ),
            Figure(
                key="engagement.not_engaged",
                label="Active clients not engaged in the last 14 days",
                value=counts["active"] - counts["engaged"],
                unit="clients",
                definition="Active clients with no contact in the same 14-day window. " + contact_rule,
                drilldown="engagement.not_engaged",
            ),
            Figure(
                key="engagement.attendance_rate",
                label="Appointment attendance rate",
                value=rate(attended, due),
                unit="%",
                definition="Attended ÷ (attended + no-show) for appointments whose day, in the client's "
                "own time zone, falls in the range. Cancellations and reschedules are not counted.",
                numerator=attended,
                denominator=due,
                drilldown="engagement.appointments",
            ),
            Figure(
                key="engagement.no_show_rate",
                label="No-show rate",
                value=rate(no_show, due),
                unit="%",
                definition="No-shows ÷ (attended + no-show), same appointments as the attendance rate.",
                numerator=no_show,
                denominator=due,
                drilldown="engagement.appointments",
            ),
            Figure(
                key="engagement.isolated",
                label="Sudden isolation",
                value=len(isolated),
                unit="clients",
                definition="Active clients whose time since their last contact (to the end of the range) "
                "is more than twice the median gap between their contacts in the 90 days before the end "
                "of the range, and more than 14 days. At least two contacts in those 90 days are needed. "
                + contact_rule,
                drilldown="engagement.isolated",
            ),
        ],
        series=[
            Series(
                key="engagement.attendance_weekly",
                label="Attendance rate per week",
                unit="%",
                points=[(week_label(w["week"]), w["attendance_rate"]) for w in weeks],
                definition="Weeks run Monday to Sunday; an appointment belongs to its day in the client's "
                "time zone. Attended ÷ (attended + no-show).",
            ),
            Series(
                key="engagement.no_show_weekly",
                label="No-show rate per week",
                unit="%",
                points=[(week_label(w["week"]), w["no_show_rate"]) for w in weeks],
                definition="No-shows ÷ (attended + no-show), per Monday-to-Sunday week.",
            ),
            Series(
                key="engagement.appointments_weekly",
                label="Attended and missed appointments per week",
                unit="appointments",
                points=[(week_label(w["week"]), w["due"]) for w in weeks],
                definition="Attended plus no-show appointments per week.",
                chart="bar",
            ),
        ],
    )


PANEL = PanelSpec(
    key="engagement",
    title="Engagement",
    order=20,
    compute=compute,
    drilldowns=(
        Drilldown(
            key="engagement.engaged",
            label="Active clients engaged in the last 14 days",
            columns=ENGAGEMENT_COLUMNS,
            rows=engaged_rows,
        ),
        Drilldown(
            key="engagement.not_engaged",
            label="Active clients not engaged in the last 14 days",
            columns=ENGAGEMENT_COLUMNS,
            rows=not_engaged_rows,
        ),
        Drilldown(
            key="engagement.isolated",
            label="Sudden isolation",
            columns=[
                ("client", "Client"),
                ("record_number", "Record"),
                ("days_since", "Days since last contact"),
                ("median_gap_days", "Usual gap (median days)"),
            ],
            rows=isolated_client_rows,
        ),
        Drilldown(
            key="engagement.appointments",
            label="Attended and no-show appointments in the range",
            columns=[
                ("client", "Client"),
                ("client__record_number", "Record"),
                ("local_day", "Day (client's time zone)"),
                ("starts_at", "Starts"),
                ("kind_label", "Kind"),
                ("status_label", "Status"),
                ("staff_member", "Staff member"),
            ],
            rows=appointment_rows,
        ),
    ),
)
register_panel(PANEL)
