"""Liveness of the two systems the app cannot work without: the database and the broker."""

from __future__ import annotations

from celery import current_app as celery_app
from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import embedded_broker
from .models import ServiceHeartbeat


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}".strip()[:200]
    return True, connection.vendor


def check_broker() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL
    if embedded_broker.is_embedded(url):
        return embedded_broker.check()
    try:
        with celery_app.connection_for_write(url=url) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)
            return True, conn.transport_cls
    except Exception as exc:
        return False, f"{type(exc).__name__}: {exc}".strip()[:200]


def worker_last_seen() -> str | None:
    beat = ServiceHeartbeat.objects.filter(name="worker").values_list("last_seen", flat=True).first()
    return beat.isoformat() if beat else None


def health_report() -> tuple[bool, dict]:
    db_ok, db_detail = check_database()
    broker_ok, broker_detail = check_broker()
    report = {
        "status": "ok" if db_ok and broker_ok else "unavailable",
        "time": timezone.now().isoformat(),
        "database": {"ok": db_ok, "detail": db_detail},
        "broker": {"ok": broker_ok, "detail": broker_detail},
    }
    if db_ok:
        try:
            report["worker_last_seen"] = worker_last_seen()
        except Exception:  # the database went away between the two queries, or is not migrated yet
            db_ok = False
            report["database"] = {"ok": False, "detail": "heartbeat table unreadable"}
            report["status"] = "unavailable"
    return db_ok and broker_ok, report
