"""Console backend (the embedded default): one clear line per message, then the body, on stdout."""

from __future__ import annotations

import sys

from . import BaseBackend, Outgoing


class ConsoleBackend(BaseBackend):
    name = "console"

    def send(self, outgoing: Outgoing) -> str:
        subject = f" subject={outgoing.subject!r}" if outgoing.subject else ""
        sys.stdout.write(
            f"[outreach] SENT {outgoing.channel} message={outgoing.message_id} to={outgoing.to} "
            f"key={outgoing.idempotency_key}{subject}\n{outgoing.body}\n"
        )
        sys.stdout.flush()
        return f"console-{outgoing.message_id}"
