"""Django admin for the care-team core: staff and roles, teams, care-team assignments, the audit report."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.contrib.admin.options import ShowFacets
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from knox.models import AuthToken

from clients.models import TIME_ZONE_CHOICES, Client

from . import access
from .access_report import (
    REPEATED_DENIALS_THRESHOLD,
    REPEATED_DENIALS_WINDOW,
    audit_events_for_user,
    repeated_denials_for_user,
)
from .admin_tools import (
    AuditedClientAdminMixin,
    ClientRecordFilter,
    OccurredBetweenFilter,
    ReadOnlyAdminMixin,
    ServiceWriteForm,
    count_subquery,
    date_set_filter,
    scope_to_visible_clients,
)
from .audit import audit_log
from .errors import DomainError
from .models import (
    AuditAction,
    AuditEvent,
    CareTeamAssignment,
    EmergencyAccess,
    Organization,
    ServiceHeartbeat,
    Team,
    User,
)
from .roles import Role
from .services import assignment_end, assignment_start
from .signin.selectors import SECOND_FACTORS
from .signin.services import mfa_reset, sessions_end_everywhere

_PERSONAL = ("first_name", "last_name", "credentials", "email", "time_zone")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Staff accounts. A role is a Django group; changing one is audited by ``careteam.signals``.

    Per-user permissions are left off the form: model permissions come from
    roles (DESIGN "Access"), so one place says what a counselor may do.
    Accounts are deactivated, never deleted: names stay on signed work,
    care-team history and the audit trail.
    """

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": _PERSONAL}),
        ("Roles and access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        ("Personal info", {"classes": ("wide",), "fields": _PERSONAL}),
        ("Roles", {"classes": ("wide",), "fields": ("groups",)}),
    )
    filter_horizontal = ("groups",)
    list_display = (
        "username",
        "full_name",
        "credentials",
        "email",
        "roles",
        "two_factor",
        "is_active",
        "is_staff",
    )
    actions = ["reset_two_factor", "end_sessions_everywhere"]
    list_filter = ("groups", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("last_name", "first_name", "username")

    def get_queryset(self, request):
        second_factor = Authenticator.objects.filter(user=OuterRef("pk"), type__in=SECOND_FACTORS)
        return (
            super()
            .get_queryset(request)
            .prefetch_related("groups")
            .annotate(_two_factor=Exists(second_factor))
        )

    @admin.display(description="two-factor", boolean=True, ordering="_two_factor")
    def two_factor(self, obj: User) -> bool:
        return obj._two_factor

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not access.mfa_can_reset(request.user):
            actions.pop("reset_two_factor", None)
            actions.pop("end_sessions_everywhere", None)
        return actions

    @admin.action(description=_("Reset two-factor authentication (they enrol again at next sign-in)"))
    def reset_two_factor(self, request, queryset):
        for user in queryset:
            mfa_reset(user=user, acting_user=request.user)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Two-factor authentication reset for %(count)d account; its sessions and API tokens "
                "ended. It enrols again at its next sign-in.",
                "Two-factor authentication reset for %(count)d accounts; their sessions and API tokens "
                "ended. Each enrols again at its next sign-in.",
                count,
            )
            % {"count": count},
        )

    @admin.action(description=_("Sign out everywhere (end web sessions and revoke API tokens)"))
    def end_sessions_everywhere(self, request, queryset):
        for user in queryset:
            sessions_end_everywhere(user=user, acting_user=request.user, reason="admin")
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Signed out %(count)d account on every device.",
                "Signed out %(count)d accounts on every device.",
                count,
            )
            % {"count": count},
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            kwargs["widget"] = forms.Select(choices=TIME_ZONE_CHOICES)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="name", ordering="last_name")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    @admin.display(description="roles")
    def roles(self, obj: User) -> str:
        # groups.all() reads the prefetch; User.role_names would query once per row.
        labels = dict(Role.choices)
        return ", ".join(sorted(labels.get(group.name, group.name) for group in obj.groups.all()))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Group changes are audited by a signal; these flags change access just as much.
        flags = [name for name in ("is_active", "is_staff", "is_superuser") if name in form.changed_data]
        if change and flags:
            audit_log(
                user=request.user,
                action=AuditAction.PERMISSION_CHANGE,
                obj=obj,
                changed_fields=flags,
                detail={name: getattr(obj, name) for name in flags},
            )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Programs and sites. Supervising a team grants access to its clients: supervisor changes are audited."""

    list_display = ("name", "program", "site", "is_active", "member_count", "client_count")
    list_filter = ("is_active",)
    search_fields = ("name", "program", "site")
    filter_horizontal = ("members", "supervisors")

    def get_queryset(self, request):
        members = Team.members.through.objects.filter(team_id=OuterRef("pk"))
        clients = Client.objects.not_archived().filter(primary_team_id=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=count_subquery(members, group_by="team_id"),
                client_total=count_subquery(clients, group_by="primary_team_id"),
            )
        )

    @admin.display(description="members", ordering="member_total")
    def member_count(self, obj: Team) -> int:
        return obj.member_total

    @admin.display(description="clients", ordering="client_total")
    def client_count(self, obj: Team) -> int:
        return obj.client_total

    def save_related(self, request, form, formsets, change):
        team = form.instance
        before = set(team.supervisors.values_list("pk", flat=True))
        super().save_related(request, form, formsets, change)
        after = set(team.supervisors.values_list("pk", flat=True))
        if before != after:
            names = dict(User.objects.filter(pk__in=before ^ after).values_list("pk", "username"))
            audit_log(
                user=request.user,
                action=AuditAction.PERMISSION_CHANGE,
                obj=team,
                detail={
                    "supervisors_added": sorted(names[pk] for pk in after - before),
                    "supervisors_removed": sorted(names[pk] for pk in before - after),
                },
            )


# --- care-team assignments ----------------------------------------------------------------------


class AssignmentStartForm(ServiceWriteForm):
    """Put a staff member on a client's care team (``assignment_start`` grants their access)."""

    class Meta:
        model = CareTeamAssignment
        fields = ("client", "staff", "role", "started_on")

    def clean_started_on(self):
        started_on = self.cleaned_data["started_on"]
        if started_on > timezone.localdate():
            raise ValidationError("Access starts when this is saved, so the assignment cannot start later.")
        return started_on

    def write(self, cleaned_data):
        client = cleaned_data["client"]
        if not access.care_team_can_manage(self.acting_user, client):
            raise DomainError("You may not change this client's care team.", field="client")
        return assignment_start(
            client=client,
            staff=cleaned_data["staff"],
            role=cleaned_data["role"],
            acting_user=self.acting_user,
            started_on=cleaned_data["started_on"],
        )


class AssignmentEndForm(ServiceWriteForm):
    """End an assignment (``assignment_end`` revokes access no other active role still needs)."""

    class Meta:
        model = CareTeamAssignment
        fields = ("ended_on", "end_reason")

    def write(self, cleaned_data):
        ended_on = cleaned_data.get("ended_on")
        reason = cleaned_data.get("end_reason", "").strip()
        if ended_on is None:
            if reason:
                raise DomainError("Give the date the assignment ends, or clear the reason.", field="ended_on")
            return None  # nothing to do: the assignment stays active
        if ended_on > timezone.localdate():
            raise DomainError(
                "Access ends when this is saved, so the end date cannot be later.", field="ended_on"
            )
        if not reason:
            raise DomainError("Say why the assignment is ending.", field="end_reason")
        if not access.care_team_can_manage(self.acting_user, self.instance.client):
            raise DomainError("You may not change this client's care team.")
        return assignment_end(
            assignment=self.instance, acting_user=self.acting_user, reason=reason, ended_on=ended_on
        )


ActiveAssignmentFilter = date_set_filter(
    field="ended_on", title="status", parameter="state", unset_label="Active", set_label="Ended"
)


@admin.register(CareTeamAssignment)
class CareTeamAssignmentAdmin(AuditedClientAdminMixin, admin.ModelAdmin):
    """Care-team assignments: every start and end goes through ``careteam.services`` so access follows.

    Adding calls ``assignment_start``; on an active assignment only the end
    date and reason are editable, and setting the date calls
    ``assignment_end``. Ended assignments are history: view only. Nothing is
    deleted. Client and staff are picked by autocomplete (100k clients).
    """

    list_display = ("client", "staff", "role", "started_on", "ended_on", "end_reason")
    list_select_related = ("client", "staff")
    list_filter = ("role", ActiveAssignmentFilter, ClientRecordFilter, "client__primary_team")
    search_fields = ("staff__username", "staff__last_name", "staff__first_name")
    search_help_text = "Staff name or username. Find a client with the filter on the right."
    autocomplete_fields = ("client", "staff")
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    _add_fields = ("client", "staff", "role", "started_on")
    _change_fields = (*_add_fields, "ended_on", "end_reason", "created_by", "created_at")

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)

    def get_fields(self, request, obj=None):
        return self._change_fields if obj is not None else self._add_fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return tuple(f for f in self._change_fields if f not in {"ended_on", "end_reason"})

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = AssignmentEndForm if obj is not None else AssignmentStartForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user
        return form

    def get_changeform_initial_data(self, request):
        return {"started_on": timezone.localdate(), **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        # The form's clean() already wrote through the service (see ServiceWriteForm).
        pass

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.is_active:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


# --- the audit report ---------------------------------------------------------------------------


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit report: filterable, sortable, strictly read-only (the database refuses changes anyway).

    Reading the report is not itself audited: it is the record of access,
    read by the administrators who answer for it, and auditing it would add a
    row to the trail for every look at the trail.

    Administrators read every row; a supervisor (with admin access) reads the rows about the clients
    of the teams they supervise and their teams' people's rows about no client
    (``access_report.audit_events_for_user``). Above the list: users refused again and again.

    Built for millions of rows: no full-table count, no facet counts, the
    client column joined in the same query, clients found by a typed record
    number rather than a list of every client.
    """

    list_display = (
        "occurred_at",
        "username",
        "action",
        "object_type",
        "object_id",
        "client_column",
        "ip_address",
        "reason_column",
    )
    list_filter = (
        "action",
        ("user", admin.RelatedOnlyFieldListFilter),
        ClientRecordFilter,
        OccurredBetweenFilter,
    )
    list_select_related = ("client",)
    date_hierarchy = "occurred_at"
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    list_per_page = 100
    actions = None
    fields = (
        "occurred_at",
        "user",
        "username",
        "action",
        "client",
        "object_type",
        "object_id",
        "ip_address",
        "path",
        "reason",
        "changed_fields",
        "detail",
        "seal_seq",
        "prev_hash",
        "row_hash",
        "row_mac",
    )
    readonly_fields = fields

    change_list_template = "admin/careteam/auditevent/change_list.html"

    def get_queryset(self, request):
        # Administrators read every row; a supervisor the rows of the teams they supervise
        # (``access_report.audit_events_for_user`` says which): the report is one more door.
        return audit_events_for_user(request.user, super().get_queryset(request))

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "repeated_denials": repeated_denials_for_user(request.user),
            "repeated_denials_threshold": REPEATED_DENIALS_THRESHOLD,
            "repeated_denials_hours": int(REPEATED_DENIALS_WINDOW.total_seconds() // 3600),
        }
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description="client", ordering="client__record_number")
    def client_column(self, obj: AuditEvent) -> str:
        if obj.client_id is None:
            return self.get_empty_value_display()
        # The trail outlives what it mentions (no FK constraint): say which id, even with no such row.
        return str(obj.client) if obj.client is not None else f"#{obj.client_id}"

    @admin.display(description="reason", ordering="reason")
    def reason_column(self, obj: AuditEvent) -> str:
        return Truncator(obj.reason).chars(80)


# --- organisations and break-the-glass ------------------------------------------------------------


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    """Provider organisations: a crisis worker reaches the unassigned clients of their own organisation's
    teams (``access.organisation_clients_q``). Set a team's organisation on the team. Never deleted."""

    list_display = ("name",)
    search_fields = ("name",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EmergencyAccess)
class EmergencyAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Break-the-glass grants, read only: opened, ended and reviewed through ``careteam.services`` (the
    review page at /emergency-access/review/). Supervisors see their teams' clients', admins all."""

    list_display = ("started_at", "user", "client", "reason", "expires_at", "ended_at", "reviewed_at")
    list_select_related = ("user", "client")
    list_filter = ("reason", ("reviewed_at", admin.EmptyFieldListFilter))
    show_full_result_count = False

    def get_queryset(self, request):
        return access.emergency_access_list_for_user(request.user)


@admin.register(ServiceHeartbeat)
class ServiceHeartbeatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """When the worker last answered beat; written by the heartbeat task only."""

    list_display = ("name", "last_seen")


# Sign-in records are changed through audited paths only: a user's own security page, the
# actions above, /accounts/locked/. The libraries' own admin pages would let them change silently.
for _model in (Authenticator, AuthToken, EmailAddress):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
