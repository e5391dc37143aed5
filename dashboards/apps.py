"""App config for the supervisor dashboards (metrics gathered across every app)."""

import importlib
import pkgutil

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        # Each module in dashboards/panels/ registers its PanelSpec when imported.
        from . import panels

        for module in pkgutil.iter_modules(panels.__path__):
            importlib.import_module(f"{panels.__name__}.{module.name}")
