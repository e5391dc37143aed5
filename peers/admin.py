"""Django admin for peer support (each part registers its own models).

Support groups and the first-friend list are kept here by administrators. Client-linked rows
(contacts, attendance, check-ins) are scoped to the clients the staff member may see, audited
like the chart, and never deleted; contacts are read-only (they are logged through the peer's page).
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from careteam.admin_tools import AuditedClientAdminMixin, scope_to_visible_clients

from . import services
from .assignments import admin as assignments_admin  # noqa: F401  (registers its models)
from .models import FirstFriend, GroupAttendance, PeerContact, RecoveryCapitalCheckIn, SupportGroup


class _NoDelete:
    def has_delete_permission(self, request, obj=None):
        return False


class _ClientScoped(AuditedClientAdminMixin, _NoDelete):
    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)


@admin.register(SupportGroup)
class SupportGroupAdmin(_NoDelete, admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # online meeting links are https
    list_display = ("name", "fellowship", "meets_on", "meets_at", "language", "is_active")
    list_filter = ("fellowship", "language", "is_active")
    search_fields = ("name", "place")

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in form.changed_data} if change else form.cleaned_data
        services.support_group_save(acting_user=request.user, data=data, group=obj if change else None)


@admin.register(FirstFriend)
class FirstFriendAdmin(_NoDelete, admin.ModelAdmin):
    list_display = ("name", "phone", "neighborhoods", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "neighborhoods", "notes")

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in form.changed_data} if change else form.cleaned_data
        saved = services.first_friend_save(
            acting_user=request.user, data=data, friend=obj if change else None
        )
        obj.pk = saved.pk


@admin.register(PeerContact)
class PeerContactAdmin(_ClientScoped, admin.ModelAdmin):
    list_display = ("occurred_at", "client", "peer", "kind", "mode", "duration_minutes")
    list_filter = ("kind", "mode")
    list_select_related = ("client", "peer")
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(GroupAttendance)
class GroupAttendanceAdmin(_ClientScoped, admin.ModelAdmin):
    list_display = ("date", "client", "group", "attended", "source")
    list_filter = ("source", "attended")
    list_select_related = ("client", "group")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RecoveryCapitalCheckIn)
class RecoveryCapitalCheckInAdmin(_ClientScoped, admin.ModelAdmin):
    list_display = ("recorded_on", "client", "total", "recorded_by")
    list_select_related = ("client", "recorded_by")
    readonly_fields = ("client", "recorded_by", "recorded_on", "ratings", "total", "note")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
