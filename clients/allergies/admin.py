"""Admin for allergies: scoped like the chart, audited, written through ``clients.allergies.services``
(so the client's allergy review state follows); nothing is deleted."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import ShowFacets

from careteam.admin_tools import AuditedClientAdminMixin, ClientRecordFilter, scope_to_visible_clients
from clients.models import Allergy
from clients.needs.admin import RecordServiceForm

from . import services


class AllergyAddForm(RecordServiceForm):
    class Meta:
        model = Allergy
        fields = ("client", *services.ALLERGY_FIELDS)

    def write(self, cleaned_data):
        data = {k: cleaned_data[k] for k in services.ALLERGY_FIELDS}
        return services.allergy_create(client=cleaned_data["client"], acting_user=self.acting_user, data=data)


class AllergyChangeForm(RecordServiceForm):
    class Meta:
        model = Allergy
        fields = (*services.ALLERGY_FIELDS, "status", "status_reason")

    def write(self, cleaned_data):
        # No model validation ran (ServiceWriteForm._post_clean): the instance is still the stored row.
        allergy = services.allergy_update(
            allergy=self.instance,
            acting_user=self.acting_user,
            data={k: cleaned_data[k] for k in services.ALLERGY_FIELDS},
        )
        if cleaned_data["status"] != allergy.status:
            allergy = services.allergy_set_status(
                allergy=allergy,
                status=cleaned_data["status"],
                acting_user=self.acting_user,
                reason=cleaned_data.get("status_reason", ""),
            )
        return allergy


@admin.register(Allergy)
class AllergyAdmin(AuditedClientAdminMixin, admin.ModelAdmin):
    list_display = ("substance", "client", "kind", "severity", "status", "recorded_by", "recorded_at")
    list_select_related = ("client", "recorded_by")
    list_filter = ("status", "category", "kind", "severity", ClientRecordFilter)
    search_fields = ("substance",)
    raw_id_fields = ("client",)
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return AllergyAddForm._meta.fields
        return ("client", *AllergyChangeForm._meta.fields, "recorded_by", "recorded_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("client", "recorded_by", "recorded_at", "updated_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AllergyChangeForm if obj is not None else AllergyAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        pass  # written by the form's clean() through the services (see ServiceWriteForm)

    def has_delete_permission(self, request, obj=None):
        return False
