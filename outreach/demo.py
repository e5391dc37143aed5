"""Demo outreach: appointment reminders for the coming days, client reminders, a few messages already
sent or skipped (with their reasons), and replies from clients that reached the care team.

Everything goes through ``outreach.services`` and the dispatcher's own functions; the database outbox
backend stands in for the provider so seeding prints nothing and texts nobody.
"""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.utils import timezone

from clients.models import Client, ClientStatus

from . import dispatch, rules, services
from .models import Channel, ReminderKind, SourceKind

_REMINDERS = [
    (ReminderKind.MEDICATION, "Evening medication", "daily"),
    (ReminderKind.COURT, "Court date at the county courthouse", "once"),
    (ReminderKind.GROUP, "Tuesday recovery group", "weekly"),
]
_REPLIES = [
    "Thanks for checking in, doing okay this week.",
    "Can we move Thursday to the afternoon?",
    "Rough few days. I feel like I want to die sometimes.",
]


def seed(*, rng, clients: list[Client], staff: dict) -> None:
    counselor = staff["counselor"]
    active = [c for c in clients if c.status == ClientStatus.ACTIVE and c.phone]
    now = timezone.now()
    services.appointment_reminders_schedule(now=now)
    with override_settings(
        OUTREACH_BACKENDS={
            "sms": "outreach.backends.database.DatabaseBackend",
            "email": "outreach.backends.database.DatabaseBackend",
        }
    ):
        for i, client in enumerate(active[:6]):
            kind, label, recurrence = _REMINDERS[i % len(_REMINDERS)]
            first_at = (now + dt.timedelta(days=1 + i % 3)).replace(minute=0, second=0, microsecond=0)
            # By text where the client's texting consent is on file (the one switch), else by email:
            # a reminder by text for someone who cannot be texted is refused when it is set.
            by_text = not rules.text_refusal(client)
            if by_text or client.email:
                services.reminder_create(
                    client=client,
                    acting_user=counselor,
                    data={
                        "kind": kind,
                        "label": label,
                        "channel": Channel.SMS if by_text else Channel.EMAIL,
                        "first_at": first_at,
                        "recurrence": recurrence,
                        "until": None,
                    },
                )
            # A caring contact that fell due yesterday: sent, or skipped with the reason the rules give.
            message = services.message_schedule(
                client=client,
                template_key=f"caring-contact-{1 + i % 3}",
                due_at=now - dt.timedelta(days=1, minutes=rng.randint(0, 120)),
                source_kind=SourceKind.CARING_CONTACT,
                idempotency_key=f"demo-caring-{client.pk}",
                channel=Channel.SMS,
                signed_by=counselor,
            )
            dispatch.send_one(message.pk)
        for i, client in enumerate(active[:3]):
            services.inbound_sms_receive(
                from_number=client.phone.as_e164,
                body=_REPLIES[i],
                provider_message_id=f"SMdemo{client.pk:08d}",
            )
