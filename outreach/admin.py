"""Admin for the outbox: templates are edited here; messages, replies, reminders and the
development outbox are read here (scoped to visible clients), with "retry" for failed messages."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.options import ShowFacets

from careteam.admin_tools import (
    AuditedClientAdminMixin,
    ClientRecordFilter,
    ReadOnlyAdminMixin,
    scope_to_visible_clients,
)
from careteam.audit import audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction

from . import services
from .models import (
    ClientReminder,
    InboundMessage,
    MessageStatus,
    MessageTemplate,
    OutboxEntry,
    ScheduledMessage,
)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """The wording of every client-facing message, per language and channel. Never deleted: a
    message in the outbox names its template by key."""

    list_display = ("key", "language", "channel", "essential", "description", "updated_at", "updated_by")
    list_filter = ("language", "channel", "essential")
    search_fields = ("key", "body", "description")
    readonly_fields = ("updated_at", "updated_by")
    fields = (
        "key",
        "language",
        "channel",
        "essential",
        "description",
        "subject",
        "body",
        "updated_at",
        "updated_by",
    )

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        audit_log(
            user=request.user,
            action=AuditAction.CHANGE if change else AuditAction.CREATE,
            obj=obj,
            changed_fields=form.changed_data,
        )


@admin.register(ScheduledMessage)
class ScheduledMessageAdmin(ReadOnlyAdminMixin, AuditedClientAdminMixin, admin.ModelAdmin):
    list_display = ("send_at", "client", "channel", "template_key", "status", "status_reason", "attempts")
    list_select_related = ("client",)
    list_filter = ("status", "channel", "source_kind", "status_reason", ClientRecordFilter)
    search_fields = ("idempotency_key", "provider_message_id", "template_key")
    date_hierarchy = "send_at"
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    actions = ["retry_failed"]

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Retry the selected failed messages")
    def retry_failed(self, request, queryset):
        retried = 0
        for message in queryset.filter(status=MessageStatus.FAILED):
            try:
                services.message_retry(message=message, acting_user=request.user)
            except DomainError:
                continue
            retried += 1
        self.message_user(request, f"{retried} message(s) queued again.", messages.SUCCESS)


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdminMixin, AuditedClientAdminMixin, admin.ModelAdmin):
    list_display = ("received_at", "from_number", "client", "kind", "risk_words")
    list_select_related = ("client",)
    list_filter = ("kind", ClientRecordFilter)
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return scope_to_visible_clients(qs.filter(client__isnull=False), request.user)


@admin.register(ClientReminder)
class ClientReminderAdmin(ReadOnlyAdminMixin, AuditedClientAdminMixin, admin.ModelAdmin):
    list_display = ("client", "kind", "label", "channel", "first_at", "recurrence", "until", "stopped_at")
    list_select_related = ("client",)
    list_filter = ("kind", "recurrence", ClientRecordFilter)
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)


@admin.register(OutboxEntry)
class OutboxEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What the database backend "sent" (development)."""

    list_display = ("created_at", "channel", "to", "subject", "idempotency_key")
    list_filter = ("channel",)
    search_fields = ("to", "idempotency_key")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return scope_to_visible_clients(
            qs.filter(message__isnull=False), request.user, client_field="message__client"
        )
