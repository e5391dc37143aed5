"""App config for crisis episodes, safety plans, follow-up checkpoints and caring contacts."""

from django.apps import AppConfig


class CrisisConfig(AppConfig):
    name = "crisis"
    verbose_name = "Crisis"
