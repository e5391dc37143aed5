"""Pages to record an allergy, edit it, change its status, and record "no known allergies".

They are reached from the chart's "Medications & allergies" tab and return there. Allergies are
hidden from minimum-necessary roles (peer specialists): for them these pages answer 404.
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
from careteam.errors import DomainError
from clients.chart_views import ChartFormPageMixin, add_service_errors
from clients.models import AllergyStatus

from . import selectors, services
from .forms import AllergyForm, AllergyStatusForm


def tab_url(client) -> str:
    return reverse("clients:medications:tab", args=[client.pk]) + "#h-allergies"


class AllergyPageMixin(ChartFormPageMixin, PermissionRequiredMixin):
    tab = "medications"
    perm = access.CHANGE
    permission_required = ("clients.add_allergy", "clients.change_allergy")
    page_predicate = staticmethod(selectors.allergies_can_see)
    record_selector = staticmethod(selectors.allergy_get_for_user)
    record_url_kwarg = "allergy_pk"

    def return_url(self) -> str:
        return tab_url(self.client_record)


class AllergyCreateView(AllergyPageMixin, TemplateView):
    template_name = "clients/medications/allergy_form.html"

    def get(self, request, *args, **kwargs):
        return self.page(form=AllergyForm(), title=_("Record an allergy"))

    def post(self, request, *args, **kwargs):
        form = AllergyForm(request.POST)
        if form.is_valid():
            try:
                allergy = services.allergy_create(
                    client=self.client_record, acting_user=request.user, data=form.cleaned_data
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Allergy recorded: %(substance)s.") % {"substance": allergy.substance}
                )
                return redirect(tab_url(self.client_record))
        return self.page(form=form, title=_("Record an allergy"), status=400)


class AllergyUpdateView(AllergyPageMixin, TemplateView):
    template_name = "clients/medications/allergy_form.html"

    def get(self, request, *args, **kwargs):
        allergy = self.get_record()
        if allergy.status == AllergyStatus.ENTERED_IN_ERROR:
            raise Http404("No such allergy.")
        form = AllergyForm(
            initial={f: getattr(allergy, f) for f in services.ALLERGY_FIELDS}, version_of=allergy
        )
        return self.page(form=form, allergy=allergy, title=_("Edit allergy"))

    def post(self, request, *args, **kwargs):
        allergy = self.get_record()
        form = AllergyForm(request.POST, version_of=allergy)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in services.ALLERGY_FIELDS}
            try:
                services.allergy_update(
                    allergy=allergy, acting_user=request.user, data=data, expected=form.expected_version()
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Allergy updated."))
                return redirect(tab_url(self.client_record))
        return self.page(form=form, allergy=allergy, title=_("Edit allergy"), status=400)


class AllergyStatusView(AllergyPageMixin, TemplateView):
    """No longer applies / applies again / entered in error (with a reason)."""

    template_name = "clients/medications/allergy_status.html"

    def get(self, request, *args, **kwargs):
        allergy = self.get_record()
        form = AllergyStatusForm(initial={"status": request.GET.get("status", "")}, current=allergy.status)
        return self.page(form=form, allergy=allergy)

    def post(self, request, *args, **kwargs):
        allergy = self.get_record()
        form = AllergyStatusForm(request.POST, current=allergy.status)
        if form.is_valid():
            try:
                allergy = services.allergy_set_status(
                    allergy=allergy,
                    status=form.cleaned_data["status"],
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(substance)s: %(status)s.")
                    % {"substance": allergy.substance, "status": allergy.get_status_display().lower()},
                )
                return redirect(tab_url(self.client_record))
        return self.page(form=form, allergy=allergy, status=400)


class AllergyNoneKnownView(AllergyPageMixin, TemplateView):
    """The "No known allergies" button (POST only); refused while an active allergy is on the chart."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services.allergy_record_none_known(client=self.client_record, acting_user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Recorded: no known allergies."))
        return redirect(tab_url(self.client_record))
