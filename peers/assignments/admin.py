"""Django admin for peer profiles (with certifications), match preferences and peer assignments.

Peer assignments are started and ended through the services (so care-team access
follows); nothing here is deleted.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from careteam.admin_tools import AuditedClientAdminMixin, scope_to_visible_clients
from careteam.errors import DomainError
from careteam.models import User
from careteam.roles import Role

from ..models import PeerAssignment, PeerCertification, PeerMatchPreferences, PeerProfile
from . import services


class _NoDelete:
    def has_delete_permission(self, request, obj=None):
        return False


class CertificationInline(admin.TabularInline):
    model = PeerCertification
    extra = 0
    fields = ("name", "issuer", "expires_on")


@admin.register(PeerProfile)
class PeerProfileAdmin(_NoDelete, admin.ModelAdmin):
    list_display = ("user", "age_bracket", "caseload_capacity", "accepting_new", "trained_for_youth")
    list_filter = ("accepting_new", "trained_for_youth", "age_bracket")
    search_fields = ("user__username", "user__first_name", "user__last_name")
    list_select_related = ("user",)
    inlines = [CertificationInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(groups__name=Role.PEER_SPECIALIST)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(PeerMatchPreferences)
class PeerMatchPreferencesAdmin(_NoDelete, AuditedClientAdminMixin, admin.ModelAdmin):
    list_display = ("client", "wants_peer", "language_match", "gender_preference", "updated_at")
    readonly_fields = ("updated_at", "updated_by")
    raw_id_fields = ("client",)
    list_select_related = ("client",)

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in services.PREFERENCE_FIELDS if f in form.cleaned_data}
        services.peer_match_preferences_set(client=obj.client, acting_user=request.user, data=data)


class PeerAssignmentAdminForm(forms.ModelForm):
    override_capacity = forms.BooleanField(
        required=False, help_text="Assign even if the peer is at capacity."
    )

    class Meta:
        model = PeerAssignment
        fields = ("client", "peer", "goals", "ended_on", "end_reason")


@admin.register(PeerAssignment)
class PeerAssignmentAdmin(_NoDelete, AuditedClientAdminMixin, admin.ModelAdmin):
    form = PeerAssignmentAdminForm
    list_display = ("client", "peer", "started_on", "ended_on")
    list_filter = ("ended_on",)
    list_select_related = ("client", "peer")
    raw_id_fields = ("client",)

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("client", "peer", "goals", "override_capacity")
        return ("client", "peer", "started_on", "goals", "match_reasons", "ended_on", "end_reason")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        done = ("ended_on", "end_reason") if obj.ended_on else ()
        return ("client", "peer", "started_on", "goals", "match_reasons", *done)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "peer":
            kwargs["queryset"] = User.objects.filter(groups__name=Role.PEER_SPECIALIST, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        try:
            if not change:
                saved = services.peer_assignment_start(
                    client=form.cleaned_data["client"],
                    peer=form.cleaned_data["peer"],
                    acting_user=request.user,
                    goals=form.cleaned_data.get("goals", ""),
                    match_reasons=["Chosen in the admin"],
                    override_capacity=form.cleaned_data.get("override_capacity", False),
                )
                obj.pk = saved.pk
            elif "ended_on" in form.changed_data and form.cleaned_data.get("ended_on"):
                fresh = PeerAssignment.objects.get(pk=obj.pk)
                services.peer_assignment_end(
                    assignment=fresh,
                    acting_user=request.user,
                    reason=form.cleaned_data.get("end_reason") or "Ended in the admin",
                    ended_on=form.cleaned_data["ended_on"],
                )
        except (DomainError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
