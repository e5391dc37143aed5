"""Django admin for treatment plans: scoped to visible clients, audited, signed versions read-only,
nothing signed is ever deleted."""

from __future__ import annotations

from django.contrib import admin

from careteam.admin_tools import AuditedClientAdminMixin, scope_to_visible_clients

from .models import (
    ActionStep,
    ActionStepCompletion,
    Goal,
    GoalReview,
    Intervention,
    PlanReview,
    PlanStatus,
    Problem,
    TreatmentPlan,
)


def _editable(plan: TreatmentPlan | None) -> bool:
    return plan is None or plan.status == PlanStatus.DRAFT


class _PlanChildInline(admin.TabularInline):
    extra = 0
    show_change_link = True

    def plan_of(self, obj):
        return obj

    def has_change_permission(self, request, obj=None):
        return _editable(self.plan_of(obj)) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return _editable(self.plan_of(obj)) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class ProblemInline(_PlanChildInline):
    model = Problem
    fields = ("domain", "description", "order", "lineage")
    readonly_fields = ("lineage",)


class GoalInline(_PlanChildInline):
    model = Goal
    fields = ("client_words", "measurable_target", "target_date", "status", "order")

    def plan_of(self, obj):
        return obj.plan if obj else None


class ActionStepInline(_PlanChildInline):
    model = ActionStep
    fields = ("description", "responsible", "frequency_count", "frequency_period", "due_on", "order")

    def plan_of(self, obj):
        return obj.problem.plan if obj else None


class InterventionInline(_PlanChildInline):
    model = Intervention
    fields = ("modality", "description", "frequency", "responsible_staff")
    raw_id_fields = ("responsible_staff",)

    def plan_of(self, obj):
        return obj.problem.plan if obj else None


class _ScopedAdmin(AuditedClientAdminMixin, admin.ModelAdmin):
    client_field = "client"
    show_full_result_count = False

    def get_queryset(self, request):
        return scope_to_visible_clients(
            super().get_queryset(request), request.user, client_field=self.client_field
        )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TreatmentPlan)
class TreatmentPlanAdmin(_ScopedAdmin):
    list_display = ("client", "version", "status", "signed_by", "signed_at", "review_due_on")
    list_filter = ("status", "stage_of_change", "client_agreement")
    search_fields = ("client__record_number", "client__legal_last_name")
    list_select_related = ("client", "signed_by")
    raw_id_fields = ("client", "previous", "signed_by", "created_by")
    readonly_fields = ("status", "signed_by", "signed_at", "superseded_at", "created_at", "updated_at")
    inlines = [ProblemInline]

    def get_readonly_fields(self, request, obj=None):
        if not _editable(obj):
            return [f.name for f in self.model._meta.fields]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # Only an unsigned draft may be thrown away; signed versions are part of the record.
        return (
            obj is not None
            and obj.status == PlanStatus.DRAFT
            and request.user.has_perm("plans.delete_treatmentplan")
        )


@admin.register(Problem)
class ProblemAdmin(_ScopedAdmin):
    client_field = "plan__client"
    list_display = ("__str__", "plan", "domain")
    list_filter = ("domain",)
    list_select_related = ("plan__client",)
    raw_id_fields = ("plan",)
    inlines = [GoalInline]

    def audited_client_id(self, obj):
        return obj.plan.client_id


@admin.register(Goal)
class GoalAdmin(_ScopedAdmin):
    client_field = "problem__plan__client"
    list_display = ("__str__", "status", "target_date")
    list_filter = ("status",)
    list_select_related = ("problem__plan",)
    raw_id_fields = ("problem", "addressed_in_notes")
    inlines = [ActionStepInline, InterventionInline]

    def audited_client_id(self, obj):
        return obj.problem.plan.client_id


@admin.register(ActionStep)
class ActionStepAdmin(_ScopedAdmin):
    client_field = "goal__problem__plan__client"
    list_display = ("description", "responsible", "frequency_count", "frequency_period", "due_on")
    list_select_related = ("goal__problem__plan",)
    raw_id_fields = ("goal",)

    def audited_client_id(self, obj):
        return obj.goal.problem.plan.client_id


@admin.register(Intervention)
class InterventionAdmin(_ScopedAdmin):
    client_field = "goal__problem__plan__client"
    list_display = ("modality", "frequency", "responsible_staff")
    list_select_related = ("goal__problem__plan", "responsible_staff")
    raw_id_fields = ("goal", "responsible_staff")

    def audited_client_id(self, obj):
        return obj.goal.problem.plan.client_id


@admin.register(ActionStepCompletion)
class ActionStepCompletionAdmin(_ScopedAdmin):
    list_display = ("client", "step_lineage", "completed_at", "logged_by")
    list_select_related = ("client", "logged_by")
    raw_id_fields = ("client", "logged_by", "note")
    date_hierarchy = "completed_at"


class GoalReviewInline(admin.TabularInline):
    model = GoalReview
    extra = 0
    raw_id_fields = ("goal",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PlanReview)
class PlanReviewAdmin(_ScopedAdmin):
    client_field = "plan__client"
    list_display = ("plan", "reviewed_on", "reviewer")
    list_select_related = ("plan__client", "reviewer")
    raw_id_fields = ("plan", "reviewer", "assessments")
    inlines = [GoalReviewInline]

    def audited_client_id(self, obj):
        return obj.plan.client_id
