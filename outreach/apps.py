"""App config for the outbox: scheduled messages, templates, inbound texts and the dispatcher."""

from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = "Outreach"
