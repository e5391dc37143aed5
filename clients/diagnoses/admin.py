"""Admin for the ICD-10-CM code set (kept, never deleted) and diagnoses (read here, written on the chart)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import ShowFacets

from careteam.admin_tools import (
    AuditedClientAdminMixin,
    ClientRecordFilter,
    ReadOnlyAdminMixin,
    scope_to_visible_clients,
)
from clients.models import Diagnosis, DiagnosisCode


@admin.register(DiagnosisCode)
class DiagnosisCodeAdmin(admin.ModelAdmin):
    """Codes come from the release files (migration 0014, ``manage.py load_icd10cm``). A code is never
    deleted — diagnoses reference it — but one no longer in the release is marked inactive."""

    list_display = ("code", "description", "billable", "is_active", "release")
    list_filter = ("billable", "is_active", "release")
    search_fields = ("code", "description")
    ordering = ("code",)
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Diagnosis)
class DiagnosisAdmin(AuditedClientAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read only: diagnoses are recorded and moved on the chart (``clients.diagnoses.services``), and a
    wrong one is marked entered in error there, never deleted."""

    list_display = ("recorded_at", "client", "code", "diagnosis_type", "status", "recorded_by")
    list_select_related = ("client", "code", "recorded_by")
    list_filter = ("status", "diagnosis_type", ClientRecordFilter)
    date_hierarchy = "recorded_at"
    raw_id_fields = ("client", "code")
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)
