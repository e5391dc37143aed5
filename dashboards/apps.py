"""App config for the supervisor dashboards (metrics gathered across every app)."""

import importlib
import pkgutil

from django.apps import AppConfig
from django.db import connections
from django.db.backends.signals import connection_created


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from . import panels
        from .metrics import register_sqlite_median

        # The ``Median`` aggregate needs ``careteam_median`` on every SQLite connection, including any
        # opened before the app registry was ready.
        connection_created.connect(register_sqlite_median, dispatch_uid="dashboards.careteam_median")
        for connection in connections.all(initialized_only=True):
            if connection.connection is not None:
                register_sqlite_median(connection=connection)

        # Each module in dashboards/panels/ registers its PanelSpec when imported.
        for module in pkgutil.iter_modules(panels.__path__):
            importlib.import_module(f"{panels.__name__}.{module.name}")
