"""Admin for crisis records (read-only, scoped like the chart, audited) and caring-contact protocols.

Episodes, safety plans, checkpoints and caring-contact plans change only through the chart and the
API, where the services apply their rules; here they are looked up. Protocols are edited here.
Nothing is deleted.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.options import ShowFacets

from careteam.admin_tools import (
    AuditedClientAdminMixin,
    ClientRecordFilter,
    ReadOnlyAdminMixin,
    scope_to_visible_clients,
)

from .models import (
    CaringContactPlan,
    CaringContactProtocol,
    CrisisEpisode,
    FollowUpCheckpoint,
    SafetyPlanVersion,
)


class _ScopedReadOnly(ReadOnlyAdminMixin, AuditedClientAdminMixin, admin.ModelAdmin):
    list_filter = (ClientRecordFilter,)
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)


@admin.register(CrisisEpisode)
class CrisisEpisodeAdmin(_ScopedReadOnly):
    list_display = ("opened_at", "client", "source", "risk_level", "disposition", "closed_at", "opened_by")
    list_select_related = ("client", "opened_by")
    list_filter = ("risk_level", "disposition", "source", ClientRecordFilter)
    date_hierarchy = "opened_at"
    raw_id_fields = ("client", "opened_by", "risk_screen", "disposition_by", "closed_by")
    filter_horizontal = ("responders",)


@admin.register(FollowUpCheckpoint)
class FollowUpCheckpointAdmin(_ScopedReadOnly):
    list_display = ("window_end", "client", "label", "meets", "window_start")
    list_select_related = ("client",)
    list_filter = ("kind", "meets", ClientRecordFilter)
    raw_id_fields = ("episode", "client", "due_task")


@admin.register(SafetyPlanVersion)
class SafetyPlanVersionAdmin(_ScopedReadOnly):
    list_display = ("client", "version", "created_at", "author", "reason")
    list_select_related = ("client", "author")
    list_filter = ("reason", ClientRecordFilter)
    raw_id_fields = ("client", "author", "episode")


@admin.register(CaringContactPlan)
class CaringContactPlanAdmin(_ScopedReadOnly):
    list_display = ("client", "protocol", "channel", "start_date", "signer", "stopped_at")
    list_select_related = ("client", "protocol", "signer")
    list_filter = ("protocol", "channel", ClientRecordFilter)
    raw_id_fields = ("client", "episode", "signer", "started_by", "stopped_by")


class ProtocolForm(forms.ModelForm):
    class Meta:
        model = CaringContactProtocol
        fields = ["name", "description", "steps", "is_default", "is_active"]
        help_texts = {
            "steps": 'A JSON list, e.g. [{"days": 1}, {"months": 1}, {"birthday": true}]. Counted from the '
            "plan's start date in the client's time zone; a change applies to plans started afterwards.",
        }


@admin.register(CaringContactProtocol)
class CaringContactProtocolAdmin(admin.ModelAdmin):
    form = ProtocolForm
    list_display = ("name", "is_default", "is_active", "step_count")
    list_filter = ("is_active",)

    @admin.display(description="Messages")
    def step_count(self, obj) -> int:
        return len(obj.steps)

    def has_delete_permission(self, request, obj=None):
        return False  # retire a protocol (inactive); plans keep pointing at it
