"""The client's access report: who viewed, listed, changed, exported, disclosed or was refused this
record, when, why and from where — on the chart, printable and as CSV (HIPAA §164.312(b) audit
controls; the rows are ``careteam.audit``'s, read through ``careteam.access_report``).

Supervisors of the client's team and administrators only (``selectors.access_report_can_view``);
to anyone else, including the client's own care team, every one of these pages is a 404. Reading
the report is itself audited: a VIEW of the page, an EXPORT for the print and the CSV.
"""

from __future__ import annotations

import csv
import datetime as dt

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from careteam.access_report import audit_events_for_client
from careteam.audit import audit_log
from careteam.models import AuditAction, AuditEvent
from careteam.spreadsheet import escape_cell

from . import selectors
from .chart_views import ChartMixin, UserTimeZoneMixin
from .forms import AccessReportFilterForm

PAGE_SIZE = 50
# A printout longer than this is not read; the reader narrows the dates (the CSV has no limit).
PRINT_LIMIT = 2000

CSV_COLUMNS = (
    ("when", _("When (UTC)")),
    ("who", _("Who")),
    ("action", _("Action")),
    ("object", _("What")),
    ("page", _("Page")),
    ("reason", _("Why")),
    ("ip_address", _("From")),
)


def event_row(event: AuditEvent) -> dict:
    """One audit row as the report shows it."""
    user = event.user
    who = (user.get_full_name() or user.get_username()) if user is not None else event.username
    detail = event.detail or {}
    return {
        "event": event,
        "when": event.occurred_at,
        "who": who or _("(no account)"),
        "action": event.get_action_display(),
        "object": f"{event.object_type} #{event.object_id}" if event.object_type else "",
        "page": detail.get("page") or detail.get("url_name") or detail.get("report") or "",
        "reason": event.reason,
        "ip_address": event.ip_address or "",
    }


class _Echo:
    def write(self, value):
        return value


class AccessReportMixin(UserTimeZoneMixin, ChartMixin):
    """The client the user may see and whose access report they may read; 404 otherwise."""

    audits_own_view = True
    tab = "access-report"

    def require_stronger_access(self, user) -> None:
        # Missing, hidden and "not yours to audit" answer alike (and the refusal is itself audited).
        if not selectors.access_report_can_view(user, self.client_record):
            raise Http404("No such client.")

    def filtered(self):
        """(form, events or None when the filters are invalid, filters for the audit row)."""
        form = AccessReportFilterForm(self.request.GET or None)
        if form.is_bound and not form.is_valid():
            return form, None, {}
        data = form.cleaned_data if form.is_bound else {}
        action = data.get("action", "")
        start, end = form.period() if form.is_bound else (None, None)
        filters = {
            "action": action or None,
            "from": data["start"].isoformat() if data.get("start") else None,
            "to": data["end"].isoformat() if data.get("end") else None,
        }
        return form, audit_events_for_client(self.client_record, action=action, start=start, end=end), filters

    def audit(self, action: str, /, **detail) -> None:
        client = self.client_record
        audit_log(
            user=self.request.user,
            action=action,
            client=client,
            obj=client,
            detail={"page": "access-report", **detail},
        )


class AccessReportView(AccessReportMixin, TemplateView):
    """The access report on the chart: paged (50), newest first, filtered by action and days."""

    template_name = "clients/access_report.html"

    def get(self, request, *args, **kwargs):
        form, events, filters = self.filtered()
        page_obj, rows = None, []
        if events is not None:
            page_obj = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
            # Read the page before this look is audited: the count was taken already, and a row
            # added now would push the oldest row of the page out of a slice sized by it.
            rows = [event_row(e) for e in page_obj.object_list]
            self.audit(AuditAction.VIEW, page_number=page_obj.number, **filters)
        query = request.GET.copy()
        query.pop("page", None)
        filters_query = query.urlencode()
        pk = self.client_record.pk
        return self.render_to_response(
            self.chart_context(
                form=form,
                page_obj=page_obj,
                rows=rows,
                page_query=filters_query,
                print_href=f"{reverse('clients:access-report-print', args=[pk])}?{filters_query}",
                csv_href=f"{reverse('clients:access-report-csv', args=[pk])}?{filters_query}",
                base_href=reverse("clients:access-report", args=[pk]),
            ),
            status=400 if events is None else 200,
        )


class AccessReportPrintView(AccessReportMixin, TemplateView):
    """The access report to print (at most ``PRINT_LIMIT`` rows); printing it is an EXPORT."""

    template_name = "clients/access_report_print.html"

    def get(self, request, *args, **kwargs):
        form, events, filters = self.filtered()
        rows, total = [], 0
        if events is not None:
            rows = [event_row(e) for e in events[: PRINT_LIMIT + 1]]
            total = len(rows)
            rows = rows[:PRINT_LIMIT]
            self.audit(AuditAction.EXPORT, format="print", rows=len(rows), **filters)
        return self.render_to_response(
            {
                "client": self.client_record,
                "form": form,
                "rows": rows,
                "truncated": total > PRINT_LIMIT,
                "print_limit": PRINT_LIMIT,
                "printed_at": timezone.now(),
                "printed_by": request.user,
            },
            status=400 if events is None else 200,
        )


class AccessReportCsvView(AccessReportMixin, TemplateView):
    """The whole filtered access report as CSV, streamed (any length, flat memory); an EXPORT."""

    def get(self, request, *args, **kwargs):
        form, events, filters = self.filtered()
        if events is None:
            errors = " ".join(str(m) for messages in form.errors.values() for m in messages)
            return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")
        self.audit(AuditAction.EXPORT, format="csv", **filters)
        writer = csv.writer(_Echo())

        def lines():
            yield writer.writerow([escape_cell(heading) for _, heading in CSV_COLUMNS])
            for event in events.iterator(chunk_size=1000):
                row = event_row(event)
                row["when"] = event.occurred_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
                yield writer.writerow([escape_cell(row[key]) for key, _ in CSV_COLUMNS])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        filename = f"access-report-{self.client_record.record_number}-{timezone.now():%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
