"""Admin for allergies: scoped like the chart, audited, written through ``clients.allergies.services``
(so the client's allergy review state follows); nothing is deleted."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import ShowFacets

from careteam.admin_tools import (
    AuditedClientAdminMixin,
    ClientRecordFilter,
    RecordServiceForm,
    ServiceFormAdminMixin,
)
from clients.models import Allergy

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
class AllergyAdmin(ServiceFormAdminMixin, AuditedClientAdminMixin, admin.ModelAdmin):
    list_display = ("substance", "client", "kind", "severity", "status", "recorded_by", "recorded_at")
    list_select_related = ("client", "recorded_by")
    list_filter = ("status", "category", "kind", "severity", ClientRecordFilter)
    search_fields = ("substance",)
    raw_id_fields = ("client",)
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    add_form = AllergyAddForm
    change_form = AllergyChangeForm
    audit_fields = ("recorded_by", "recorded_at", "updated_at")
