"""WSGI entry point (gunicorn careteam.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "careteam.settings")
application = get_wsgi_application()
