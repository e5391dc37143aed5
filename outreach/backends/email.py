"""Email through Django's configured email backend (SMTP in production, console in development).

The idempotency key goes in the Message-ID and an ``X-Careteam-Idempotency-Key`` header, so a
message re-sent after a worker died mid-send can be recognised (and collapsed by mail systems
that de-duplicate on Message-ID).
"""

from __future__ import annotations

import hashlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from . import BaseBackend, Outgoing, PermanentError, TransientError


class EmailBackend(BaseBackend):
    name = "email"

    def send(self, outgoing: Outgoing) -> str:
        digest = hashlib.sha256(outgoing.idempotency_key.encode()).hexdigest()[:32]
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
        message_id = f"<{digest}@{domain}>"
        email = EmailMessage(
            subject=outgoing.subject or settings.OUTREACH_PROGRAM_NAME,
            body=outgoing.body,
            to=[outgoing.to],
            headers={"Message-ID": message_id, "X-Careteam-Idempotency-Key": outgoing.idempotency_key},
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"Recipient refused: {exc}") from exc
        except (OSError, smtplib.SMTPException, TimeoutError) as exc:
            raise TransientError(f"Mail server error: {exc}") from exc
        return message_id
