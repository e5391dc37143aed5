"""``/api/v1/metrics/``: the dashboard's figures as JSON, for the same filters as the page.

Every panel's figures, series and tables come from the same ``compute(scope)`` the page uses, and
``/api/v1/metrics/drilldowns/<key>/`` pages through the records behind a figure. Supervisors (their
teams) and administrators only: anyone else gets 403; a team outside the user's reach is dropped
from the filters, never honoured.
"""

from __future__ import annotations

import dataclasses

from django.core.paginator import Paginator
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from careteam.audit import audit_client_ids_listed

from . import metrics
from .forms import DashboardFilterForm
from .scope import Scope
from .selectors import dashboard_can_view
from .views import DRILLDOWN_PAGE_SIZE, audit_dashboard, client_ids_in, scope_detail, sorted_rows


def _scope(request) -> Scope:
    if not dashboard_can_view(request.user):
        raise PermissionDenied("The dashboard is for supervisors and administrators.")
    form = DashboardFilterForm(request.query_params or None, user=request.user)
    if form.is_bound and not form.is_valid():
        raise ValidationError(form.errors.get_json_data())
    return form.scope()


FILTER_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day (default: 29 days before `end`)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day (default: today)."),
    OpenApiParameter("team", OpenApiTypes.INT, many=True, description="Team ids (default: all of yours)."),
    OpenApiParameter("program", OpenApiTypes.STR, description="Only teams of this program."),
]


def _panel_json(panel: metrics.Panel) -> dict:
    data = dataclasses.asdict(panel)
    for series in data["series"]:
        series["points"] = [{"label": label, "value": value} for label, value in series["points"]]
    for table in data["tables"]:
        table["columns"] = [{"key": k, "heading": h} for k, h in table["columns"]]
    return data


class MetricsApi(APIView):
    """Every panel's figures, series and tables for ``?start=&end=&team=&program=``."""

    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=FILTER_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request):
        scope = _scope(request)
        panels = metrics.compute_all(scope)
        audit_dashboard(request.user, scope, panels, via="api-metrics")
        return Response({"scope": scope_detail(scope), "panels": [_panel_json(p) for p in panels]})


class MetricsDrilldownApi(APIView):
    """The records behind a figure, 50 a page (``?page=``), with the same filters."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("sort", OpenApiTypes.STR, description="A column key; `-key` for descending."),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request, key: str):
        scope = _scope(request)
        drill = metrics.drilldown(key)
        if drill is None:
            raise Http404("No such list.")
        rows, _ = sorted_rows(drill.rows(scope), drill.columns, request.query_params.get("sort", ""))
        page = Paginator(rows, DRILLDOWN_PAGE_SIZE).get_page(request.query_params.get("page"))
        shown = [dict(row) for row in page.object_list]
        ids = client_ids_in(shown)
        if ids:
            audit_client_ids_listed(
                user=request.user,
                client_ids=ids,
                detail={"page": "api-metrics-drilldown", "drilldown": key, **scope_detail(scope)},
            )
        return Response(
            {
                "key": drill.key,
                "label": drill.label,
                "scope": scope_detail(scope),
                "columns": [{"key": k, "heading": h} for k, h in drill.columns],
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "results": [{k: row.get(k) for k in ["client_id", *dict(drill.columns)]} for row in shown],
            }
        )
