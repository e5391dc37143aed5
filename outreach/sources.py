"""Who scheduled a message, and is that still on? A registry domain apps fill from ``ready()``.

``register_source_check("crisis.caringcontactplan", check)``: at send time the dispatcher calls
``check(source_id)``; a non-empty return is the reason the source no longer wants the message
(plan stopped, appointment cancelled) and the message is skipped with it. Outreach imports no
domain app: the apps register here.

``register_message_check("referral_partner", check)``: for a kind of message whose validity is
carried by the message itself, not only by its source row — a referral partner's email carries the
link version it was issued with, so a newer link or a withdrawn one makes it stale although the
referral still stands. ``check(message)`` sees the whole row (context, ``created_at``).

``register_private_context("referral_partner", ("link_url",), provider)``: values a message needs
when it goes but that must never be stored — a partner's sign-in-free link works for whoever holds
it, so it must not sit in the outbox row, the admin, the API or the Messages tab.
``provider(message)`` returns them at send time; the text that goes out has them, the copy kept on
the row shows a placeholder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import ScheduledMessage

_CHECKS: dict[str, Callable[[str], str | None]] = {}
_MESSAGE_CHECKS: dict[str, Callable[[ScheduledMessage], str | None]] = {}
_PRIVATE_CONTEXT: dict[str, tuple[tuple[str, ...], Callable[[ScheduledMessage], dict]]] = {}


def register_source_check(source_type: str, check: Callable[[str], str | None]) -> None:
    _CHECKS[source_type] = check


def source_cancelled_reason(source_type: str, source_id: str) -> str | None:
    """Why the message's source is cancelled or stopped, or None when it still stands."""
    check = _CHECKS.get(source_type)
    if check is None or not source_id:
        return None
    return check(source_id) or None


def register_message_check(source_kind: str, check: Callable[[ScheduledMessage], str | None]) -> None:
    _MESSAGE_CHECKS[source_kind] = check


def register_private_context(
    source_kind: str, keys: tuple[str, ...], provider: Callable[[ScheduledMessage], dict]
) -> None:
    _PRIVATE_CONTEXT[source_kind] = (keys, provider)


def private_keys(message: ScheduledMessage) -> tuple[str, ...]:
    """The names of ``message``'s send-time-only values (none for most kinds)."""
    return _PRIVATE_CONTEXT.get(message.source_kind, ((), None))[0]


def private_context(message: ScheduledMessage) -> dict:
    """The send-time-only values of ``message``, worked out now (empty for kinds that have none)."""
    entry = _PRIVATE_CONTEXT.get(message.source_kind)
    return entry[1](message) if entry is not None else {}


def message_cancelled_reason(message: ScheduledMessage) -> str | None:
    """Why the message should no longer go: its source row's check, then its kind's check, if any."""
    reason = source_cancelled_reason(message.source_type, message.source_id)
    if reason:
        return reason
    check = _MESSAGE_CHECKS.get(message.source_kind)
    return (check(message) or None) if check is not None else None


def appointment_check(source_id: str) -> str | None:
    """Appointment reminders go only for an appointment still booked and still ahead."""
    from django.utils import timezone

    from clients.models import Appointment, AppointmentStatus

    appointment = Appointment.objects.filter(pk=source_id).only("status", "starts_at").first()
    if appointment is None:
        return "The appointment no longer exists."
    if appointment.status != AppointmentStatus.SCHEDULED:
        return f"Appointment {appointment.get_status_display().lower()}."
    if appointment.starts_at <= timezone.now():
        return "The appointment time has passed."
    return None
