"""Admin for medications and the prescriber's recommendations: scoped like the chart, audited, written
through ``clients.medications.services``; nothing is deleted."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import ShowFacets

from careteam.admin_tools import AuditedClientAdminMixin, ClientRecordFilter, scope_to_visible_clients
from clients.models import Medication, MedicationStatus, PrescriberRecommendation
from clients.needs.admin import RecordServiceForm

from . import services


class MedicationAddForm(RecordServiceForm):
    class Meta:
        model = Medication
        fields = ("client", *services.MEDICATION_FIELDS)

    def write(self, cleaned_data):
        data = {k: cleaned_data[k] for k in services.MEDICATION_FIELDS}
        return services.medication_create(
            client=cleaned_data["client"], acting_user=self.acting_user, data=data
        )


class MedicationChangeForm(RecordServiceForm):
    class Meta:
        model = Medication
        fields = (*services.MEDICATION_FIELDS, "status", "stop_date", "status_reason")

    def write(self, cleaned_data):
        # No model validation ran (ServiceWriteForm._post_clean): the instance is still the stored row.
        medication = services.medication_update(
            medication=self.instance,
            acting_user=self.acting_user,
            data={k: cleaned_data[k] for k in services.MEDICATION_FIELDS},
        )
        status = cleaned_data["status"]
        if status == MedicationStatus.STOPPED and medication.status != status:
            medication = services.medication_stop(
                medication=medication,
                acting_user=self.acting_user,
                reason=cleaned_data.get("status_reason", ""),
                stop_date=cleaned_data.get("stop_date"),
            )
        elif status == MedicationStatus.ENTERED_IN_ERROR and medication.status != status:
            medication = services.medication_mark_entered_in_error(
                medication=medication,
                acting_user=self.acting_user,
                reason=cleaned_data.get("status_reason", ""),
            )
        elif status != medication.status:
            services.MEDICATION_STATES.check(medication.status, status)
        return medication


@admin.register(Medication)
class MedicationAdmin(AuditedClientAdminMixin, admin.ModelAdmin):
    list_display = ("name", "client", "moud_type", "status", "start_date", "stop_date", "recorded_by")
    list_select_related = ("client", "recorded_by")
    list_filter = ("status", "moud_type", ClientRecordFilter)
    search_fields = ("name", "rxnorm_code")
    raw_id_fields = ("client", "prescriber")
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return MedicationAddForm._meta.fields
        return ("client", *MedicationChangeForm._meta.fields, "recorded_by", "recorded_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("client", "recorded_by", "recorded_at", "updated_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = MedicationChangeForm if obj is not None else MedicationAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        pass  # written by the form's clean() through the services (see ServiceWriteForm)

    def has_delete_permission(self, request, obj=None):
        return False


class RecommendationAddForm(RecordServiceForm):
    class Meta:
        model = PrescriberRecommendation
        fields = ("client", *services.RECOMMENDATION_FIELDS)

    def write(self, cleaned_data):
        data = {k: cleaned_data[k] for k in services.RECOMMENDATION_FIELDS}
        return services.recommendation_create(
            client=cleaned_data["client"], acting_user=self.acting_user, data=data
        )


@admin.register(PrescriberRecommendation)
class PrescriberRecommendationAdmin(AuditedClientAdminMixin, admin.ModelAdmin):
    """Recommendations are added here or on the chart and never changed: one entered in error is marked
    so on the chart (or through the API)."""

    list_display = ("recommended_on", "client", "prescriber_name", "medication", "entered_in_error_at")
    list_select_related = ("client", "medication")
    list_filter = (ClientRecordFilter,)
    date_hierarchy = "recommended_on"
    raw_id_fields = ("client", "medication")
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    readonly_fields = ("recorded_by", "recorded_at", "entered_in_error_at", "entered_in_error_reason")

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return RecommendationAddForm._meta.fields
        return ("client", *services.RECOMMENDATION_FIELDS, *self.readonly_fields)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RecommendationAddForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # written by the form's clean() through the services (see ServiceWriteForm)

    def has_delete_permission(self, request, obj=None):
        return False
