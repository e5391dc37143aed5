"""Template context for the idle-timeout warning every signed-in page carries (templates/base.html)."""

from django.conf import settings


def session_clock(request) -> dict:
    return {
        "session_idle_seconds": settings.CARETEAM_SESSION_IDLE_TIMEOUT,
        "session_warning_seconds": settings.CARETEAM_SESSION_WARNING,
    }
