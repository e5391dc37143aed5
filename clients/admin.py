"""Django admin for client records: every write goes through ``clients.services``; nothing is deleted."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import ShowFacets
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from guardian.admin import GuardedModelAdmin

from careteam import access
from careteam.admin_tools import (
    AuditedClientAdminMixin,
    ClientRecordFilter,
    ReadOnlyAdminMixin,
    date_set_filter,
    parse_client_reference,
    scope_to_visible_clients,
)
from careteam.errors import DomainError

from . import services
from .allergies import admin as allergies_admin  # noqa: F401  (registers its models)
from .assessments import admin as assessments_admin  # noqa: F401  (registers its models)
from .consents import admin as consents_admin  # noqa: F401  (registers its models)
from .contacts import admin as contacts_admin  # noqa: F401  (registers its models)
from .diagnoses import admin as diagnoses_admin  # noqa: F401  (registers its models)
from .encounters import admin as encounters_admin  # noqa: F401  (registers its models)
from .medications import admin as medications_admin  # noqa: F401  (registers its models)
from .models import (
    TIME_ZONE_CHOICES,
    Client,
    ClientGroupObjectPermission,
    ClientUserObjectPermission,
    SupportivePerson,
)
from .needs import admin as needs_admin  # noqa: F401  (registers its models)
from .services import CLIENT_EDITABLE_FIELDS, SUPPORTIVE_PERSON_FIELDS

# Bulk archiving is for a handful of duplicates; a larger selection is more likely a slip of "select all".
ARCHIVE_SELECTION_LIMIT = 100


ArchivedFilter = date_set_filter(
    field="archived_at",
    title="archived",
    parameter="archived",
    unset_label="Not archived",
    set_label="Archived",
)


class ArchiveReasonForm(forms.Form):
    """The reason ``client_archive`` requires, asked once for the whole selection."""

    reason = forms.CharField(
        max_length=200,
        label="Why are these records being archived?",
        help_text="e.g. duplicate of CT-0000123. Kept on each record and in the audit trail.",
        widget=forms.TextInput(attrs={"size": 60}),
    )


class SupportivePersonInline(admin.TabularInline):
    """The client's current supportive people; saved through the supportive-person services, never deleted."""

    model = SupportivePerson
    fields = SUPPORTIVE_PERSON_FIELDS
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).filter(archived_at__isnull=True)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Client)
class ClientAdmin(AuditedClientAdminMixin, GuardedModelAdmin):
    """Client records, with django-guardian's object-permission page (read-only here).

    Saving goes through ``client_create`` / ``client_update``: validated,
    audited, and a new record gets its record number. Records are never
    deleted; "Archive selected records" archives entered-in-error records
    through ``client_archive`` after a confirmation page that asks why —
    the service requires a reason and the audit trail keeps it, and a fixed
    text ("archived from admin") would tell a later reader nothing.

    Object permissions are shown, not edited: grants follow care-team
    assignments (``careteam.access``), so a grant made by hand would be
    unaudited and undone by the next assignment change.
    """

    fieldsets = (
        (
            "Identity",
            {
                "fields": (
                    "record_number",
                    ("legal_first_name", "legal_last_name"),
                    "preferred_name",
                    "pronouns",
                    "date_of_birth",
                    "sex_at_birth",
                    "gender_identity",
                    "preferred_language",
                    "interpreter_needed",
                )
            },
        ),
        (
            "Contact",
            {"fields": ("phone", "email", "address_line1", "address_line2", "city", "state", "postal_code")},
        ),
        (
            "Contact preferences",
            {
                "fields": (
                    "preferred_channel",
                    "texting",
                    "may_leave_voicemail",
                    ("quiet_hours_start", "quiet_hours_end"),
                    "time_zone",
                )
            },
        ),
        (
            "Care",
            {
                "fields": (
                    "status",
                    "primary_team",
                    "referred_on",
                    "admitted_on",
                    ("discharged_on", "discharge_reason"),
                    ("asam_edition", "asam_level"),
                )
            },
        ),
        ("Record", {"fields": ("created_at", "created_by", "updated_at", "archived_at", "archive_reason")}),
    )
    readonly_fields = (
        "record_number",
        "created_at",
        "created_by",
        "updated_at",
        "archived_at",
        "archive_reason",
        "texting",
    )
    list_display = (
        "record_number",
        "name",
        "date_of_birth",
        "status",
        "primary_team",
        "archived_at",
        "updated_at",
    )
    list_display_links = ("record_number", "name")
    list_filter = ("status", "primary_team", ArchivedFilter)
    list_select_related = ("primary_team",)
    # Prefix matches use the name index; a record number is looked up exactly (get_search_results).
    search_fields = ("^legal_last_name", "^legal_first_name", "^preferred_name")
    search_help_text = "Record number (CT-0000042), or the start of a first, last or preferred name."
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    inlines = [SupportivePersonInline]
    actions = ["archive_selected"]
    obj_perms_manage_template = "admin/clients/client/object_permissions.html"

    def audited_client_id(self, obj):
        return obj.pk

    def get_queryset(self, request):
        return super().get_queryset(request).filter(access.visible_clients_q(request.user))

    def get_search_results(self, request, queryset, search_term):
        if request.path == reverse("admin:autocomplete"):
            # Picking a client for a new assignment or supportive person: archived records take nothing new.
            queryset = queryset.filter(archived_at__isnull=True)
        try:
            kind, value = parse_client_reference(search_term)
        except ValidationError:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(**{kind: value}), False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":
            kwargs["widget"] = forms.Select(choices=TIME_ZONE_CHOICES)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="texting")
    def texting(self, obj: Client) -> str:
        """Read from the text-messaging consent (the one switch); recorded on the chart's Consents tab."""
        if obj.pk is None:
            return "No texting consent yet: record it on the chart's Consents tab after saving."
        return "Texting consent on file" if obj.text_consent_on_file else "No texting consent"

    @admin.display(description="name", ordering="legal_last_name")
    def name(self, obj: Client) -> str:
        preferred = f" ({obj.preferred_name})" if obj.preferred_name else ""
        return f"{obj.legal_last_name}, {obj.legal_first_name}{preferred}"

    def has_delete_permission(self, request, obj=None):
        return False

    def has_archive_permission(self, request) -> bool:
        return request.user.has_perm("clients.archive_client")

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in CLIENT_EDITABLE_FIELDS if name in form.cleaned_data}
        if change:
            saved = services.client_update(client=obj, acting_user=request.user, data=data)
        else:
            saved = services.client_create(acting_user=request.user, data=data)
        # The admin goes on with ``obj`` (inlines, history, redirect): make it the row the service wrote.
        obj.pk = saved.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        if formset.model is not SupportivePerson:
            return super().save_formset(request, form, formset, change)
        # commit=False only sorts the rows into new and changed; the services write and audit them.
        formset.save(commit=False)
        for person in formset.new_objects:
            data = {name: getattr(person, name) for name in SUPPORTIVE_PERSON_FIELDS}
            created = services.supportive_person_create(
                client=form.instance, acting_user=request.user, data=data
            )
            person.pk = created.pk
        for person, changed in formset.changed_objects:
            data = {name: getattr(person, name) for name in changed if name in SUPPORTIVE_PERSON_FIELDS}
            services.supportive_person_update(person=person, acting_user=request.user, data=data)
        return None

    @admin.action(description="Archive selected records", permissions=["archive"])
    def archive_selected(self, request, queryset):
        """First pass shows the confirmation page; the confirmed post (``confirm``) archives."""
        to_archive = queryset.filter(archived_at__isnull=True)
        count = to_archive.count()
        if count == 0:
            self.message_user(request, "The selected records are already archived.", messages.WARNING)
            return None
        if count > ARCHIVE_SELECTION_LIMIT:
            self.message_user(
                request,
                f"Archive at most {ARCHIVE_SELECTION_LIMIT} records at a time ({count} selected).",
                messages.ERROR,
            )
            return None
        form = ArchiveReasonForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            archived = 0
            with transaction.atomic():
                for client in to_archive:
                    try:
                        services.client_archive(
                            client=client, acting_user=request.user, reason=form.cleaned_data["reason"]
                        )
                    except DomainError:  # archived meanwhile by someone else: nothing left to do
                        continue
                    archived += 1
            self.message_user(request, f"Archived {archived} record(s).", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Archive client records",
            "opts": self.model._meta,
            "clients": list(to_archive),
            "already_archived": queryset.count() - count,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/clients/client/archive_selected_confirmation.html", context)

    # django-guardian's permission pages: the overview stays, editing is refused.

    def obj_perms_manage_view(self, request, object_pk):
        if request.method == "POST":
            return self._grants_are_read_only(request, object_pk)
        return super().obj_perms_manage_view(request, object_pk)

    def obj_perms_manage_user_view(self, request, object_pk, user_id):
        return self._grants_are_read_only(request, object_pk)

    def obj_perms_manage_group_view(self, request, object_pk, group_id):
        return self._grants_are_read_only(request, object_pk)

    def _grants_are_read_only(self, request, object_pk):
        self.message_user(
            request,
            "Access follows the care team: add or end a care-team assignment to change who may see it.",
            messages.WARNING,
        )
        return redirect("admin:clients_client_permissions", object_pk)


@admin.register(SupportivePerson)
class SupportivePersonAdmin(AuditedClientAdminMixin, admin.ModelAdmin):
    """Supportive people across all clients; saved through the services, archived rather than deleted."""

    list_display = ("name", "relationship", "client", "may_be_contacted", "involved_in_care", "archived_at")
    list_select_related = ("client",)
    list_filter = ("may_be_contacted", "involved_in_care", ArchivedFilter, ClientRecordFilter)
    search_fields = ("name",)
    autocomplete_fields = ("client",)
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
    actions = ["archive_selected"]
    _record_fields = ("created_at", "archived_at")

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("client", *SUPPORTIVE_PERSON_FIELDS)
        return ("client", *SUPPORTIVE_PERSON_FIELDS, *self._record_fields)

    def get_readonly_fields(self, request, obj=None):
        return ("client", *self._record_fields) if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            data = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in SUPPORTIVE_PERSON_FIELDS
            }
            services.supportive_person_update(person=obj, acting_user=request.user, data=data)
            return
        data = {
            name: form.cleaned_data[name] for name in SUPPORTIVE_PERSON_FIELDS if name in form.cleaned_data
        }
        created = services.supportive_person_create(client=obj.client, acting_user=request.user, data=data)
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()

    @admin.action(description="Archive selected supportive people", permissions=["change"])
    def archive_selected(self, request, queryset):
        with transaction.atomic():
            for person in queryset.filter(archived_at__isnull=True):
                services.supportive_person_archive(person=person, acting_user=request.user)
        self.message_user(request, "Archived; they stay in the record's history.", messages.SUCCESS)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """For rows written elsewhere that admins only need to look at."""


class GrantClientFilter(ClientRecordFilter):
    """The client filter, on the grant tables' ``content_object`` foreign key."""

    client_field = "content_object"


@admin.register(ClientUserObjectPermission)
class ClientUserObjectPermissionAdmin(ReadOnlyAdmin):
    """Per-client grants to staff, to inspect. They change only with care-team assignments."""

    list_display = ("content_object", "user", "permission")
    list_select_related = ("content_object", "user", "permission__content_type")
    list_filter = (GrantClientFilter, ("user", admin.RelatedOnlyFieldListFilter), "permission__codename")
    search_fields = ("user__username", "user__last_name")
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return scope_to_visible_clients(qs, request.user, client_field="content_object")


@admin.register(ClientGroupObjectPermission)
class ClientGroupObjectPermissionAdmin(ReadOnlyAdmin):
    """Per-client grants to groups, to inspect. careteam grants to people, so this is normally empty."""

    list_display = ("content_object", "group", "permission")
    list_select_related = ("content_object", "group", "permission__content_type")
    list_filter = (GrantClientFilter, "group", "permission__codename")
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return scope_to_visible_clients(qs, request.user, client_field="content_object")
