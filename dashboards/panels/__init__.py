"""The dashboard's panels. Each module exposes ``PANEL`` (a ``dashboards.metrics.PanelSpec``)."""
