"""Admin for consents and disclosures: scoped and audited like the chart; never deleted.

A consent is recorded through ``consent_record`` and then only revoked (through
``consent_revoke``, which flags the referrals that relied on it). Disclosures are read-only: the
services that disclose write them. Minimum-necessary roles see no consents here either.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.options import ShowFacets

from careteam.admin_tools import (
    AuditedClientAdminMixin,
    ClientRecordFilter,
    ReadOnlyAdminMixin,
    RecordServiceForm,
    scope_to_visible_clients,
)
from careteam.errors import DomainError
from clients.models import Consent, Disclosure, InformationCategory

from . import selectors, services
from .services import CONSENT_FIELDS


class ConsentAddForm(RecordServiceForm):
    categories = forms.MultipleChoiceField(
        choices=InformationCategory.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Consent
        fields = ("client", *CONSENT_FIELDS)

    def write(self, cleaned_data):
        data = {k: cleaned_data.get(k) for k in CONSENT_FIELDS}
        data["categories"] = list(data["categories"] or [])
        for text in ("recipient_name", "purpose", "expires_on_event"):
            data[text] = data[text] or ""
        return services.consent_record(client=cleaned_data["client"], acting_user=self.acting_user, data=data)


class ConsentRevokeForm(RecordServiceForm):
    class Meta:
        model = Consent
        fields = ("revoked_on", "revoked_reason")

    def write(self, cleaned_data):
        on, reason = cleaned_data.get("revoked_on"), cleaned_data.get("revoked_reason", "")
        if on is None and not reason.strip():
            return None  # nothing to do: the consent stays in force
        if on is None:
            raise DomainError("Give the date the client revoked the consent.", field="revoked_on")
        return services.consent_revoke(
            consent=self.instance, acting_user=self.acting_user, reason=reason, on=on
        )


def _scoped(queryset, request):
    if not selectors.consents_can_see(request.user) and not request.user.is_superuser:
        return queryset.none()
    return scope_to_visible_clients(queryset, request.user)


@admin.register(Consent)
class ConsentAdmin(AuditedClientAdminMixin, admin.ModelAdmin):
    list_display = ("signed_on", "client", "kind", "recipient_display", "expires_on", "revoked_on")
    list_select_related = ("client", "recipient_organization")
    list_filter = ("kind", "signature_method", ClientRecordFilter)
    date_hierarchy = "signed_on"
    raw_id_fields = ("client", "recipient_organization")
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_queryset(self, request):
        return _scoped(super().get_queryset(request), request)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ConsentAddForm._meta.fields
        return ("client", *CONSENT_FIELDS, "revoked_on", "revoked_reason", "recorded_by", "recorded_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        record = ("client", *CONSENT_FIELDS, "recorded_by", "recorded_at")
        return record if not obj.revoked_on else (*record, "revoked_on", "revoked_reason")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ConsentRevokeForm if obj is not None else ConsentAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        pass  # written by the form's clean() through the services

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="recipient")
    def recipient_display(self, obj):
        return obj.recipient_display


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdminMixin, AuditedClientAdminMixin, admin.ModelAdmin):
    """The accounting of disclosures, to look up."""

    list_display = (
        "disclosed_at",
        "client",
        "recipient",
        "description",
        "purpose",
        "consent",
        "disclosed_by",
    )
    list_select_related = ("client", "recipient_organization", "consent", "disclosed_by")
    list_filter = (ClientRecordFilter,)
    date_hierarchy = "disclosed_at"
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if not selectors.disclosures_can_see(request.user) and not request.user.is_superuser:
            return qs.none()
        return scope_to_visible_clients(qs, request.user)

    @admin.display(description="recipient")
    def recipient(self, obj):
        return str(obj.recipient_organization) if obj.recipient_organization_id else obj.recipient_name
