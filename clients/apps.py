"""App config for the client record."""

from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = "Client records"

    def ready(self) -> None:
        from .chart import ChartTab, register_alert, register_tab

        register_tab(ChartTab("overview", "Overview", "clients:detail", order=10))
        register_tab(ChartTab("care-team", "Care team", "clients:care-team", order=20))

        from .assessments.registry import register as register_assessments

        register_assessments()

        from .encounters.today import register as register_encounters

        register_encounters()

        from .summary_blocks import register as register_summary_blocks

        register_summary_blocks()

        from .consents.selectors import consents_can_see
        from .needs.selectors import urgent_need_alerts

        register_tab(
            ChartTab(
                "consents",
                "Consents",
                "clients:consents:tab",
                order=70,
                visible=consents_can_see,
            )
        )
        register_alert("urgent-needs", urgent_need_alerts)

        from django.utils.translation import gettext_lazy

        from .diagnoses.selectors import diagnoses_can_see

        register_tab(
            ChartTab(
                "diagnoses",
                gettext_lazy("Diagnoses"),
                "clients:diagnoses:tab",
                order=35,
                visible=diagnoses_can_see,
            )
        )

        from .medications.selectors import medications_can_see

        register_tab(
            ChartTab(
                "medications",
                gettext_lazy("Medications & allergies"),
                "clients:medications:tab",
                order=36,
                visible=medications_can_see,
            )
        )

        from .selectors import access_reports_can_read

        register_tab(
            ChartTab(
                "access-report",
                gettext_lazy("Access report"),
                "clients:access-report",
                order=95,
                visible=access_reports_can_read,
            )
        )
