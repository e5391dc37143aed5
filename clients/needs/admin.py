"""Admin for needs: scoped like the chart, audited, written through ``clients.needs.services``."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import ShowFacets
from django.core.exceptions import ValidationError

from careteam.admin_tools import (
    AuditedClientAdminMixin,
    ClientRecordFilter,
    ServiceWriteForm,
    scope_to_visible_clients,
)
from clients.models import Need

from . import services


class RecordServiceForm(ServiceWriteForm):
    """``ServiceWriteForm`` that also shows a service's field-keyed ``ValidationError`` on the form."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error(None, exc.messages)
            return self.cleaned_data


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
class NeedAdmin(AuditedClientAdminMixin, admin.ModelAdmin):
    list_display = ("identified_at", "client", "category", "urgency", "status", "identified_by")
    list_select_related = ("client", "identified_by")
    list_filter = ("status", "urgency", "category", ClientRecordFilter)
    date_hierarchy = "identified_at"
    raw_id_fields = ("client",)
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return NeedAddForm._meta.fields
        return ("client", *NeedChangeForm._meta.fields, "identified_by", "identified_at", "status_changed_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("client", "identified_by", "identified_at", "status_changed_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = NeedChangeForm if obj is not None else NeedAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        pass  # written by the form's clean() through the services (see ServiceWriteForm)

    def has_delete_permission(self, request, obj=None):
        return False
