"""Admin for staff tasks (the worklist)."""

from django.contrib import admin

from careteam.models import Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    """Admins see and reassign tasks; tasks are closed, never deleted, so the history stays.

    The status is read-only here: a task moves only as its status table allows (``careteam.states``),
    from the worklist or from what raised it, never by editing the field.
    """

    list_display = (
        "title",
        "kind",
        "priority",
        "status",
        "assignee",
        "team",
        "client",
        "due_at",
        "created_at",
    )
    list_filter = ("status", "kind", "priority", "team")
    search_fields = ("title", "client__record_number", "assignee__username")
    list_select_related = ("assignee", "team", "client")
    raw_id_fields = ("client", "assignee", "done_by")
    readonly_fields = (
        "status",
        "source_type",
        "source_id",
        "dedupe_key",
        "created_at",
        "done_at",
        "done_by",
    )
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        return False
