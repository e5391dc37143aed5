"""Admin for referrals; the directory's admin lives in referrals.directory.admin.

Referrals and their events are read-only here: every change goes through the referral pages (the
status table, the consent gate, the timeline). Nothing is deleted.
"""

from django.contrib import admin
from django.contrib.admin.options import ShowFacets

from careteam.admin_tools import (
    AuditedClientAdminMixin,
    ClientRecordFilter,
    ReadOnlyAdminMixin,
    scope_to_visible_clients,
)

from .directory import admin as directory_admin  # noqa: F401  (registers the directory models)
from .models import Referral, ReferralEvent


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    fields = ("occurred_at", "kind", "from_status", "to_status", "actor_kind", "actor", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdminMixin, AuditedClientAdminMixin, admin.ModelAdmin):
    list_display = (
        "id",
        "client",
        "service",
        "organization",
        "status",
        "urgency",
        "outcome",
        "requested_at",
        "flagged_at",
    )
    list_select_related = ("client", "service", "organization")
    list_filter = ("status", "urgency", "outcome", ClientRecordFilter)
    search_fields = ("organization__name", "service__name")
    date_hierarchy = "created_at"
    raw_id_fields = ("client", "need", "service", "organization", "referred_by", "consent")
    inlines = [ReferralEventInline]
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def audited_client_id(self, obj):
        return obj.client_id

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)


@admin.register(ReferralEvent)
class ReferralEventAdmin(ReadOnlyAdminMixin, AuditedClientAdminMixin, admin.ModelAdmin):
    list_display = ("occurred_at", "referral", "kind", "from_status", "to_status", "actor_kind", "actor")
    list_select_related = ("referral__service", "actor")
    list_filter = ("kind", "actor_kind")
    raw_id_fields = ("referral", "actor")
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def audited_client_id(self, obj):
        return obj.referral.client_id

    def get_queryset(self, request):
        return scope_to_visible_clients(
            super().get_queryset(request), request.user, client_field="referral__client"
        )
