"""Twilio SMS: settings-driven; HTTP errors are sorted into retryable and permanent.

Twilio's Messages API takes no idempotency key, so a worker killed after Twilio accepted a
message but before the row was marked sent can, after the lease, send it again; the dispatcher
keeps that window as short as one HTTP call.
"""

from __future__ import annotations

import requests
from django.conf import settings
from django.urls import reverse
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client as TwilioClient

from . import BaseBackend, Outgoing, PermanentError, TransientError

# Twilio error codes that will never succeed for this message (invalid / unreachable / opted-out number).
PERMANENT_CODES = {21211, 21214, 21408, 21610, 21612, 21614, 21617}


class TwilioSmsBackend(BaseBackend):
    name = "twilio"

    def __init__(self):
        if not settings.OUTREACH_TWILIO_ACCOUNT_SID or not settings.OUTREACH_TWILIO_AUTH_TOKEN:
            raise PermanentError("Twilio is not configured (OUTREACH_TWILIO_ACCOUNT_SID / _AUTH_TOKEN).")
        self.client = TwilioClient(settings.OUTREACH_TWILIO_ACCOUNT_SID, settings.OUTREACH_TWILIO_AUTH_TOKEN)

    def send(self, outgoing: Outgoing) -> str:
        kwargs = {"to": outgoing.to, "from_": settings.OUTREACH_TWILIO_FROM_NUMBER, "body": outgoing.body}
        if settings.OUTREACH_TWILIO_STATUS_CALLBACK:
            kwargs["status_callback"] = settings.OUTREACH_PUBLIC_BASE_URL + reverse("outreach:sms-status")
        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            if exc.status == 429 or exc.status >= 500:
                raise TransientError(f"Twilio {exc.status}: {exc.msg}") from exc
            if exc.code in PERMANENT_CODES or 400 <= exc.status < 500:
                raise PermanentError(f"Twilio {exc.status} (code {exc.code}): {exc.msg}") from exc
            raise TransientError(f"Twilio {exc.status}: {exc.msg}") from exc
        except (requests.RequestException, TwilioException) as exc:
            raise TransientError(f"Could not reach Twilio: {exc}") from exc
        return message.sid
