"""The project package: settings, URLs, the API router, the Celery app and the WSGI/ASGI entry points.

It sits above every app: it imports them all, and nothing imports it.
"""

from .celery import app as celery_app

__all__ = ["celery_app"]
