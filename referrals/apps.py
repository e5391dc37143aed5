"""App config for the resource directory and closed-loop referrals."""

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Resource directory and referrals"

    def ready(self) -> None:
        from careteam.today import TodaySection, register_today_section
        from clients.chart import ChartTab, register_tab
        from clients.consents.signals import consent_revoked

        from .hooks import on_consent_revoked, tab_visible, today_section_context

        register_tab(
            ChartTab("referrals", "Needs & Referrals", "referrals:client-tab", order=60, visible=tab_visible)
        )
        consent_revoked.connect(on_consent_revoked, dispatch_uid="referrals-consent-revoked")
        register_today_section(
            TodaySection(
                key="referrals",
                label="Referrals needing you",
                template="referrals/_today.html",
                context=today_section_context,
                order=40,
            )
        )
