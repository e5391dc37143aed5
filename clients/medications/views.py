"""The chart's "Medications & allergies" tab, and the pages to record, edit, stop and correct a
medication and the prescriber's recommendations.

Medications are hidden from minimum-necessary roles (peer specialists): for them these pages answer
404, like a record they may not see, and the tab is not shown.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from careteam import access
from careteam.audit import audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction
from clients.allergies import selectors as allergy_selectors
from clients.chart_views import ChartFormPageMixin, add_service_errors
from clients.models import AllergyStatus, MedicationStatus

from . import selectors, services
from .forms import EnteredInErrorForm, MedicationForm, MedicationStopForm, RecommendationForm


def tab_url(client) -> str:
    return reverse("clients:medications:tab", args=[client.pk])


class MedicationPageMixin(ChartFormPageMixin):
    tab = "medications"
    page_predicate = staticmethod(selectors.medications_can_see)  # peers may not learn what exists: 404

    def return_url(self) -> str:
        return tab_url(self.client_record)


class MedicationsTabView(MedicationPageMixin, TemplateView):
    """Allergies (with the review state), current medications (MOUD first), the prescriber's
    recommendations, and stopped medications."""

    audits_own_view = True  # one VIEW row naming the tab, below
    template_name = "clients/medications/tab.html"

    def get(self, request, *args, **kwargs):
        user, client = request.user, self.client_record
        show_allergies = allergy_selectors.allergies_can_see(user)
        allergies = list(allergy_selectors.allergies_for_client(client)) if show_allergies else []
        recommendations = list(selectors.recommendations_for_client(client, include_errors=True))
        audit_log(
            user=user, action=AuditAction.VIEW, client=client, obj=client, detail={"tab": "medications"}
        )
        ctx = self.chart_context(
            current=list(selectors.with_active_reminders(selectors.current_medications(client))),
            past=list(selectors.past_medications(client)),
            recommendations=[r for r in recommendations if r.entered_in_error_at is None],
            recommendations_in_error=[r for r in recommendations if r.entered_in_error_at is not None],
            show_allergies=show_allergies,
            active_allergies=[a for a in allergies if a.status == AllergyStatus.ACTIVE],
            other_allergies=[a for a in allergies if a.status != AllergyStatus.ACTIVE],
            can_change_medications=selectors.medications_can_change(user, client),
            can_record_recommendations=selectors.recommendations_can_record(user, client),
            can_change_allergies=show_allergies and allergy_selectors.allergies_can_change(user, client),
            can_remind=selectors.medication_reminders_can_add(user, client),
        )
        return self.render_to_response(ctx)


class MedicationCreateView(MedicationPageMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "clients.add_medication"
    perm = access.CHANGE
    template_name = "clients/medications/medication_form.html"

    def get(self, request, *args, **kwargs):
        return self.page(form=MedicationForm(client=self.client_record), title=_("Record a medication"))

    def post(self, request, *args, **kwargs):
        form = MedicationForm(request.POST, client=self.client_record)
        if form.is_valid():
            try:
                medication = services.medication_create(
                    client=self.client_record, acting_user=request.user, data=form.cleaned_data
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Medication recorded: %(name)s.") % {"name": medication.name})
                return redirect(tab_url(self.client_record))
        return self.page(form=form, title=_("Record a medication"), status=400)


class MedicationObjectMixin(MedicationPageMixin, PermissionRequiredMixin):
    permission_required = "clients.change_medication"
    perm = access.CHANGE
    record_selector = staticmethod(selectors.medication_get_for_user)
    record_url_kwarg = "medication_pk"


class MedicationUpdateView(MedicationObjectMixin, TemplateView):
    template_name = "clients/medications/medication_form.html"

    def get(self, request, *args, **kwargs):
        medication = self.get_record()
        if medication.status == MedicationStatus.ENTERED_IN_ERROR:
            raise Http404("No such medication.")
        initial = {f: getattr(medication, f) for f in services.MEDICATION_FIELDS}
        form = MedicationForm(initial=initial, version_of=medication, client=self.client_record)
        return self.page(form=form, medication=medication, title=_("Edit medication"))

    def post(self, request, *args, **kwargs):
        medication = self.get_record()
        form = MedicationForm(
            request.POST,
            initial={"prescriber": medication.prescriber_id},
            version_of=medication,
            client=self.client_record,
        )
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in services.MEDICATION_FIELDS}
            try:
                services.medication_update(
                    medication=medication,
                    acting_user=request.user,
                    data=data,
                    expected=form.expected_version(),
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Medication updated."))
                return redirect(tab_url(self.client_record))
        return self.page(form=form, medication=medication, title=_("Edit medication"), status=400)


class MedicationStopView(MedicationObjectMixin, TemplateView):
    template_name = "clients/medications/medication_action.html"

    def titles(self, medication):
        return {
            "title": _("Stop %(name)s") % {"name": medication.name},
            "button": _("Stop the medication"),
        }

    def get(self, request, *args, **kwargs):
        medication = self.get_record()
        return self.page(form=MedicationStopForm(), medication=medication, **self.titles(medication))

    def post(self, request, *args, **kwargs):
        medication = self.get_record()
        form = MedicationStopForm(request.POST)
        if form.is_valid():
            try:
                services.medication_stop(
                    medication=medication,
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                    stop_date=form.cleaned_data["stop_date"],
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s marked stopped.") % {"name": medication.name})
                return redirect(tab_url(self.client_record))
        return self.page(form=form, medication=medication, status=400, **self.titles(medication))


class MedicationErrorView(MedicationObjectMixin, TemplateView):
    template_name = "clients/medications/medication_action.html"

    def titles(self, medication):
        return {
            "title": _("Mark %(name)s entered in error") % {"name": medication.name},
            "button": _("Mark entered in error"),
        }

    def get(self, request, *args, **kwargs):
        medication = self.get_record()
        return self.page(form=EnteredInErrorForm(), medication=medication, **self.titles(medication))

    def post(self, request, *args, **kwargs):
        medication = self.get_record()
        form = EnteredInErrorForm(request.POST)
        if form.is_valid():
            try:
                services.medication_mark_entered_in_error(
                    medication=medication, acting_user=request.user, reason=form.cleaned_data["reason"]
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("%(name)s marked entered in error.") % {"name": medication.name})
                return redirect(tab_url(self.client_record))
        return self.page(form=form, medication=medication, status=400, **self.titles(medication))


class RecommendationCreateView(MedicationPageMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "clients.add_prescriberrecommendation"
    perm = access.CHANGE
    template_name = "clients/medications/recommendation_form.html"

    def form(self, data=None):
        medications = selectors.current_medications(self.client_record)
        initial = {}
        wanted = self.request.GET.get("medication", "")
        if wanted.isdigit():
            initial["medication"] = medications.filter(pk=int(wanted)).first()
        return RecommendationForm(data, initial=initial, medications=medications)

    def get(self, request, *args, **kwargs):
        return self.page(form=self.form())

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            try:
                services.recommendation_create(
                    client=self.client_record, acting_user=request.user, data=form.cleaned_data
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Recommendation recorded."))
                return redirect(tab_url(self.client_record))
        return self.page(form=form, status=400)


class RecommendationErrorView(MedicationPageMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "clients.change_prescriberrecommendation"
    perm = access.CHANGE
    template_name = "clients/medications/medication_action.html"
    record_selector = staticmethod(selectors.recommendation_get_for_user)
    record_url_kwarg = "recommendation_pk"

    def titles(self):
        return {"title": _("Mark a recommendation entered in error"), "button": _("Mark entered in error")}

    def get(self, request, *args, **kwargs):
        rec = self.get_record()
        return self.page(form=EnteredInErrorForm(), recommendation=rec, **self.titles())

    def post(self, request, *args, **kwargs):
        rec = self.get_record()
        form = EnteredInErrorForm(request.POST)
        if form.is_valid():
            try:
                services.recommendation_mark_entered_in_error(
                    recommendation=rec, acting_user=request.user, reason=form.cleaned_data["reason"]
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Recommendation marked entered in error."))
                return redirect(tab_url(self.client_record))
        return self.page(form=form, recommendation=rec, status=400, **self.titles())
