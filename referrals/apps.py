"""App config for the resource directory and closed-loop referrals."""

from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Resource directory and referrals"
