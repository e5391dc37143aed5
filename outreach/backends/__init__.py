"""Delivery backends: where a rendered message goes (console, database outbox, email, Twilio SMS).

A backend gets one ``ScheduledMessage`` with ``subject``/``body`` rendered and the recipient's
address in ``to``; it returns the provider's message id. It raises ``TransientError`` when trying
again later may work (rate limit, 5xx, network) and ``PermanentError`` when it never will
(invalid number). Backends are chosen per channel by ``settings.OUTREACH_BACKENDS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


class TransientError(Exception):
    """Sending failed but may work later: retry with backoff."""


class PermanentError(Exception):
    """Sending will never work for this message (bad address, rejected content)."""


@dataclass(frozen=True)
class Outgoing:
    """What a backend needs: no ORM access, so a backend cannot touch the row it sends."""

    message_id: int
    channel: str
    to: str
    subject: str
    body: str
    idempotency_key: str


class BaseBackend:
    name = "base"

    def send(self, outgoing: Outgoing) -> str:  # pragma: no cover - interface
        raise NotImplementedError


def get_backend(channel: str) -> BaseBackend:
    path = settings.OUTREACH_BACKENDS.get(channel)
    if not path:
        raise PermanentError(f"No delivery backend is configured for {channel}.")
    return import_string(path)()
