"""The dashboard's vocabulary: figures, series, tables, drill-downs, and the panel registry.

Every number on the dashboard, in its CSV export and in ``/api/v1/metrics/`` comes from one
``compute(scope)`` function of one panel (``dashboards/panels/*.py``), computed in the database
(aggregates, window functions), never by loading rows into Python, never in a template. A figure
names its drill-down: a function returning the rows behind it (clients or records), already
limited to ``scope.clients()``.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Aggregate, DurationField, FloatField
from django.utils.translation import ngettext

from .scope import Scope


def unit_label(value, unit: str) -> str:
    """The unit after a figure, agreeing with it ("1 client", "2 clients"): a figure's ``unit`` is
    also its key in the CSV and the API, so the words live here, one ``ngettext`` per unit."""
    n = value if isinstance(value, int) else (1 if value == 1 else 2)
    if unit == "clients":
        return ngettext("client", "clients", n)
    if unit == "appointments":
        return ngettext("appointment", "appointments", n)
    if unit == "staff":
        return ngettext("staff member", "staff members", n)
    if unit == "referrals":
        return ngettext("referral", "referrals", n)
    if unit == "days":
        return ngettext("day", "days", n)
    return "" if unit == "%" else unit


@dataclass(frozen=True)
class Figure:
    key: str  # unique across the dashboard, e.g. "engagement.engaged_pct"
    label: str
    value: float | int | None  # None when there is nothing to divide by
    unit: str = ""  # "%", "clients", "days", "referrals", ...
    definition: str = ""  # one or two sentences: exactly what is counted
    numerator: int | None = None
    denominator: int | None = None
    drilldown: str = ""  # key of a Drilldown, or "" when the figure has none
    target: float | None = None  # e.g. the caseload target


@dataclass(frozen=True)
class Series:
    """A trend for a chart, e.g. attendance rate per week. Points are (label, value)."""

    key: str
    label: str
    unit: str
    points: list[tuple[str, float | int | None]]
    definition: str = ""
    chart: str = "line"  # how the page draws it: "line" (a trend) or "bar" (counts side by side)
    drilldown: str = ""  # optional: the records behind the points


@dataclass(frozen=True)
class Table:
    """A small breakdown shown as a table, e.g. caseload per staff member, outcomes by kind."""

    key: str
    label: str
    columns: list[tuple[str, str]]  # (row key, heading)
    rows: list[dict[str, Any]]
    drilldown: str = ""  # optional: the drill-down behind the rows
    definition: str = ""


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    series: list[Series] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass(frozen=True)
class Drilldown:
    """The records behind a figure. ``rows(scope)`` returns dicts with the ``columns`` keys, and
    ``client_id`` on each row (the audit LIST rows and the links to the chart come from it)."""

    key: str
    label: str
    columns: list[tuple[str, str]]
    rows: Callable[[Scope], Any]  # a QuerySet of dicts (``.values(...)``) or a list of dicts


@dataclass(frozen=True)
class PanelSpec:
    key: str
    title: str
    order: int
    compute: Callable[[Scope], Panel]
    drilldowns: tuple[Drilldown, ...] = ()


_PANELS: dict[str, PanelSpec] = {}


def register_panel(spec: PanelSpec) -> None:
    _PANELS[spec.key] = spec


def panels() -> list[PanelSpec]:
    return sorted(_PANELS.values(), key=lambda p: p.order)


def drilldown(key: str) -> Drilldown | None:
    for spec in _PANELS.values():
        for d in spec.drilldowns:
            if d.key == key:
                return d
    return None


def compute_all(scope: Scope) -> list[Panel]:
    return [spec.compute(scope) for spec in panels()]


def rate(numerator: int, denominator: int) -> float | None:
    """A percentage with one decimal, or None when the denominator is zero."""
    return round(100.0 * numerator / denominator, 1) if denominator else None


# --- helpers shared by the panels (added by dash2) -------------------------------------------------


class Median(Aggregate):
    """The median of an expression over the rows aggregated (NULLs left out), as an aggregate:
    ``qs.aggregate(m=Median("field", filter=Q(...)))`` or in ``annotate()``. An odd count gives the
    middle value, an even count the mean of the middle two, no rows ``None``.

    Numbers come back as ``float``; durations (a ``DurationField`` expression, e.g. the difference of
    two datetimes) as a ``timedelta``. PostgreSQL computes ``percentile_cont(0.5) WITHIN GROUP
    (ORDER BY ...)``; SQLite has no such aggregate, so every SQLite connection gets ``careteam_median``
    (``register_sqlite_median``), as Django itself adds ``STDDEV_POP`` and ``VAR_SAMP`` there.
    """

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    arity = 1
    # An ordered-set aggregate: PostgreSQL does not allow it with OVER (...).
    window_compatible = False

    def _resolve_output_field(self):
        source = super()._resolve_output_field()
        if isinstance(source, DurationField):
            return DurationField()
        return FloatField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # On the instance, not as a keyword: Aggregate.as_sql passes its own ``template`` with ``filter``.
        sqlite = self.copy()
        sqlite.function = SQLITE_MEDIAN
        sqlite.template = "%(function)s(%(expressions)s)"
        return sqlite.as_sql(compiler, connection, **extra_context)


SQLITE_MEDIAN = "careteam_median"


class _SQLiteMedian(list):
    """``careteam_median`` on SQLite: the values of the group (durations are integer microseconds there)."""

    def step(self, value: Any) -> None:
        if value is not None:
            self.append(value)

    def finalize(self) -> Any:
        return statistics.median(self) if self else None


def register_sqlite_median(sender=None, connection=None, **kwargs) -> None:
    """``connection_created`` receiver (``DashboardsConfig.ready``): adds ``careteam_median`` to SQLite."""
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_MEDIAN, 1, _SQLiteMedian)


def client_fields(prefix: str = "client__") -> dict[str, Any]:
    """``values()`` expressions for a drill-down row's client: ``record_number`` and ``name`` (preferred
    first name, or legal, with the legal last name — as ``Client.display_name``), and ``client_id`` for a
    queryset of clients (``prefix=""``, which names ``"record_number"`` itself); a related model's
    queryset names its own ``"client_id"``."""
    from django.db.models import F, Value
    from django.db.models.functions import Coalesce, Concat, NullIf

    return {
        # On a queryset of clients ``record_number`` is a field already: name it in values() as it is.
        **({"record_number": F(f"{prefix}record_number")} if prefix else {"client_id": F("pk")}),
        "name": Concat(
            Coalesce(NullIf(F(f"{prefix}preferred_name"), Value("")), F(f"{prefix}legal_first_name")),
            Value(" "),
            F(f"{prefix}legal_last_name"),
        ),
    }


def client_name(prefix: str = "") -> Any:
    """SQL for the name staff use for a client (preferred first name, else legal, then last name),
    so drill-down rows come out of ``.values()`` ready to show and sort."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Coalesce, Concat, NullIf

    return Concat(
        Coalesce(NullIf(f"{prefix}preferred_name", Value("")), f"{prefix}legal_first_name"),
        Value(" "),
        f"{prefix}legal_last_name",
        output_field=CharField(),
    )


def staff_name(prefix: str = "staff__") -> Any:
    """SQL for a staff member's full name, falling back to the username."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Coalesce, Concat, NullIf, Trim

    return Coalesce(
        NullIf(
            Trim(Concat(f"{prefix}first_name", Value(" "), f"{prefix}last_name", output_field=CharField())),
            Value(""),
        ),
        f"{prefix}username",
        output_field=CharField(),
    )


def choice_label(field: str, choices) -> Any:
    """A SQL expression giving the human label of a ``TextChoices`` field (for drill-down rows)."""
    from django.db.models import Case, CharField, F, Value, When

    return Case(
        *[When(**{field: value}, then=Value(str(label))) for value, label in choices],
        default=F(field),
        output_field=CharField(),
    )
