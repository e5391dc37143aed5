"""Periodic housekeeping of the care-team core."""

from celery import shared_task
from django.utils import timezone

from .models import ServiceHeartbeat


@shared_task
def record_heartbeat(name: str = "worker") -> None:
    """Beat queues this every minute; the worker running it proves the whole pipeline is alive."""
    ServiceHeartbeat.objects.update_or_create(name=name, defaults={"last_seen": timezone.now()})
