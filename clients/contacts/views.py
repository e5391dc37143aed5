"""Pages to log a contact with a client and to read the contact log (paged, newest first)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from careteam.audit import audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction
from careteam.redirects import safe_next_url
from careteam.timezones import user_time_zone
from clients.chart_views import ChartMixin, UserTimeZoneMixin, add_service_errors
from clients.models import ContactPurpose

from . import selectors, services
from .forms import ContactForm

PAGE_SIZE = getattr(settings, "CARETEAM_CONTACT_LOG_PAGE_SIZE", 25)


def _log_url(client) -> str:
    return reverse("clients:contacts:list", args=[client.pk])


class ContactCreateView(UserTimeZoneMixin, ChartMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "clients.add_clientcontact"
    template_name = "clients/contacts/contact_form.html"
    tab = "encounters"

    def page(self, form, status=200):
        next_url = safe_next_url(self.request)
        ctx = self.chart_context(
            form=form, next_url=next_url, back_url=next_url or _log_url(self.client_record)
        )
        return self.render_to_response(ctx, status=status)

    def get(self, request, *args, **kwargs):
        initial = {"contacted_at": timezone.localtime().replace(second=0, microsecond=0)}
        if request.GET.get("purpose") in ContactPurpose.values:
            initial["purpose"] = request.GET["purpose"]
        return self.page(ContactForm(initial=initial))

    def post(self, request, *args, **kwargs):
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                contact = services.contact_log(
                    client=self.client_record, acting_user=request.user, data=form.cleaned_data
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Contact logged: {contact.get_mode_display().lower()}, "
                    f"{'reached' if contact.reached else 'not reached'}.",
                )
                return redirect(safe_next_url(request) or _log_url(self.client_record))
        return self.page(form, status=400)


class ContactLogView(UserTimeZoneMixin, ChartMixin, PermissionRequiredMixin, TemplateView):
    """Every logged contact with the client, newest first, paged."""

    audits_own_view = True  # one VIEW row naming the page, written below
    permission_required = "clients.view_clientcontact"
    template_name = "clients/contacts/contact_list.html"
    tab = "encounters"

    def get(self, request, *args, **kwargs):
        client = self.client_record
        page_obj = Paginator(selectors.contacts_for_client(client), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        audit_log(
            user=request.user,
            action=AuditAction.VIEW,
            client=client,
            obj=client,
            detail={"page": "contact-log", "contacts": [c.pk for c in page_obj.object_list]},
        )
        ctx = self.chart_context(
            page_obj=page_obj,
            contacts=page_obj.object_list,
            page_query="",
            can_log=request.user.has_perm("clients.add_clientcontact"),
            user_tz=user_time_zone(request.user),
        )
        return self.render_to_response(ctx)
