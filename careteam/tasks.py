"""Periodic housekeeping of the care-team core."""

from celery import shared_task
from django.utils import timezone

from . import embedded_broker
from .audit import audit_seal_pending, audit_write_checkpoint
from .models import ServiceHeartbeat


@shared_task
def record_heartbeat(name: str = "worker") -> None:
    """Beat queues this every minute; the worker running it proves the whole pipeline is alive."""
    ServiceHeartbeat.objects.update_or_create(name=name, defaults={"last_seen": timezone.now()})


@shared_task
def write_audit_checkpoint() -> None:
    """Beat queues this every five minutes: a signed checkpoint outside the database, if the trail grew."""
    audit_seal_pending()
    audit_write_checkpoint(only_if_grown=True)


@shared_task
def seal_audit_trail() -> None:
    """Beat queues this every ten seconds: chain the audit rows written since (careteam.audit)."""
    audit_seal_pending()


@shared_task
def prune_embedded_broker() -> int:
    """Beat queues this daily on the embedded default: delivered broker rows older than a day go."""
    return embedded_broker.prune()
