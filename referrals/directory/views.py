"""Directory pages: search, one service, and updating a service's capacity.

The directory holds no client information, so nothing here is scoped per client or audited as a
view; changing a service's capacity is audited by its service function.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from careteam.errors import DomainError
from referrals.models import Capacity

from . import selectors, services
from .forms import CapacityForm, DirectorySearchForm

PAGE_SIZE = 20


class DirectorySearchView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Find services by need, words, language, open now and accepting electronic referrals."""

    permission_required = "referrals.view_service"
    template_name = "referrals/directory/search.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = DirectorySearchForm(self.request.GET or None)
        filters = form.filters()
        page_obj = Paginator(selectors.service_search(**filters), PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx.update(
            form=form,
            page_obj=page_obj,
            services=page_obj.object_list,
            searched=any(filters.values()),
            page_query=query.urlencode(),
        )
        return ctx


class ServiceDetailView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """One service: everything the directory knows, and (case managers) its capacity."""

    permission_required = "referrals.view_service"
    template_name = "referrals/directory/service_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        service = selectors.service_get(self.kwargs["pk"])
        ctx.update(
            service=service,
            can_update_capacity=self.request.user.has_perm("referrals.change_service"),
            capacity_form=kwargs.get("capacity_form") or CapacityForm(initial={"capacity": service.capacity}),
        )
        return ctx


class ServiceCapacityUpdateView(ServiceDetailView):
    """POST: record the service's capacity now."""

    permission_required = ("referrals.view_service", "referrals.change_service")
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        service = selectors.service_get(self.kwargs["pk"])
        form = CapacityForm(request.POST)
        if form.is_valid():
            try:
                services.service_capacity_update(
                    service=service, capacity=form.cleaned_data["capacity"], acting_user=request.user
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"Capacity set to “{Capacity(service.capacity).label}”.")
                return redirect(reverse("referrals:directory-service", args=[service.pk]))
        return self.render_to_response(self.get_context_data(capacity_form=form), status=400)
