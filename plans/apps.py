"""App config for treatment plans."""

from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Treatment plans"

    def ready(self) -> None:
        from careteam.today import TodaySection, register_today_section
        from clients.chart import ChartTab, NotePanel, register_alert, register_note_panel, register_tab

        from . import selectors
        from .hooks import plan_alerts, plans_due_section_context

        register_tab(ChartTab("plan", "Treatment plan", "plans:client-plan", order=40))
        register_alert("plan-review", plan_alerts)
        from .summary import register as register_summary

        register_summary()
        # Peers read no notes (minimum necessary), so the panel is not offered to them.
        register_note_panel(
            NotePanel(
                "plan-goals", "Plan goals", "plans:note-panel", visible=selectors.plans_can_read_clinical
            )
        )
        register_today_section(
            TodaySection(
                key="plans_due",
                label="Plans due for review",
                template="plans/_today_plans_due.html",
                context=plans_due_section_context,
                order=30,
            )
        )
