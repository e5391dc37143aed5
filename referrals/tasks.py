"""Celery tasks of closed-loop referrals."""

import logging

from celery import shared_task

from . import deadlines

logger = logging.getLogger(__name__)


@shared_task
def check_deadlines() -> dict:
    """Beat runs this every few minutes: flag overdue referrals and raise their tasks (idempotent)."""
    report = deadlines.check_deadlines()
    if report.no_response or report.outcome_due or report.stale:
        logger.info("Referral deadlines: %s", report)
    return {"no_response": report.no_response, "outcome_due": report.outcome_due, "stale": report.stale}
