"""Django admin for instruments (editable definitions) and assessment responses (read-only, audited)."""

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
from clients.models import AssessmentResponse, Instrument


class InstrumentForm(forms.ModelForm):
    class Meta:
        model = Instrument
        fields = [
            "code",
            "name",
            "version",
            "scoring_rule",
            "items",
            "instructions",
            "licence_note",
            "copyright_line",
            "cadence_days",
            "is_active",
        ]

    def clean_items(self):
        """Items are ``[{"key", "text", "options": [{"value", "label"}]}]`` with unique keys."""
        items = self.cleaned_data["items"]
        if not isinstance(items, list) or not items:
            raise forms.ValidationError("Give the items as a list of objects with key, text and options.")
        keys = []
        for n, item in enumerate(items, start=1):
            if not isinstance(item, dict) or not item.get("key"):
                raise forms.ValidationError(f"Item {n} needs a key.")
            options = item.get("options")
            if not isinstance(options, list) or not options:
                raise forms.ValidationError(f"Item {item['key']} needs its answer options.")
            for option in options:
                if not isinstance(option, dict) or not isinstance(option.get("value"), int):
                    raise forms.ValidationError(f"Each option of {item['key']} needs a whole-number value.")
            keys.append(item["key"])
        if len(set(keys)) != len(keys):
            raise forms.ValidationError("Item keys must be unique.")
        return items


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    """Instrument definitions. Scoring rules are code; an instrument names one. Retire, don't delete."""

    form = InstrumentForm
    list_display = ("name", "code", "version", "scoring_rule", "cadence_days", "item_text", "is_active")
    list_filter = ("is_active", "scoring_rule")
    search_fields = ("name", "code")
    fields = (
        ("name", "code", "version"),
        "scoring_rule",
        "cadence_days",
        "is_active",
        "instructions",
        "items",
        "licence_note",
        "copyright_line",
    )

    @admin.display(boolean=True, description="item text loaded")
    def item_text(self, obj: Instrument) -> bool:
        return obj.has_item_text

    def get_readonly_fields(self, request, obj=None):
        # Responses were scored with this rule: changing it would make their totals unexplained.
        if obj is not None and obj.responses.exists():
            return ("code", "scoring_rule")
        return ()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssessmentResponse)
class AssessmentResponseAdmin(ReadOnlyAdminMixin, AuditedClientAdminMixin, admin.ModelAdmin):
    """Scores as they were saved; they are never edited. Scoped to the clients the admin user may see."""

    list_display = ("client", "instrument", "total", "band", "administered_by", "administered_at")
    list_select_related = ("client", "instrument", "administered_by")
    list_filter = ("instrument", ClientRecordFilter)
    date_hierarchy = "administered_at"
    show_full_result_count = False
    show_facets = ShowFacets.NEVER

    def get_queryset(self, request):
        return scope_to_visible_clients(super().get_queryset(request), request.user)
