"""Admin for the resource directory (HSDS tables), with import and export.

The Organization list links to "Import HSDS" (upload a zip of CSVs or a JSON document; every row
is validated and the errors are listed by file, row and field) and "Export HSDS (zip)". Both go
through ``referrals.directory.services`` and are audited. Organizations and services are retired
(status), never deleted: referrals point at them.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from referrals.models import (
    Address,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    TaxonomyTerm,
)

from ..roles import DIRECTORY_EDIT
from . import hsds, services

# Importing a directory adds and changes every directory table: the same permissions as editing it.
IMPORT_PERMISSIONS = DIRECTORY_EDIT
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class HsdsImportForm(forms.Form):
    file = forms.FileField(
        label="HSDS file",
        help_text="A .zip of HSDS CSV files (organization.csv, service.csv, …) or a .json document.",
    )
    partial = forms.BooleanField(
        label="Import the valid rows even if some rows have errors",
        required=False,
        help_text="Rows with errors, and rows that depend on them, are skipped and listed.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 50 MB.")
        if not upload.name.lower().endswith((".zip", ".json")):
            raise forms.ValidationError("Upload a .zip of CSV files or a .json document.")
        return upload


# --- inlines ------------------------------------------------------------------------------------


class ServiceLanguageInline(admin.TabularInline):
    model = ServiceLanguage
    extra = 0
    fields = ("name", "code", "note")


class ServicePhoneInline(admin.TabularInline):
    model = Phone
    fk_name = "service"
    extra = 0
    fields = ("number", "extension", "type", "description")


class OrganizationPhoneInline(ServicePhoneInline):
    fk_name = "organization"


class ServiceScheduleInline(admin.TabularInline):
    model = Schedule
    fk_name = "service"
    extra = 0
    fields = ("byday", "opens_at", "closes_at", "timezone", "valid_from", "valid_to", "description")


class ServiceAtLocationInline(admin.TabularInline):
    model = ServiceAtLocation
    extra = 0
    fields = ("location", "description")
    autocomplete_fields = ("location",)


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0
    fields = ("name", "location_type", "transportation")
    show_change_link = True


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0
    fields = (("address_1", "address_2"), ("city", "state_province", "postal_code", "country"), "attention")


# --- models -------------------------------------------------------------------------------------


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "website", "service_count", "updated_at")
    search_fields = ("name", "alternate_name")
    readonly_fields = ("hsds_id", "updated_at")
    inlines = (LocationInline, OrganizationPhoneInline)
    change_list_template = "admin/referrals/organization/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(services_total=Count("services"))

    @admin.display(description="services", ordering="services_total")
    def service_count(self, obj) -> int:
        return obj.services_total

    def has_delete_permission(self, request, obj=None):
        return False  # referrals point at organizations: retire their services instead

    def get_urls(self):
        return [
            path("import-hsds/", self.admin_site.admin_view(self.import_view), name="referrals_hsds_import"),
            path("export-hsds/", self.admin_site.admin_view(self.export_view), name="referrals_hsds_export"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_hsds": request.user.has_perms(IMPORT_PERMISSIONS),
        }
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not request.user.has_perms(IMPORT_PERMISSIONS):
            raise PermissionDenied
        report = None
        format_error = ""
        form = HsdsImportForm(request.POST or None, request.FILES or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                parsed = hsds.read_upload(upload.name, upload.read())
            except hsds.HsdsFormatError as exc:
                format_error = str(exc)
                status = 400
            else:
                report = services.hsds_import(
                    parsed=parsed,
                    acting_user=request.user,
                    partial=form.cleaned_data["partial"],
                    source_name=upload.name,
                )
                if report.imported and report.ok:
                    messages.success(request, f"Imported {upload.name}. {report.summary()}")
                    return redirect(reverse("admin:referrals_organization_changelist"))
                status = 200 if report.imported else 400
        elif request.method == "POST":
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "title": "Import HSDS directory",
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "format_error": format_error,
        }
        return TemplateResponse(request, "referrals/directory/admin_import.html", context, status=status)

    def export_view(self, request):
        if not request.user.has_perm("referrals.view_organization"):
            raise PermissionDenied
        data = hsds.write_zip(services.hsds_export(acting_user=request.user, fmt="zip"))
        response = HttpResponse(data, content_type="application/zip")
        name = f"hsds-directory-{timezone.localdate():%Y-%m-%d}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "organization",
        "status",
        "capacity",
        "capacity_updated_at",
        "accepts_electronic_referrals",
    )
    list_filter = ("status", "capacity", "accepts_electronic_referrals", "taxonomy_terms")
    list_select_related = ("organization",)
    search_fields = ("name", "alternate_name", "organization__name")
    autocomplete_fields = ("organization",)
    filter_horizontal = ("taxonomy_terms",)
    readonly_fields = ("hsds_id", "capacity_updated_at", "updated_at")
    inlines = (ServiceLanguageInline, ServicePhoneInline, ServiceScheduleInline, ServiceAtLocationInline)
    fieldsets = (
        (None, {"fields": ("organization", "name", "alternate_name", "description", "status", "alert")}),
        (
            "Eligibility and cost",
            {"fields": ("eligibility_description", ("minimum_age", "maximum_age"), "fees_description")},
        ),
        (
            "Referrals and capacity",
            {
                "fields": (
                    "accepts_electronic_referrals",
                    "referral_email",
                    "typical_response_days",
                    "capacity",
                    "capacity_updated_at",
                )
            },
        ),
        ("Needs", {"fields": ("taxonomy_terms",)}),
        (
            "More",
            {
                "classes": ("collapse",),
                "fields": (
                    "url",
                    "email",
                    "application_process",
                    "interpretation_services",
                    "wait_time",
                    "accreditations",
                    "licenses",
                    "hsds_id",
                    "updated_at",
                ),
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        if "capacity" in form.changed_data or not change:
            obj.capacity_updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False  # referrals point at services: set the status to inactive instead


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "taxonomy", "parent")
    list_filter = ("taxonomy",)
    search_fields = ("name", "code")
    readonly_fields = ("hsds_id",)


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organization", "location_type")
    list_select_related = ("organization",)
    list_filter = ("location_type",)
    search_fields = ("name", "organization__name", "addresses__address_1", "addresses__city")
    autocomplete_fields = ("organization",)
    readonly_fields = ("hsds_id",)
    inlines = (AddressInline,)


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ("address_1", "city", "state_province", "postal_code", "location")
    list_select_related = ("location",)
    search_fields = ("address_1", "city", "postal_code")
    autocomplete_fields = ("location",)
    readonly_fields = ("hsds_id",)


@admin.register(ServiceAtLocation)
class ServiceAtLocationAdmin(admin.ModelAdmin):
    list_display = ("service", "location")
    list_select_related = ("service__organization", "location")
    search_fields = ("service__name", "location__name")
    autocomplete_fields = ("service", "location")
    readonly_fields = ("hsds_id",)


@admin.register(Phone)
class PhoneAdmin(admin.ModelAdmin):
    list_display = ("number", "type", "service", "organization", "location")
    list_select_related = ("service__organization", "organization", "location")
    search_fields = ("number", "service__name", "organization__name")
    autocomplete_fields = ("service", "organization", "location")
    readonly_fields = ("hsds_id",)


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "service", "opens_at", "closes_at", "timezone")
    list_select_related = ("service__organization",)
    search_fields = ("service__name", "description")
    autocomplete_fields = ("service", "location", "service_at_location")
    readonly_fields = ("hsds_id",)


@admin.register(ServiceLanguage)
class ServiceLanguageAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "service")
    list_select_related = ("service__organization",)
    list_filter = ("code",)
    search_fields = ("name", "service__name")
    autocomplete_fields = ("service",)
    readonly_fields = ("hsds_id",)
