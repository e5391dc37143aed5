"""Pages to identify a need, edit it and change its status.

They are reached from the "Needs & Referrals" tab (the referrals app renders it) and return there
through a safe ``?next=``; without one they return to the chart overview.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from careteam import access
from careteam.errors import DomainError
from clients.chart_views import ChartFormPageMixin, add_service_errors

from . import selectors, services
from .forms import NeedForm, NeedStatusForm


class NeedPageMixin(ChartFormPageMixin, PermissionRequiredMixin):
    """Needs have no tab of their own here: the overview is the fallback destination."""

    tab = "needs"
    follows_next = True
    record_selector = staticmethod(selectors.need_get_for_user)
    record_url_kwarg = "need_pk"

    def return_url(self) -> str:
        return reverse("clients:detail", args=[self.client_record.pk])


class NeedCreateView(NeedPageMixin, TemplateView):
    permission_required = "clients.add_need"
    template_name = "clients/needs/need_form.html"

    def get(self, request, *args, **kwargs):
        initial = {}
        if request.GET.get("category"):
            initial["category"] = request.GET["category"]
        return self.page(form=NeedForm(initial=initial), title="Add a need")

    def post(self, request, *args, **kwargs):
        form = NeedForm(request.POST)
        if form.is_valid():
            try:
                need = services.need_create(
                    client=self.client_record, acting_user=request.user, data=form.cleaned_data
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Need added: {need.get_category_display().lower()}.")
                return redirect(self.back_url())
        return self.page(form=form, title="Add a need", status=400)


class NeedUpdateView(NeedPageMixin, TemplateView):
    permission_required = "clients.change_need"
    perm = access.CHANGE  # editing a need is a change to the record, not a view of it
    template_name = "clients/needs/need_form.html"

    def get(self, request, *args, **kwargs):
        need = self.get_record()
        form = NeedForm(initial={f: getattr(need, f) for f in services.NEED_FIELDS}, version_of=need)
        return self.page(form=form, need=need, title="Edit need")

    def post(self, request, *args, **kwargs):
        need = self.get_record()
        form = NeedForm(request.POST, version_of=need)
        if form.is_valid():
            try:
                services.need_update(
                    need=need,
                    acting_user=request.user,
                    data=form.cleaned_data,
                    expected=form.expected_version(),
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Need updated.")
                return redirect(self.back_url())
        return self.page(form=form, need=need, title="Edit need", status=400)


class NeedStatusView(NeedPageMixin, TemplateView):
    """Met / closed, not met / declined (with a note), or open again."""

    permission_required = "clients.change_need"
    perm = access.CHANGE
    template_name = "clients/needs/need_status.html"

    def get(self, request, *args, **kwargs):
        need = self.get_record()
        initial = {"status": request.GET.get("status", "")}
        return self.page(form=NeedStatusForm(initial=initial, current=need.status), need=need)

    def post(self, request, *args, **kwargs):
        need = self.get_record()
        form = NeedStatusForm(request.POST, current=need.status)
        if form.is_valid():
            try:
                need = services.need_set_status(
                    need=need,
                    status=form.cleaned_data["status"],
                    acting_user=request.user,
                    note=form.cleaned_data["note"].strip(),
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Need marked {need.get_status_display().lower()}.")
                return redirect(self.back_url())
        return self.page(form=form, need=need, status=400)
