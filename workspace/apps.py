"""App config for the pages that gather across apps: Today and the worklist."""

from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "workspace"
    verbose_name = "Workspace"

    def ready(self) -> None:
        from careteam.today import TodaySection, register_today_section

        from .selectors import worklist_section_context

        register_today_section(
            TodaySection(
                key="tasks",
                label="My tasks",
                template="workspace/_today_tasks.html",
                context=worklist_section_context,
                order=5,
            )
        )
