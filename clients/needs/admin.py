"""Admin for needs: scoped like the chart, audited, written through ``clients.needs.services``."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import ShowFacets

from careteam.admin_tools import (
    AuditedClientAdminMixin,
    ClientRecordFilter,
    RecordServiceForm,
    ServiceFormAdminMixin,
)
from clients.models import Need

from . import services


class NeedAddForm(RecordServiceForm):
    class Meta:
        model = Need
        fields = ("client", "category", "description", "urgency")

    def write(self, cleaned_data):
        data = {k: cleaned_data[k] for k in services.NEED_FIELDS}
        return services.need_create(client=cleaned_data["client"], acting_user=self.acting_user, data=data)


class NeedChangeForm(RecordServiceForm):
    class Meta:
        model = Need
        fields = ("category", "description", "urgency", "status", "closed_note")

    def write(self, cleaned_data):
        # No model validation ran (ServiceWriteForm._post_clean), so the instance is still the stored row.
        need = self.instance
        need = services.need_update(
            need=need, acting_user=self.acting_user, data={k: cleaned_data[k] for k in services.NEED_FIELDS}
        )
        if cleaned_data["status"] != need.status:
            need = services.need_set_status(
                need=need,
                status=cleaned_data["status"],
                acting_user=self.acting_user,
                note=cleaned_data.get("closed_note", ""),
            )
        return need


@admin.register(Need)
class NeedAdmin(ServiceFormAdminMixin, AuditedClientAdminMixin, admin.ModelAdmin):
    list_display = ("identified_at", "client", "category", "urgency", "status", "identified_by")
    list_select_related = ("client", "identified_by")
    list_filter = ("status", "urgency", "category", ClientRecordFilter)
    date_hierarchy = "identified_at"
    raw_id_fields = ("client",)
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    add_form = NeedAddForm
    change_form = NeedChangeForm
    audit_fields = ("identified_by", "identified_at", "status_changed_at")
