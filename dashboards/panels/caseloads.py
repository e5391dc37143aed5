"""Panel 1, caseloads: active clients per staff member and per care-team role against the targets,
and the active clients nobody is the primary counselor of.

Caseloads are a state, not an event: they are counted as of today (the care-team assignments open
now), whatever the date range says. Targets come from ``settings.CARETEAM_CASELOAD_TARGETS``,
keyed by care-team role (``CaseRole``).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import BooleanField, Count, Exists, F, Func, OuterRef, Q, QuerySet, Subquery

from careteam.models import CareTeamAssignment, CaseRole
from clients.models import ClientStatus

from ..metrics import (
    Drilldown,
    Figure,
    Panel,
    PanelSpec,
    Series,
    Table,
    choice_label,
    client_name,
    rate,
    register_panel,
    staff_name,
)
from ..scope import Scope

ROLE_LABELS = dict(CaseRole.choices)


def targets() -> dict[str, int]:
    return getattr(settings, "CARETEAM_CASELOAD_TARGETS", {})


def active_clients(scope: Scope) -> QuerySet:
    """Clients in scope whose status is active (the caseload population)."""
    return scope.clients().filter(status=ClientStatus.ACTIVE)


def _active_primary():
    return CareTeamAssignment.objects.active().filter(
        client_id=OuterRef("pk"), role=CaseRole.PRIMARY_COUNSELOR
    )


class _ClientIn(Func):
    """``client_id IN (<subquery of client ids>)``, written ``client_id = ANY(ARRAY(<subquery>))`` on
    PostgreSQL: the same rows, a different plan.

    For ``IN`` or a join on the client, PostgreSQL prices ~4,000 index probes above one pass over every
    open assignment, and plans a hash join fed by a sequential scan of all 172k assignments (~17 ms per
    query at 100k clients). For ``= ANY(ARRAY(...))`` it computes the ids first and looks each one up in
    the partial unique index ``one_active_assignment_per_staff_role`` (client, staff, role) WHERE
    ended_on IS NULL: an index-only scan of the team's rows alone (~3.5 ms)."""

    output_field = BooleanField()

    def __init__(self, client_ids: QuerySet, field: str = "client_id"):
        super().__init__(F(field), Subquery(client_ids))

    def as_sql(self, compiler, connection, **extra_context):
        (lhs, lhs_params), (rhs, rhs_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        (lhs, lhs_params), (rhs, rhs_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def active_assignments(scope: Scope) -> QuerySet:
    """Open care-team assignments (no end date) on the active clients in scope."""
    client_ids = active_clients(scope).order_by().values("pk")
    return CareTeamAssignment.objects.active().filter(_ClientIn(client_ids))


def _role_rows(scope: Scope) -> list[dict]:
    """Per care-team role (code): the staff members holding it and the distinct active clients assigned
    in it (one grouped query, ordered by role)."""
    return list(
        active_assignments(scope)
        .values("role")
        .annotate(staff=Count("staff_id", distinct=True), clients=Count("client_id", distinct=True))
        .order_by("role")
    )


def caseload_counts(scope: Scope, role_rows: list[dict] | None = None) -> dict:
    """Active clients in scope, and those of them with no open primary-counselor assignment.

    The second is the first less the active clients with an open primary-counselor assignment, which the
    per-role query (``role_rows``) counts already: one ``COUNT`` instead of a probe per client."""
    if role_rows is None:
        role_rows = _role_rows(scope)
    active = active_clients(scope).count()
    covered = sum(r["clients"] for r in role_rows if r["role"] == CaseRole.PRIMARY_COUNSELOR)
    return {"active": active, "unassigned": active - covered}


def caseload_by_staff(scope: Scope) -> list[dict]:
    """One row per staff member and role: how many active clients in scope they carry, against the
    role's target (one grouped query; sorted by the biggest caseload first)."""
    goal = targets()
    rows = (
        active_assignments(scope)
        .values("staff_id", "role")
        .annotate(staff_name=staff_name(), clients=Count("client_id", distinct=True))
        .order_by("-clients", "staff_name", "role")
    )
    out = []
    for row in rows:
        target = goal.get(row["role"])
        out.append(
            {
                "staff": row["staff_name"],
                "role": ROLE_LABELS.get(row["role"], row["role"]),
                "clients": row["clients"],
                "target": target,
                "pct_of_target": rate(row["clients"], target) if target else None,
                "over_target": bool(target and row["clients"] > target),
            }
        )
    return out


def caseload_by_role(scope: Scope, role_rows: list[dict] | None = None) -> list[dict]:
    """One row per care-team role: staff members in it, active clients assigned, clients per staff member."""
    goal = targets()
    if role_rows is None:
        role_rows = _role_rows(scope)
    return [
        {
            "role": ROLE_LABELS.get(r["role"], r["role"]),
            "staff": r["staff"],
            "clients": r["clients"],
            "per_staff": round(r["clients"] / r["staff"], 1) if r["staff"] else None,
            "target": goal.get(r["role"]),
        }
        for r in role_rows
    ]


def unassigned_rows(scope: Scope) -> QuerySet:
    """Active clients in scope with no open primary-counselor assignment."""
    return (
        active_clients(scope)
        .filter(~Q(Exists(_active_primary())))
        .values("record_number", "admitted_on", "primary_team__name")
        .annotate(client=client_name(), client_id=F("pk"))
        .order_by("client", "client_id")
    )


def role_label(field: str = "role"):
    return choice_label(field, CaseRole.choices)


def assignment_rows(scope: Scope) -> QuerySet:
    """Every open assignment on an active client in scope: the records behind the caseload tables."""
    return (
        active_assignments(scope)
        .values("client_id", "client__record_number", "started_on")
        .annotate(client=client_name("client__"), staff=staff_name(), role_name=role_label())
        .order_by("staff", "role_name", "client", "client_id")
    )


def compute(scope: Scope) -> Panel:
    role_rows = _role_rows(scope)
    counts = caseload_counts(scope, role_rows)
    by_staff = caseload_by_staff(scope)
    by_role = caseload_by_role(scope, role_rows)
    over = sum(1 for r in by_staff if r["over_target"])
    return Panel(
        key="caseloads",
        title="Caseloads",
        figures=[
            Figure(
                key="caseloads.active_clients",
                label="Active clients",
                value=counts["active"],
                unit="clients",
                definition="Clients in the selected teams whose status is Active today (not archived). "
                "Caseloads are counted as of today, whatever the date range.",
                drilldown="caseloads.assignments",
            ),
            Figure(
                key="caseloads.unassigned",
                label="Active clients without a primary counselor",
                value=counts["unassigned"],
                unit="clients",
                definition="Active clients with no open (not ended) care-team assignment in the role "
                "Primary counselor.",
                numerator=counts["unassigned"],
                denominator=counts["active"],
                drilldown="caseloads.unassigned",
            ),
            Figure(
                key="caseloads.over_target",
                label="Staff over their caseload target",
                value=over,
                unit="staff",
                definition="Staff members (per care-team role) whose count of active clients in the "
                "selected teams is above the target set for that role (CARETEAM_CASELOAD_TARGETS).",
                drilldown="caseloads.assignments",
            ),
        ],
        series=[
            Series(
                key="caseloads.per_staff_by_role",
                label="Active clients per staff member, by role",
                unit="clients",
                points=[(r["role"], r["per_staff"]) for r in by_role],
                definition="Active clients assigned in the role divided by the staff members holding it.",
                chart="bar",
            )
        ],
        tables=[
            Table(
                key="caseloads.by_staff",
                label="Caseload per staff member",
                columns=[
                    ("staff", "Staff member"),
                    ("role", "Role"),
                    ("clients", "Active clients"),
                    ("target", "Target"),
                    ("pct_of_target", "% of target"),
                ],
                rows=by_staff,
                drilldown="caseloads.assignments",
                definition="Distinct active clients in the selected teams on whose care team the person "
                "has an open assignment in that role.",
            ),
            Table(
                key="caseloads.by_role",
                label="Caseload per role",
                columns=[
                    ("role", "Role"),
                    ("staff", "Staff"),
                    ("clients", "Active clients"),
                    ("per_staff", "Per staff member"),
                    ("target", "Target"),
                ],
                rows=by_role,
                drilldown="caseloads.assignments",
            ),
        ],
    )


PANEL = PanelSpec(
    key="caseloads",
    title="Caseloads",
    order=10,
    compute=compute,
    drilldowns=(
        Drilldown(
            key="caseloads.unassigned",
            label="Active clients without a primary counselor",
            columns=[
                ("client", "Client"),
                ("record_number", "Record"),
                ("primary_team__name", "Team"),
                ("admitted_on", "Admitted"),
            ],
            rows=unassigned_rows,
        ),
        Drilldown(
            key="caseloads.assignments",
            label="Open care-team assignments on active clients",
            columns=[
                ("staff", "Staff member"),
                ("role_name", "Role"),
                ("client", "Client"),
                ("client__record_number", "Record"),
                ("started_on", "Since"),
            ],
            rows=assignment_rows,
        ),
    ),
)
register_panel(PANEL)
