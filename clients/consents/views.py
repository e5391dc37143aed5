"""The chart's "Consents" tab (consents and the accounting of disclosures), recording and revoking a
consent, and the printable accounting of disclosures.

Consent details are hidden from minimum-necessary roles (peer specialists): for them these pages
answer 404, like a record they may not see, and the tab is not shown.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from careteam import access
from careteam.audit import audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction
from clients.chart_views import ChartFormPageMixin, add_service_errors
from clients.models import ConsentKind, InformationCategory

from . import selectors, services
from .forms import ConsentForm, DisclosurePeriodForm, RevokeForm, organization_model

DISCLOSURES_PER_PAGE = 25


def _tab_url(client) -> str:
    return reverse("clients:consents:tab", args=[client.pk])


class ConsentPageMixin(ChartFormPageMixin):
    tab = "consents"

    # The access predicate of these pages (``selectors``); the accounting of disclosures narrows it.
    # Peers hold no consent permission and may not learn what consents exist: 404, not 403.
    page_predicate = staticmethod(selectors.consents_can_see)

    def return_url(self) -> str:
        return _tab_url(self.client_record)


class ConsentTabView(ConsentPageMixin, TemplateView):
    """Consents grouped active / not yet in effect / expired / revoked, and the accounting of disclosures."""

    audits_own_view = True  # one VIEW row naming the tab, below
    template_name = "clients/consents/tab.html"

    def get(self, request, *args, **kwargs):
        user, client = request.user, self.client_record
        groups = selectors.consents_for_client(client)
        show_disclosures = selectors.disclosures_can_see(user)
        page_obj = None
        if show_disclosures:
            page_obj = Paginator(selectors.disclosures_for_client(client), DISCLOSURES_PER_PAGE).get_page(
                request.GET.get("page")
            )
        audit_log(user=user, action=AuditAction.VIEW, client=client, obj=client, detail={"tab": "consents"})
        ctx = self.chart_context(
            groups=groups,
            group_list=[
                ("active", "Active", groups.active),
                ("upcoming", "Not yet in effect", groups.upcoming),
                ("expired", "Expired", groups.expired),
                ("revoked", "Revoked", groups.revoked),
            ],
            show_disclosures=show_disclosures,
            page_obj=page_obj,
            disclosures=page_obj.object_list if page_obj else [],
            page_query="",
            category_labels=dict(InformationCategory.choices),
            can_record=selectors.consents_can_record(user, client),
            can_revoke=selectors.consents_can_revoke(user, client),
        )
        return self.render_to_response(ctx)


def _initial_from_query(params) -> dict:
    """Prefill from the referral consent gate: ?kind=part2&organization=<id>&categories=sud&…"""
    initial: dict = {"signed_on": timezone.localdate()}
    if params.get("kind") in ConsentKind.values:
        initial["kind"] = params["kind"]
    org_id = params.get("organization", "")
    if org_id.isdigit():
        org = organization_model().objects.filter(pk=int(org_id)).first()
        if org is not None:
            initial["recipient_organization"] = org
    elif params.get("recipient_name"):
        initial["recipient_name"] = params["recipient_name"][:200]
    categories = [c for c in params.getlist("categories") if c in InformationCategory.values]
    if categories:
        initial["categories"] = categories
    if params.get("purpose"):
        initial["purpose"] = params["purpose"][:300]
    return initial


class ConsentCreateView(ConsentPageMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "clients.add_consent"
    perm = access.CHANGE
    template_name = "clients/consents/consent_form.html"
    follows_next = True

    def get(self, request, *args, **kwargs):
        return self.page(form=ConsentForm(initial=_initial_from_query(request.GET)))

    def post(self, request, *args, **kwargs):
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                consent = services.consent_record(
                    client=self.client_record, acting_user=request.user, data=form.cleaned_data
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, f"Consent recorded: {consent.get_kind_display()} → {consent.recipient_display}."
                )
                return redirect(self.back_url())
        return self.page(form=form, status=400)


class ConsentRevokeView(ConsentPageMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "clients.change_consent"
    perm = access.CHANGE
    template_name = "clients/consents/consent_revoke.html"
    record_selector = staticmethod(selectors.consent_get_for_user)
    record_url_kwarg = "consent_pk"

    def get(self, request, *args, **kwargs):
        consent = self.get_record()
        if consent.revoked_on:
            messages.info(request, f"This consent was already revoked on {consent.revoked_on:%b %-d, %Y}.")
            return redirect(_tab_url(self.client_record))
        return self.page(form=RevokeForm(), consent=consent)

    def post(self, request, *args, **kwargs):
        consent = self.get_record()
        form = RevokeForm(request.POST)
        if form.is_valid():
            try:
                services.consent_revoke(
                    consent=consent,
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                    on=form.cleaned_data["on"],
                )
            except (ValidationError, DomainError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    f"Consent to {consent.recipient_display} revoked. No further disclosures under it.",
                )
                return redirect(_tab_url(self.client_record))
        return self.page(form=form, consent=consent, status=400)


class DisclosurePrintView(ConsentPageMixin, TemplateView):
    """The printable accounting of disclosures (42 CFR 2.24) for an optional date range; an EXPORT."""

    audits_own_view = True
    template_name = "clients/consents/disclosures_print.html"

    page_predicate = staticmethod(selectors.disclosures_can_see)

    def get(self, request, *args, **kwargs):
        user, client = request.user, self.client_record
        form = DisclosurePeriodForm(request.GET or None)
        invalid = form.is_bound and not form.is_valid()
        start = end = None
        if form.is_bound and not invalid:
            start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
        # A bad range prints nothing (never the whole history by accident) and exports nothing.
        disclosures = [] if invalid else list(selectors.disclosures_for_client(client, start=start, end=end))
        if not invalid:
            audit_log(
                user=user,
                action=AuditAction.EXPORT,
                client=client,
                obj=client,
                detail={
                    "report": "accounting-of-disclosures",
                    "start": start.isoformat() if start else None,
                    "end": end.isoformat() if end else None,
                    "rows": len(disclosures),
                },
            )
        return self.render_to_response(
            {
                "client": client,
                "form": form,
                "start": start,
                "end": end,
                "part2_notice": selectors.PART2_NOTICE,
                "disclosures": disclosures,
                "category_labels": dict(InformationCategory.choices),
                "printed_at": timezone.now(),
                "printed_by": user,
            },
            status=400 if invalid else 200,
        )
