"""Logging filters for ``LOGGING`` in ``config/settings.py``."""

from __future__ import annotations

import logging


class RefusalWithoutTraceback(logging.Filter):
    """Drop the traceback from a logged 4xx answer; keep it on a 5xx.

    Django logs a view's ``PermissionDenied`` (and a ``SuspiciousOperation``) with the exception
    attached, so every 403 printed a traceback that points at the refusal working as meant. The
    record still goes out, as one line; ``status_code`` is what ``django.utils.log.log_response``
    and the security loggers put on it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
