"""App config for the resource directory and closed-loop referrals."""

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Resource directory and referrals"

    def ready(self) -> None:
        from careteam.today import TodaySection, register_today_section
        from clients.chart import ChartTab, register_tab
        from clients.consents.signals import consent_revoked
        from outreach.models import SourceKind
        from outreach.sources import register_message_check, register_private_context

        from . import selectors
        from .hooks import on_consent_revoked, today_section_context
        from .services import partner_email_check, partner_email_link

        register_tab(
            ChartTab(
                "referrals",
                "Needs & Referrals",
                "referrals:client-tab",
                order=60,
                visible=selectors.referrals_can_read,
            )
        )
        consent_revoked.connect(on_consent_revoked, dispatch_uid="referrals-consent-revoked")
        from .summary import register as register_summary

        register_summary()
        # The partner's email goes only while the link it carries still works (checked at send time).
        register_message_check(SourceKind.REFERRAL_PARTNER, partner_email_check)
        # Its link is made when it goes and never stored (whoever holds it answers as the partner).
        register_private_context(SourceKind.REFERRAL_PARTNER, ("link_url",), partner_email_link)
        register_today_section(
            TodaySection(
                key="referrals",
                label="Referrals needing you",
                template="referrals/_today.html",
                context=today_section_context,
                order=40,
            )
        )
