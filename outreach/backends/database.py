"""Database outbox backend (development): each message becomes an ``OutboxEntry`` row, seen in admin.

Idempotent on the message's key: handing the same message over twice stores it once.
"""

from __future__ import annotations

from . import BaseBackend, Outgoing


class DatabaseBackend(BaseBackend):
    name = "outbox"

    def send(self, outgoing: Outgoing) -> str:
        from outreach.models import OutboxEntry

        entry, _ = OutboxEntry.objects.get_or_create(
            idempotency_key=outgoing.idempotency_key,
            defaults={
                "message_id": outgoing.message_id,
                "channel": outgoing.channel,
                "to": outgoing.to,
                "subject": outgoing.subject,
                "body": outgoing.body,
            },
        )
        return f"outbox-{entry.pk}"


class NullBackend(BaseBackend):
    """Accepts everything and keeps nothing: for measuring the dispatcher alone (bench_dispatch)."""

    name = "null"

    def send(self, outgoing: Outgoing) -> str:
        return f"null-{outgoing.message_id}"


class BenchBackend(BaseBackend):
    """Appends each key it is handed to a per-process file (bench_dispatch counts duplicates from them)."""

    name = "bench"

    def send(self, outgoing: Outgoing) -> str:
        import os

        path = os.path.join(os.environ["OUTREACH_BENCH_LOG_DIR"], f"{os.getpid()}.log")
        with open(path, "a") as log:
            log.write(outgoing.idempotency_key + "\n")
        return f"bench-{outgoing.message_id}"
