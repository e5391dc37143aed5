"""Django admin for the care-team core: staff and roles, teams, care-team assignments, the audit report."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib import admin
from django.contrib.admin.options import ShowFacets
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import Truncator

from clients.models import TIME_ZONE_CHOICES, Client

from . import access
from .audit import Entry, audit_log, audit_log_many
from .errors import DomainError
from .models import AuditAction, AuditEvent, CareTeamAssignment, ServiceHeartbeat, Team, User
from .roles import Role
from .services import assignment_end, assignment_start

_CLIENT_REFERENCE = re.compile(r"(?P<prefix>CT-?)?(?P<digits>\d{1,18})", re.IGNORECASE)


def parse_client_reference(text: str) -> tuple[str, str | int]:
    """Read what staff type to name a client: a record number (``CT-0000042``, ``ct-42``) or an id (``42``).

    Returns ``("record_number", "CT-0000042")`` or ``("pk", 42)``; raises ``ValidationError`` otherwise.
    At most 18 digits, so the number always fits the database's 64-bit key.
    """
    match = _CLIENT_REFERENCE.fullmatch(text.strip().replace(" ", ""))
    if match is None:
        raise ValidationError("Type a record number such as CT-0000042, or a client id.")
    number = int(match["digits"])
    if match["prefix"]:
        return "record_number", f"CT-{number:07d}"
    return "pk", number


def scope_to_visible_clients(queryset: QuerySet, user: User, *, client_field: str = "client") -> QuerySet:
    """Limit rows that belong to a client to the clients ``user`` may see (admins see everything).

    The admin is one more door into client records; a staff account that is
    not an administrator gets no more through it than through the chart.
    """
    if access.sees_all_clients(user):
        return queryset
    visible = Client.objects.filter(access.visible_clients_q(user)).values("pk")
    return queryset.filter(**{f"{client_field}__in": visible})


def count_subquery(queryset: QuerySet, *, group_by: str) -> Coalesce:
    """COUNT(*) of ``queryset`` per outer row as a correlated subquery.

    Two plain ``Count()`` annotations over two to-many joins multiply each
    other's rows (a team's members times its clients); one subquery each
    keeps the changelist at one query whatever the sizes.
    """
    counted = queryset.order_by().values(group_by).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class ReadOnlyAdminMixin:
    """For records only the application writes (audit rows, grants, scores): admins read them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- list filters -------------------------------------------------------------------------------


class InputFilter(admin.ListFilter):
    """A list filter people type into (text, dates) instead of picking from a list of every value.

    Subclasses list their ``inputs`` as (query parameter, label, HTML input
    type, placeholder) and implement ``filter(queryset, values)``, which may
    raise ``ValidationError``: the list then shows nothing and the filter
    shows the message, instead of the admin's bare "?e=1" error page.
    Rendered by ``templates/admin/input_filter.html`` as a small GET form
    that carries the other active filters, search and ordering along.
    """

    template = "admin/input_filter.html"
    inputs: tuple[tuple[str, str, str, str], ...] = ()

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        self.error = ""
        for name in self.expected_parameters():
            if name in params:
                # Popped even when blank: whatever is left in params the changelist applies as a field lookup.
                value = params.pop(name)[-1].strip()
                if value:
                    self.used_parameters[name] = value

    def has_output(self) -> bool:
        return True

    def expected_parameters(self) -> list[str]:
        return [name for name, *_ in self.inputs]

    def queryset(self, request, queryset):
        if not self.used_parameters:
            return queryset
        try:
            return self.filter(queryset, self.used_parameters)
        except ValidationError as exc:
            self.error = " ".join(exc.messages)
            return queryset.none()

    def filter(self, queryset: QuerySet, values: dict[str, str]) -> QuerySet:
        raise NotImplementedError

    def choices(self, changelist):
        own = self.expected_parameters()
        yield {
            "inputs": [
                {
                    "name": name,
                    "label": label,
                    "type": input_type,
                    "placeholder": placeholder,
                    "value": self.used_parameters.get(name, ""),
                }
                for name, label, input_type, placeholder in self.inputs
            ],
            # Submitting a GET form replaces the whole query string: carry the rest along.
            "hidden": [
                (key, value)
                for key, values in changelist.filter_params.items()
                if key not in own
                for value in values
            ],
            "clear_query_string": changelist.get_query_string(remove=own) if self.used_parameters else "",
            "error": self.error,
        }


class ClientRecordFilter(InputFilter):
    """Rows about one client, named by record number or id.

    A related-object list filter would render every client (100k) in the
    sidebar, so this one is typed instead.
    """

    title = "client"
    client_field = "client"
    inputs = (("client_ref", "Record number or client id", "text", "CT-0000042"),)

    def filter(self, queryset, values):
        kind, value = parse_client_reference(values["client_ref"])
        if kind == "pk":
            return queryset.filter(**{f"{self.client_field}_id": value})
        # Resolve the record number first: the rows are then found on the client_id index, with no join.
        client_ids = Client.objects.filter(record_number=value).values("pk")
        return queryset.filter(**{f"{self.client_field}_id__in": client_ids})


class DateRangeFilter(InputFilter):
    """Rows whose ``field_name`` falls between two dates, both inclusive, in the current time zone.

    Subclasses set ``field_name`` and ``title``; the query parameters are
    ``<field_name>_from`` and ``<field_name>_to`` (single underscore, so they
    never collide with ``date_hierarchy``'s ``<field>__year`` parameters).
    """

    field_name = ""

    def __init__(self, request, params, model, model_admin):
        self.inputs = (
            (f"{self.field_name}_from", "From", "date", ""),
            (f"{self.field_name}_to", "To (inclusive)", "date", ""),
        )
        super().__init__(request, params, model, model_admin)

    @staticmethod
    def _parse(value: str | None) -> dt.date | None:
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(f"“{value}” is not a date (YYYY-MM-DD).") from None

    def filter(self, queryset, values):
        start = self._parse(values.get(f"{self.field_name}_from"))
        end = self._parse(values.get(f"{self.field_name}_to"))
        if start and end and start > end:
            raise ValidationError("The “from” date is after the “to” date.")
        tz = timezone.get_current_timezone()
        if start:
            since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
            queryset = queryset.filter(**{f"{self.field_name}__gte": since})
        if end:
            # Midnight at the start of the next day, so the whole "to" day is included.
            until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            queryset = queryset.filter(**{f"{self.field_name}__lt": until})
        return queryset


class OccurredBetweenFilter(DateRangeFilter):
    """The audit report's date range."""

    title = "date range"
    field_name = "occurred_at"


def date_set_filter(*, field: str, title: str, parameter: str, unset_label: str, set_label: str):
    """A list filter on whether a nullable date is set (assignment ended, record archived)."""

    class DateSetFilter(admin.SimpleListFilter):
        parameter_name = parameter

        def lookups(self, request, model_admin):
            return [("unset", unset_label), ("set", set_label)]

        def queryset(self, request, queryset):
            if self.value() in ("unset", "set"):
                return queryset.filter(**{f"{field}__isnull": self.value() == "unset"})
            return queryset

    DateSetFilter.title = title
    return DateSetFilter


ActiveAssignmentFilter = date_set_filter(
    field="ended_on", title="status", parameter="state", unset_label="Active", set_label="Ended"
)


# --- auditing what admin pages show -------------------------------------------------------------


class AuditedClientAdminMixin:
    """Writes the audit rows the chart's own pages write: a client record shown is a client record viewed.

    A change page (GET) records one VIEW; a changelist records one LIST row per
    row shown, in one insert. ``audited_client_id`` says which client a row
    belongs to. Evaluating ``cl.result_list`` here fills its cache, so the
    template renders the same rows without a second query.
    """

    def audited_client_id(self, obj) -> int | None:
        return obj.client_id

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if request.method == "GET" and changelist is not None:
            label = self.model._meta.label_lower
            audit_log_many(
                user=request.user,
                entries=[
                    Entry(
                        action=AuditAction.LIST,
                        client_id=self.audited_client_id(obj),
                        object_type=label,
                        object_id=str(obj.pk),
                        detail={"page": "admin"},
                    )
                    for obj in changelist.result_list
                ],
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = (getattr(response, "context_data", None) or {}).get("original")
        if request.method == "GET" and obj is not None and response.status_code == 200:
            audit_log(
                user=request.user,
                action=AuditAction.VIEW,
                client=self.audited_client_id(obj),
                obj=obj,
                detail={"page": "admin"},
            )
        return response


# --- staff and teams ----------------------------------------------------------------------------

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
    list_display = ("username", "full_name", "credentials", "email", "roles", "is_active", "is_staff")
    list_filter = ("groups", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("last_name", "first_name", "username")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

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


class ServiceWriteForm(forms.ModelForm):
    """A ModelForm whose write is a service call made while the form validates.

    The admin validates a form and then saves it with no way back to the form,
    so a service's refusal (``DomainError``) raised at save time would be a
    500. Here ``clean()`` calls ``write()``, which runs the service (it
    validates, writes and audits in its own transaction, rolled back on
    refusal) and returns the saved row; a refusal becomes a form error and
    nothing is saved. ``ModelAdmin.save_model`` then has nothing left to do.

    The model's own constraint checks are skipped (``_post_clean``): the
    service enforces the same care-team rules with messages people can act
    on, and would otherwise be answered by a second, generic "Constraint …
    is violated" next to its own.

    Only safe on an admin without inlines: the admin commits the transaction
    even when an inline formset is invalid.
    """

    acting_user: User | None = None  # set per request by get_form (a fresh class each time)

    def write(self, cleaned_data: dict):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self._errors:
            return cleaned
        try:
            saved = self.write(cleaned)
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        else:
            if saved is not None:
                self.instance = saved
        return cleaned

    def _post_clean(self):
        # No model validation after clean(): the service already validated and wrote (see above).
        pass


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
        if not access.can_manage_care_team(self.acting_user, client):
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
        if not access.can_manage_care_team(self.acting_user, self.instance.client):
            raise DomainError("You may not change this client's care team.")
        return assignment_end(
            assignment=self.instance, acting_user=self.acting_user, reason=reason, ended_on=ended_on
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
        "prev_hash",
        "row_hash",
    )
    readonly_fields = fields

    @admin.display(description="client", ordering="client__record_number")
    def client_column(self, obj: AuditEvent) -> str:
        if obj.client_id is None:
            return self.get_empty_value_display()
        # The trail outlives what it mentions (no FK constraint): say which id, even with no such row.
        return str(obj.client) if obj.client is not None else f"#{obj.client_id}"

    @admin.display(description="reason", ordering="reason")
    def reason_column(self, obj: AuditEvent) -> str:
        return Truncator(obj.reason).chars(80)


@admin.register(ServiceHeartbeat)
class ServiceHeartbeatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """When the worker last answered beat; written by the heartbeat task only."""

    list_display = ("name", "last_seen")
