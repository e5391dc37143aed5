"""App config for crisis episodes, safety plans, follow-up checkpoints and caring contacts."""

from django.apps import AppConfig


class CrisisConfig(AppConfig):
    name = "crisis"
    verbose_name = "Crisis"

    def ready(self) -> None:
        from clients.chart import ChartTab, register_alert, register_tab
        from outreach.sources import register_source_check

        from . import selectors
        from .hooks import crisis_alerts
        from .services import caring_contact_source_check

        register_tab(
            ChartTab(
                "crisis",
                "Crisis & Safety",
                "crisis:client-tab",
                order=35,
                visible=selectors.crisis_section_can_see,
            )
        )
        register_alert("crisis", crisis_alerts)
        from .summary import register as register_summary

        register_summary()
        register_source_check("crisis.caringcontactplan", caring_contact_source_check)
