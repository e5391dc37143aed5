"""App config for peer support."""

from django.apps import AppConfig


class PeersConfig(AppConfig):
    name = "peers"
    verbose_name = "Peer support"

    def ready(self) -> None:
        from careteam.signals import assignment_ended
        from careteam.today import TodaySection, register_today_section
        from clients.chart import ChartTab, register_tab

        from . import selectors
        from .hooks import end_peer_work_with_its_assignment, peer_people_section_context

        register_tab(
            ChartTab(
                "peers", "Peer Support", "peers:chart-tab", order=50, visible=selectors.peer_work_can_review
            )
        )
        register_today_section(
            TodaySection(
                key="peer_people",
                label="People past the contact threshold",
                template="peers/_today_people.html",
                context=peer_people_section_context,
                order=15,
            )
        )
        assignment_ended.connect(end_peer_work_with_its_assignment, dispatch_uid="peers-end-with-assignment")
