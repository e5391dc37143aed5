"""Pages of the client record: caseload, intake, chart, edit, care team, supportive people."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from careteam import access
from careteam.audit import audit_clients_listed, audit_log
from careteam.errors import DomainError
from careteam.minimum_necessary import Section, section_can_see
from careteam.models import AuditAction, CareTeamAssignment
from careteam.services import assignment_end, assignment_start
from careteam.timezones import user_local_date, user_today

from . import selectors, services
from .assessments import scoring
from .chart_views import ChartMixin, UserTimeZoneMixin, add_service_errors
from .forms import (
    ArchiveForm,
    AssignmentEndForm,
    AssignmentForm,
    ClientForm,
    IntakeForm,
    SupportivePersonForm,
)
from .models import ClientStatus, ScoringRule
from .summary import summary_blocks_for


class ClientListView(UserTimeZoneMixin, LoginRequiredMixin, TemplateView):
    """My caseload: the clients the user may see, searchable, sortable and paged, with the clinical
    columns a counselor sorts by (risk flag, next appointment, days since last contact, latest PHQ-9)
    for the roles that may see them."""

    template_name = "clients/client_list.html"

    def get_template_names(self):
        # htmx searches as the user types and swaps in only the results.
        if self.request.htmx and not self.request.htmx.boosted:
            return ["clients/_caseload_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        params = self.request.GET
        sort = params.get("sort", "name")
        if sort not in selectors.caseload_sorts_for(user):
            sort = "name"
        status = params.get("status", "")
        if status not in ClientStatus.values:
            status = ""
        q = params.get("q", "")[:100]
        qs = selectors.caseload_for_user(user, q=q, status=status, sort=sort)
        page = Paginator(qs, settings.CARETEAM_CASELOAD_PAGE_SIZE)
        page_obj = page.get_page(params.get("page"))
        audit_clients_listed(user=user, clients=page_obj.object_list, detail={"page": "caseload"})
        show_risk = section_can_see(user, Section.RISK_DETAILS)
        show_phq9 = section_can_see(user, Section.SCORES)
        today = user_today(user)
        for row in page_obj.object_list:
            row.days_since_contact = (
                (today - user_local_date(user, row.last_contact_at)).days if row.last_contact_at else None
            )
            if show_phq9:
                row.phq9_band_label = (
                    scoring.band_label(ScoringRule.PHQ9, row.phq9_band) if row.phq9_band else ""
                )
        query = params.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        columns = [
            ("name", _("Name")),
            ("record", _("Record")),
            ("dob", _("Date of birth") if section_can_see(user, Section.BIRTH_DATE) else _("Age")),
            ("status", _("Status")),
        ]
        if show_risk:
            columns.append(("risk", _("Suicide risk")))
        columns += [("next", _("Next appointment")), ("contact", _("Days since contact"))]
        if show_phq9:
            columns.append(("phq9", _("Latest PHQ-9")))
        ctx.update(
            page_obj=page_obj,
            clients=page_obj.object_list,
            q=q,
            status=status,
            sort=sort,
            statuses=ClientStatus.choices,
            page_query=query.urlencode(),
            sort_query=sort_query.urlencode(),
            summary=caseload_summary(user),
            columns=columns,
            show_risk=show_risk,
            show_phq9=show_phq9,
        )
        return ctx


class ClientCreateView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Intake: open a new record, warning about possible duplicates first."""

    permission_required = "clients.add_client"
    template_name = "clients/client_intake.html"

    def form(self, data=None):
        user = self.request.user
        return IntakeForm(
            data,
            user=user,
            duplicate_finder=lambda **kw: selectors.client_possible_duplicates(user, **kw),
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response({"form": self.form(), "intake": True})

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "confirm_not_duplicate"}
            try:
                client = services.client_create(acting_user=request.user, data=data)
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Record {client.record_number} opened for {client.display_name}.")
                return redirect("clients:detail", pk=client.pk)
        return self.render_to_response({"form": form, "intake": True}, status=400)


class ClientDetailView(UserTimeZoneMixin, ChartMixin, TemplateView):
    """The chart's overview tab: a clinical summary (blocks each app registers in ``clients.summary``,
    each shown only to the roles that may see it), then who the person is and how to reach them."""

    audits_own_view = True

    template_name = "clients/client_detail.html"
    tab = "overview"

    def get(self, request, *args, **kwargs):
        client = self.client_record
        audit_log(
            user=request.user, action=AuditAction.VIEW, client=client, obj=client, reason=self.audit_reason
        )
        people = list(selectors.supportive_people_for_client(client))
        ctx = self.chart_context(
            supportive_people=people,
            can_add_people=selectors.supportive_people_can_add(request.user, client),
            can_archive=selectors.client_can_archive(request.user),
            # The risk flags are the chart header's alerts (``clients.chart.alerts_for``), already
            # computed for the header: one rule, no second query.
            show_risk_flags=section_can_see(request.user, Section.RISK_DETAILS),
        )
        ctx["summary_blocks"] = summary_blocks_for(request.user, client, ctx["tabs"])
        return self.render_to_response(ctx)


class ClientUpdateView(ChartMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "clients.change_client"
    perm = access.CHANGE
    template_name = "clients/client_form.html"
    tab = "overview"

    def get(self, request, *args, **kwargs):
        form = ClientForm(instance=self.client_record, user=request.user)
        return self.render_to_response(self.chart_context(form=form))

    def post(self, request, *args, **kwargs):
        form = ClientForm(request.POST, instance=self.client_record, user=request.user)
        if form.is_valid():
            try:
                services.client_update(
                    client=self.client_record,
                    acting_user=request.user,
                    data=form.cleaned_data,
                    expected=form.expected_version(),
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Changes saved.")
                return redirect("clients:detail", pk=self.client_record.pk)
        return self.render_to_response(self.chart_context(form=form), status=400)


class ClientArchiveView(ChartMixin, PermissionRequiredMixin, TemplateView):
    """Archive a record entered in error (never deleted)."""

    permission_required = "clients.archive_client"
    template_name = "clients/client_archive.html"
    tab = "overview"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.chart_context(form=ArchiveForm()))

    def post(self, request, *args, **kwargs):
        form = ArchiveForm(request.POST)
        if form.is_valid():
            try:
                services.client_archive(
                    client=self.client_record, acting_user=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Record {self.client_record.record_number} archived.")
                return redirect("clients:list")
        return self.render_to_response(self.chart_context(form=form), status=400)


class CareTeamView(ChartMixin, TemplateView):
    """The chart's care-team tab: current and past assignments; assign staff (supervisors)."""

    audits_own_view = True

    template_name = "clients/care_team.html"
    tab = "care-team"

    def render_team(self, form=None, status=200):
        client = self.client_record
        can_manage = self.manages_care_team
        if can_manage and form is None:
            form = AssignmentForm(client=client)
        ctx = self.chart_context(
            history=list(selectors.care_team_history(client)),
            form=form if can_manage else None,
            end_form=AssignmentEndForm() if can_manage else None,
        )
        return self.render_to_response(ctx, status=status)

    def get(self, request, *args, **kwargs):
        audit_log(
            user=request.user,
            action=AuditAction.VIEW,
            client=self.client_record,
            obj=self.client_record,
            detail={"tab": "care-team"},
        )
        return self.render_team()

    def post(self, request, *args, **kwargs):
        client = self.client_record
        if not access.care_team_can_manage(request.user, client):
            raise Http404("No such client.")
        form = AssignmentForm(request.POST, client=client)
        if form.is_valid():
            try:
                assignment = assignment_start(
                    client=client,
                    staff=form.cleaned_data["staff"],
                    role=form.cleaned_data["role"],
                    acting_user=request.user,
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"{assignment.staff} added to the care team.")
                return redirect("clients:care-team", pk=client.pk)
        return self.render_team(form=form, status=400)


class AssignmentEndView(ChartMixin, View):
    def post(self, request, *args, **kwargs):
        client = self.client_record
        if not access.care_team_can_manage(request.user, client):
            raise Http404("No such client.")
        assignment = get_object_or_404(
            CareTeamAssignment.objects.active(), pk=kwargs["assignment_pk"], client=client
        )
        form = AssignmentEndForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Say why the assignment is ending; nothing was changed.")
        else:
            try:
                assignment_end(
                    assignment=assignment, acting_user=request.user, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, f"{assignment.staff} is no longer on the care team.")
        return HttpResponseRedirect(reverse("clients:care-team", args=[client.pk]))


class SupportivePersonCreateView(ChartMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "clients.add_supportiveperson"
    perm = access.CHANGE
    template_name = "clients/supportive_person_form.html"
    tab = "overview"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.chart_context(form=SupportivePersonForm()))

    def post(self, request, *args, **kwargs):
        form = SupportivePersonForm(request.POST)
        if form.is_valid():
            try:
                services.supportive_person_create(
                    client=self.client_record, acting_user=request.user, data=form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Supportive person added.")
                return redirect("clients:detail", pk=self.client_record.pk)
        return self.render_to_response(self.chart_context(form=form), status=400)


class SupportivePersonUpdateView(ChartMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "clients.change_supportiveperson"
    perm = access.CHANGE
    template_name = "clients/supportive_person_form.html"
    tab = "overview"

    def get_person(self):
        return selectors.supportive_person_get_for_user(
            self.request.user, self.client_record.pk, self.kwargs["person_pk"]
        )

    def get(self, request, *args, **kwargs):
        person = self.get_person()
        return self.render_to_response(
            self.chart_context(form=SupportivePersonForm(instance=person), person=person)
        )

    def post(self, request, *args, **kwargs):
        person = self.get_person()
        if "archive" in request.POST:
            services.supportive_person_archive(person=person, acting_user=request.user)
            messages.success(request, f"{person.name} removed from the list (kept in the record's history).")
            return redirect("clients:detail", pk=self.client_record.pk)
        form = SupportivePersonForm(request.POST, instance=person)
        if form.is_valid():
            try:
                services.supportive_person_update(
                    person=person,
                    acting_user=request.user,
                    data=form.cleaned_data,
                    expected=form.expected_version(),
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Supportive person updated.")
                return redirect("clients:detail", pk=self.client_record.pk)
        return self.render_to_response(self.chart_context(form=form, person=person), status=400)


def caseload_summary(user) -> dict:
    """Counts by status for the caseload header (one aggregate query)."""
    return access.clients_visible_to(user).aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status=ClientStatus.ACTIVE)),
        referred=Count("id", filter=Q(status=ClientStatus.REFERRED)),
    )
