"""Admin for appointments, session notes and addenda: scoped like the chart, nothing deleted.

Signed notes are read-only here too (corrections are addenda). A draft note is changed only by
its author, through ``note_update``. Restricted notes are listed only for their author and the
author's supervisors — and for superusers, who hold every permission anyway.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.options import ShowFacets
from django.db import models

from careteam.admin_tools import (
    AuditedClientAdminMixin,
    ClientRecordFilter,
    ReadOnlyAdminMixin,
    scope_to_visible_clients,
)
from careteam.errors import DomainError
from clients.models import Appointment, EncounterNote, NoteAddendum

from . import selectors, services


def _notes_for_admin(request):
    user = request.user
    if user.is_superuser:
        return EncounterNote.objects.all()
    return EncounterNote.objects.filter(client__isnull=False).filter(selectors.restricted_visible_q(user))


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdminMixin, AuditedClientAdminMixin, admin.ModelAdmin):
    """Appointments to look up. Booking and status moves happen on the chart, where the status
    table and the double-booking warning apply."""

    # Telehealth links are https; say so rather than rely on Django 5's http default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    list_display = ("starts_at", "kind", "client", "staff", "status", "duration_minutes")
    list_select_related = ("client", "staff")
    list_filter = ("status", "kind", ClientRecordFilter)
    date_hierarchy = "starts_at"
    raw_id_fields = ("client", "staff", "rescheduled_to", "status_changed_by", "created_by")
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def audited_client_id(self, obj):
        return obj.client_id

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)


class NoteAddendumInline(admin.TabularInline):
    model = NoteAddendum
    fields = ("author", "text", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EncounterNote)
class EncounterNoteAdmin(AuditedClientAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "client",
        "author",
        "format",
        "status",
        "restricted",
        "requires_cosign",
        "cosigned_at",
    )
    list_select_related = ("client", "author")
    list_filter = ("status", "format", "restricted", "requires_cosign", ClientRecordFilter)
    date_hierarchy = "created_at"
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    inlines = [NoteAddendumInline]
    _record_fields = (
        "client",
        "appointment",
        "author",
        "status",
        "signed_at",
        "signed_by",
        "requires_cosign",
        "cosigned_at",
        "cosigned_by",
        "created_at",
        "updated_at",
    )
    fields = (*_record_fields[:3], *services.NOTE_EDITABLE_FIELDS, *_record_fields[3:])
    readonly_fields = _record_fields

    def audited_client_id(self, obj):
        return obj.client_id

    def get_queryset(self, request):
        qs = super().get_queryset(request).filter(pk__in=_notes_for_admin(request).values("pk"))
        return scope_to_visible_clients(qs, request.user)

    def has_add_permission(self, request):
        return False  # notes are written on the chart, on an attended appointment

    def has_change_permission(self, request, obj=None):
        if obj is not None and (obj.is_locked or obj.author_id != request.user.pk):
            return False  # signed notes are locked everywhere; drafts belong to their author
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.NOTE_EDITABLE_FIELDS
        }
        try:
            services.note_update(note=obj, acting_user=request.user, data=data)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        obj.refresh_from_db()


@admin.register(NoteAddendum)
class NoteAddendumAdmin(ReadOnlyAdminMixin, AuditedClientAdminMixin, admin.ModelAdmin):
    """Addenda to look up; they are added on the note's page and never changed."""

    list_display = ("created_at", "note", "author")
    list_select_related = ("note", "author")
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def audited_client_id(self, obj):
        return obj.note.client_id

    def get_queryset(self, request):
        notes = scope_to_visible_clients(_notes_for_admin(request), request.user)
        return super().get_queryset(request).filter(note__in=notes.values("pk"))
