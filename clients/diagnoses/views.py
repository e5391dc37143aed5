"""The chart's "Diagnoses" tab, recording, editing and moving a diagnosis, and the code search.

Diagnoses are hidden from minimum-necessary roles (peer specialists): the tab is not shown to them
and its pages answer 403 (a client they may not see at all is still a 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.generic import TemplateView

from careteam import access
from careteam.audit import audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction
from clients.chart_views import ChartFormPageMixin, add_service_errors
from clients.models import DiagnosisStatus

from . import selectors, services
from .forms import DiagnosisForm, DiagnosisStatusForm


def tab_url(client) -> str:
    return reverse("clients:diagnoses:tab", args=[client.pk])


class DiagnosisPageMixin(ChartFormPageMixin):
    tab = "diagnoses"
    record_selector = staticmethod(selectors.diagnosis_get_for_user)
    record_url_kwarg = "diagnosis_pk"

    def return_url(self) -> str:
        return tab_url(self.client_record)

    def require_stronger_access(self, user) -> None:
        # The client was found (an outsider already got 404); a role that may not see diagnoses
        # is refused here.
        if not selectors.diagnoses_can_see(user):
            raise PermissionDenied
        super().require_stronger_access(user)

    def code_results(self):
        """The code search of the add and edit pages without JavaScript: ``?q=`` lists matches."""
        q = self.request.GET.get("q", "").strip()
        return q, (list(selectors.diagnosis_codes_search(q)) if q else [])

    def code_context(self) -> dict:
        """The search, its results and the result picked (kept checked when a save is refused)."""
        q, results = self.code_results()
        return {"q": q, "results": results, "picked": self.request.POST.get("code_choice", "")}

    def form_page(self, form, title, status=200, **extra):
        """The add or edit page: the form with the code search."""
        return self.page(form=form, **self.code_context(), title=title, status=status, **extra)


class DiagnosisTabView(DiagnosisPageMixin, TemplateView):
    """Active diagnoses (primary first), then the resolved and entered-in-error ones, collapsed."""

    audits_own_view = True  # one VIEW row naming the tab, below
    template_name = "clients/diagnoses/tab.html"

    def get(self, request, *args, **kwargs):
        user, client = request.user, self.client_record
        rows = list(selectors.diagnoses_for_client(user, client))
        active = [d for d in rows if d.status == DiagnosisStatus.ACTIVE]
        inactive = [d for d in rows if d.status != DiagnosisStatus.ACTIVE]
        audit_log(user=user, action=AuditAction.VIEW, client=client, obj=client, detail={"tab": "diagnoses"})
        return self.render_to_response(
            self.chart_context(
                active=active,
                inactive=inactive,
                can_record=selectors.diagnoses_can_record(user, client),
                can_change=selectors.diagnoses_can_change(user, client),
            )
        )


class DiagnosisCreateView(DiagnosisPageMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "clients.add_diagnosis"
    perm = access.CHANGE
    template_name = "clients/diagnoses/diagnosis_form.html"

    def get(self, request, *args, **kwargs):
        return self.form_page(DiagnosisForm(), gettext("Record a diagnosis"))

    def post(self, request, *args, **kwargs):
        form = DiagnosisForm(request.POST)
        if form.is_valid():
            try:
                diagnosis = services.diagnosis_record(
                    client=self.client_record, acting_user=request.user, data=form.cleaned_data
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, gettext("Diagnosis recorded: %(code)s.") % {"code": diagnosis.code.code}
                )
                return redirect(tab_url(self.client_record))
        return self.form_page(form, gettext("Record a diagnosis"), status=400)


class DiagnosisUpdateView(DiagnosisPageMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "clients.change_diagnosis"
    perm = access.CHANGE
    template_name = "clients/diagnoses/diagnosis_form.html"

    def get(self, request, *args, **kwargs):
        diagnosis = self.get_record()
        initial = {
            "code": diagnosis.code.code,
            "diagnosis_type": diagnosis.diagnosis_type,
            "onset_date": diagnosis.onset_date,
            "comment": diagnosis.comment,
        }
        form = DiagnosisForm(initial=initial, version_of=diagnosis)
        return self.form_page(form, gettext("Edit a diagnosis"), diagnosis=diagnosis)

    def post(self, request, *args, **kwargs):
        diagnosis = self.get_record()
        form = DiagnosisForm(request.POST, version_of=diagnosis)
        if form.is_valid():
            try:
                services.diagnosis_update(
                    diagnosis=diagnosis,
                    acting_user=request.user,
                    data=form.cleaned_data,
                    expected=form.expected_version(),
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, gettext("Diagnosis updated."))
                return redirect(tab_url(self.client_record))
        return self.form_page(form, gettext("Edit a diagnosis"), diagnosis=diagnosis, status=400)


class DiagnosisStatusView(DiagnosisPageMixin, PermissionRequiredMixin, TemplateView):
    """Resolve (with the date), reactivate, or mark entered in error (with a reason)."""

    permission_required = "clients.change_diagnosis"
    perm = access.CHANGE
    template_name = "clients/diagnoses/diagnosis_status.html"

    def get(self, request, *args, **kwargs):
        diagnosis = self.get_record()
        form = DiagnosisStatusForm(
            initial={"status": request.GET.get("status", "")}, current=diagnosis.status
        )
        return self.page(form=form, diagnosis=diagnosis)

    def post(self, request, *args, **kwargs):
        diagnosis = self.get_record()
        form = DiagnosisStatusForm(request.POST, current=diagnosis.status)
        if form.is_valid():
            try:
                diagnosis = services.diagnosis_set_status(
                    diagnosis=diagnosis,
                    status=form.cleaned_data["status"],
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                    resolved_date=form.cleaned_data["resolved_date"],
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    gettext("Diagnosis %(code)s is now %(status)s.")
                    % {"code": diagnosis.code.code, "status": diagnosis.get_status_display().lower()},
                )
                return redirect(tab_url(self.client_record))
        return self.page(form=form, diagnosis=diagnosis, status=400)


class DiagnosisCodeSearchView(LoginRequiredMixin, TemplateView):
    """ICD-10-CM codes matching ``?q=``, as the radio list the add and edit forms show (htmx swaps it
    in as the user types). No client data, but only for staff who may see diagnoses."""

    template_name = "clients/diagnoses/_code_results.html"

    def get(self, request, *args, **kwargs):
        if not selectors.diagnoses_can_see(request.user):
            raise PermissionDenied
        q = request.GET.get("q", "").strip()
        results = list(selectors.diagnosis_codes_search(q)) if q else []
        return self.render_to_response({"q": q, "results": results})
