"""Reads of the outbox, already scoped to the clients the user may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from careteam import access
from careteam.models import User

from .models import ClientReminder, InboundMessage, ScheduledMessage

MESSAGE_SORTS = {
    "send": ("-send_at", "-id"),
    "-send": ("send_at", "id"),
    "status": ("status", "-send_at", "-id"),
    "channel": ("channel", "-send_at", "-id"),
}


def messages_can_see(user: User) -> bool:
    """The role reads the outbox (scheduled messages to the people on the record)."""
    return user.is_authenticated and user.has_perm("outreach.view_scheduledmessage")


def _changes_record(user: User, client, perm: str) -> bool:
    """The role holds ``perm`` and the user may change this client's record: sending, cancelling and
    reminders are writes, so a view-only place on the care team sees the outbox and does none."""
    return user.has_perm(perm) and access.client_can_access(user, client, access.CHANGE)


def messages_can_send(user: User, client) -> bool:
    """Sends a message to this client (or someone on their record)."""
    return _changes_record(user, client, "outreach.add_scheduledmessage")


def messages_can_cancel(user: User, client) -> bool:
    """Cancels this client's scheduled messages (which ones may still be cancelled: ``states``)."""
    return _changes_record(user, client, "outreach.change_scheduledmessage")


def reminders_can_create(user: User, client) -> bool:
    """Sets up an appointment or medication reminder for this client."""
    return _changes_record(user, client, "outreach.add_clientreminder")


def reminders_can_stop(user: User, client) -> bool:
    """Stops this client's reminders."""
    return _changes_record(user, client, "outreach.change_clientreminder")


def scheduled_message_list_for_user(user: User) -> QuerySet[ScheduledMessage]:
    """Messages to clients the user may see (none for roles without the outbox permission)."""
    if not messages_can_see(user):
        return ScheduledMessage.objects.none()
    return ScheduledMessage.objects.filter(
        client__in=access.clients_visible_to(user).values("pk")
    ).select_related("client", "signed_by", "supportive_person")


def client_messages(user: User, client, *, sort: str = "send") -> QuerySet[ScheduledMessage]:
    return (
        ScheduledMessage.objects.filter(client=client)
        .select_related("signed_by", "supportive_person", "created_by")
        .order_by(*MESSAGE_SORTS.get(sort, MESSAGE_SORTS["send"]))
    )


def messages_for_source(source, *, source_kind: str = "") -> QuerySet[ScheduledMessage]:
    """The messages one row scheduled (optionally one kind), newest first, for that row's own page.

    The caller has already scoped ``source`` to the user (e.g. a referral the user may see); one
    query on the (source_type, source_id) index, with nothing fetched per row.
    """
    qs = ScheduledMessage.objects.filter(source_type=source._meta.label_lower, source_id=str(source.pk))
    if source_kind:
        qs = qs.filter(source_kind=source_kind)
    return qs.order_by("-created_at", "-id")


def message_get_for_client(user: User, client, pk) -> ScheduledMessage:
    try:
        return ScheduledMessage.objects.get(pk=pk, client=client)
    except (ScheduledMessage.DoesNotExist, ValueError, TypeError):
        raise Http404("No such message.") from None


def client_inbound(client, limit: int = 50) -> list[InboundMessage]:
    return list(InboundMessage.objects.filter(client=client).select_related("task")[:limit])


def client_reminders(client) -> list[ClientReminder]:
    return list(ClientReminder.objects.filter(client=client).select_related("created_by", "medication"))


def reminder_list_for_user(user: User) -> QuerySet[ClientReminder]:
    if not (user.is_authenticated and user.has_perm("outreach.view_clientreminder")):
        return ClientReminder.objects.none()
    return ClientReminder.objects.filter(
        client__in=access.clients_visible_to(user).values("pk")
    ).select_related("client", "created_by")


def reminder_get_for_client(client, pk) -> ClientReminder:
    try:
        return ClientReminder.objects.get(pk=pk, client=client)
    except (ClientReminder.DoesNotExist, ValueError, TypeError):
        raise Http404("No such reminder.") from None
