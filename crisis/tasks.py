"""Celery tasks of the crisis app."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="crisis.tasks.check_checkpoints")
def check_checkpoints() -> dict[str, int]:
    """Every 5 minutes: raise due checkpoint tasks, escalate missed ones, close met ones (idempotent)."""
    return services.checkpoints_sweep()
