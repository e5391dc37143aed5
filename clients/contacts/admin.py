"""Admin for logged contacts: scoped and audited like the chart; added through ``contact_log``, never
changed or deleted."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import ShowFacets
from django.utils import timezone

from careteam.admin_tools import (
    AuditedClientAdminMixin,
    ClientRecordFilter,
    RecordServiceForm,
    scope_to_visible_clients,
)
from clients.models import ClientContact

from . import services
from .services import CONTACT_FIELDS


class ContactAddForm(RecordServiceForm):
    class Meta:
        model = ClientContact
        fields = ("client", *CONTACT_FIELDS)

    def write(self, cleaned_data):
        data = {k: cleaned_data.get(k) for k in CONTACT_FIELDS}
        data["summary"] = data["summary"] or ""
        return services.contact_log(client=cleaned_data["client"], acting_user=self.acting_user, data=data)


@admin.register(ClientContact)
class ClientContactAdmin(AuditedClientAdminMixin, admin.ModelAdmin):
    list_display = ("contacted_at", "client", "mode", "purpose", "reached", "staff")
    list_select_related = ("client", "staff")
    list_filter = ("mode", "purpose", "reached", ClientRecordFilter)
    date_hierarchy = "contacted_at"
    raw_id_fields = ("client",)
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    form = ContactAddForm

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)

    def get_fields(self, request, obj=None):
        return (
            ContactAddForm._meta.fields if obj is None else ("client", "staff", *CONTACT_FIELDS, "created_at")
        )

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.get_fields(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user
        return form

    def get_changeform_initial_data(self, request):
        return {"contacted_at": timezone.now(), **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        pass  # written by the form's clean() through ``contact_log``

    def has_change_permission(self, request, obj=None):
        # The change page is a read-only view of what was logged.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
