"""App config for the outbox: scheduled messages, templates, inbound texts and the dispatcher."""

from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = "Outreach"

    def ready(self) -> None:
        from clients.chart import ChartTab, register_tab

        from .selectors import messages_can_see
        from .sources import appointment_check, register_source_check

        register_tab(
            ChartTab(
                "messages",
                "Messages",
                "outreach:client-messages",
                order=80,
                visible=messages_can_see,
            )
        )
        register_source_check("clients.appointment", appointment_check)
