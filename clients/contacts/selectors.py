"""Reads of logged contacts, already scoped to what the user may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, QuerySet

from careteam import access
from careteam.models import User
from clients.models import Client, ClientContact


def contacts_for_client(client: Client) -> QuerySet[ClientContact]:
    """The client's contact log, newest first (the caller has loaded a client the user may see)."""
    return (
        ClientContact.objects.filter(client=client).select_related("staff").order_by("-contacted_at", "-id")
    )


def last_contact_at(client: Client, *, reached_only: bool = True) -> dt.datetime | None:
    """When staff last spoke with the client (or, with ``reached_only=False``, last tried to)."""
    qs = ClientContact.objects.filter(client=client)
    if reached_only:
        qs = qs.filter(reached=True)
    return qs.aggregate(last=Max("contacted_at"))["last"]


def contact_list_for_user(user: User) -> QuerySet[ClientContact]:
    """Contacts of the clients the user may see (the role must hold ``clients.view_clientcontact``)."""
    if not user.is_authenticated or not user.has_perm("clients.view_clientcontact"):
        return ClientContact.objects.none()
    return ClientContact.objects.filter(
        client__in=access.clients_visible_to(user).values("pk")
    ).select_related("client", "staff")
