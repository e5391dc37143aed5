"""The team dashboard page and its drill-down lists (HTML and CSV). Thin: every number comes from a
panel's ``compute(scope)``, every list from a drill-down's ``rows(scope)``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views import View

from careteam.access_report import (
    REPEATED_DENIALS_THRESHOLD,
    REPEATED_DENIALS_WINDOW,
    repeated_denials_for_user,
)
from careteam.audit import Entry, audit_client_ids_listed, audit_log, audit_log_many
from careteam.models import AuditAction, Team

from . import metrics
from .charts import chart_for
from .csv import render_csv
from .forms import DashboardFilterForm, scope_query
from .scope import Scope
from .selectors import dashboard_can_view

DRILLDOWN_PAGE_SIZE = 50


def client_ids_in(rows: Iterable[dict]) -> list[int]:
    """Distinct client ids of ``rows``, in order of first appearance."""
    seen: dict[int, None] = {}
    for row in rows:
        cid = row.get("client_id")
        if cid is not None:
            seen.setdefault(cid, None)
    return list(seen)


def scope_detail(scope: Scope) -> dict:
    return {
        "teams": list(scope.team_ids),
        "start": scope.start.isoformat(),
        "end": scope.end.isoformat(),
        "program": scope.program,
    }


def format_value(value, unit: str = "") -> str:
    """A cell or figure as text: dashes for nothing, dates in the site's format, % where it is one."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "M j, Y g:i A")
    if isinstance(value, dt.date):
        return date_format(value, "M j, Y")
    if isinstance(value, float):
        text = f"{value:,.1f}".rstrip("0").rstrip(".")
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return f"{text}%" if unit == "%" else text


def _client_href(row: dict) -> str:
    cid = row.get("client_id")
    return reverse("clients:detail", args=[cid]) if cid else ""


# Columns holding the client's name: on a row with a ``client_id`` they link to the client's chart.
CLIENT_NAME_KEYS = ("client", "name", "client_name")


def table_rows(columns: list[tuple[str, str]], rows: Iterable[dict]) -> list[list[dict]]:
    """Rows as lists of cells; the client's name links to the client's chart."""
    name_key = next((k for k, _ in columns if k in CLIENT_NAME_KEYS), None)
    out = []
    for row in rows:
        cells = []
        for key, _ in columns:
            href = _client_href(row) if key == name_key else ""
            cells.append({"text": format_value(row.get(key)), "href": href})
        out.append(cells)
    return out


def drilldown_href(key: str, query: str) -> str:
    return f"{reverse('dashboards:drilldown', args=[key])}?{query}" if key else ""


def panel_context(panel: metrics.Panel, query: str) -> dict:
    return {
        "panel": panel,
        "figures": [
            {
                "figure": f,
                "display": format_value(f.value, f.unit),
                "unit": metrics.unit_label(f.value, f.unit),
                "href": drilldown_href(f.drilldown, query),
            }
            for f in panel.figures
        ],
        "charts": [{"series": s, "chart": chart_for(s)} for s in panel.series],
        "tables": [
            {"table": t, "rows": table_rows(t.columns, t.rows), "href": drilldown_href(t.drilldown, query)}
            for t in panel.tables
        ],
    }


def audit_dashboard(user, scope: Scope, panels: list[metrics.Panel], *, via: str) -> None:
    """One row for the page itself; a LIST row per client a table on it names (e.g. the huddle list)."""
    audit_log(user=user, action=AuditAction.VIEW, detail={"page": via, **scope_detail(scope)})
    shown = client_ids_in(row for p in panels for t in p.tables for row in t.rows)
    if shown:
        audit_client_ids_listed(user=user, client_ids=shown, detail={"page": via})


def sorted_rows(rows, columns: list[tuple[str, str]], sort: str):
    """Sort a drill-down by one of its columns (``-key`` for descending): in SQL for a query, in memory
    for a computed list. Nulls sort last either way."""
    key = sort.removeprefix("-")
    if key not in dict(columns):
        return rows, ""
    descending = sort.startswith("-")
    if isinstance(rows, QuerySet):
        order = F(key).desc(nulls_last=True) if descending else F(key).asc(nulls_last=True)
        return rows.order_by(order, "client_id"), sort
    present = [r for r in rows if r.get(key) is not None]
    missing = [r for r in rows if r.get(key) is None]
    present.sort(key=lambda r: r[key], reverse=descending)
    return present + missing, sort


class DashboardMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not dashboard_can_view(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def filter_form(self) -> DashboardFilterForm:
        return DashboardFilterForm(self.request.GET or None, user=self.request.user)


class DashboardView(DashboardMixin, View):
    """The team dashboard: filters, then one card per registered panel, in order."""

    def get(self, request):
        form = self.filter_form()
        scope = form.scope()
        panels = metrics.compute_all(scope)
        query = scope_query(scope)
        audit_dashboard(request.user, scope, panels, via="dashboard")
        return render(
            request,
            "dashboards/dashboard.html",
            {
                "form": form,
                "scope": scope,
                "teams": list(Team.objects.filter(pk__in=scope.team_ids).values_list("name", flat=True)),
                "panels": [panel_context(p, query) for p in panels],
                "query": query,
                # Someone refused again and again may be looking for records that are not theirs.
                "repeated_denials": repeated_denials_for_user(request.user),
                "repeated_denials_threshold": REPEATED_DENIALS_THRESHOLD,
                "repeated_denials_hours": int(REPEATED_DENIALS_WINDOW.total_seconds() // 3600),
            },
        )


class DrilldownView(DashboardMixin, View):
    """The records behind a figure: paged (50), sortable, with the whole list as CSV (``?format=csv``)."""

    def get(self, request, key: str):
        drill = metrics.drilldown(key)
        if drill is None:
            raise Http404("No such list.")
        form = self.filter_form()
        scope = form.scope()
        rows, sort = sorted_rows(drill.rows(scope), drill.columns, request.GET.get("sort", ""))
        if request.GET.get("format") == "csv":
            return self.csv(request, drill, scope, rows)
        page_obj = Paginator(rows, DRILLDOWN_PAGE_SIZE).get_page(request.GET.get("page"))
        shown = list(page_obj.object_list)
        ids = client_ids_in(shown)
        if ids:
            audit_client_ids_listed(
                user=request.user,
                client_ids=ids,
                detail={"page": "dashboard-drilldown", "drilldown": key, **scope_detail(scope)},
            )
        query = scope_query(scope)
        return render(
            request,
            "dashboards/drilldown.html",
            {
                "drilldown": drill,
                "scope": scope,
                "form": form,
                "rows": table_rows(drill.columns, shown),
                "page_obj": page_obj,
                "sort": sort,
                "query": query,
                "sort_query": query,
                "page_query": f"{query}&sort={sort}" if sort else query,
                "csv_href": f"{reverse('dashboards:drilldown', args=[key])}?{query}&format=csv"
                + (f"&sort={sort}" if sort else ""),
                "teams": list(Team.objects.filter(pk__in=scope.team_ids).values_list("name", flat=True)),
            },
        )

    def csv(self, request, drill: metrics.Drilldown, scope: Scope, rows) -> HttpResponse:
        rows = list(rows)
        ids = client_ids_in(rows)
        audit_log_many(
            user=request.user,
            entries=[
                Entry(
                    action=AuditAction.EXPORT,
                    client_id=cid,
                    object_type="clients.client",
                    object_id=str(cid),
                    detail={"format": "csv", "drilldown": drill.key, **scope_detail(scope)},
                )
                for cid in ids
            ],
        )
        response = HttpResponse(render_csv(drill.columns, rows), content_type="text/csv; charset=utf-8")
        filename = f"{drill.key.replace('.', '-')}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
