"""Admin for medications and the prescriber's recommendations: scoped like the chart, audited, written
through ``clients.medications.services``; nothing is deleted."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import ShowFacets

from careteam.admin_tools import (
    AuditedClientAdminMixin,
    ClientRecordFilter,
    RecordServiceForm,
    ServiceFormAdminMixin,
)
from clients.models import Medication, MedicationStatus, PrescriberRecommendation

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
class MedicationAdmin(ServiceFormAdminMixin, AuditedClientAdminMixin, admin.ModelAdmin):
    list_display = ("name", "client", "moud_type", "status", "start_date", "stop_date", "recorded_by")
    list_select_related = ("client", "recorded_by")
    list_filter = ("status", "moud_type", ClientRecordFilter)
    search_fields = ("name", "rxnorm_code")
    raw_id_fields = ("client", "prescriber")
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    add_form = MedicationAddForm
    change_form = MedicationChangeForm
    audit_fields = ("recorded_by", "recorded_at", "updated_at")


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
class PrescriberRecommendationAdmin(ServiceFormAdminMixin, AuditedClientAdminMixin, admin.ModelAdmin):
    """Recommendations are added here or on the chart and never changed: one entered in error is marked
    so on the chart (or through the API)."""

    list_display = ("recommended_on", "client", "prescriber_name", "medication", "entered_in_error_at")
    list_select_related = ("client", "medication")
    list_filter = (ClientRecordFilter,)
    date_hierarchy = "recommended_on"
    raw_id_fields = ("client", "medication")
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    add_form = RecommendationAddForm
    audit_fields = ("recorded_by", "recorded_at", "entered_in_error_at", "entered_in_error_reason")

    def has_change_permission(self, request, obj=None):
        return False
