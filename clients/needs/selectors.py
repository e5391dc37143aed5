"""Reads of needs, already scoped to what the user may see; the chart's urgent-need alert."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.urls import reverse

from careteam import access
from careteam.models import User
from clients.chart import ChartAlert
from clients.models import Client, Need, NeedStatus, Urgency

OPEN_STATUSES = (NeedStatus.OPEN, NeedStatus.REFERRED)


def _open_first(qs: QuerySet[Need]) -> QuerySet[Need]:
    """Open and referred needs first (urgent before routine), then closed ones, newest first."""
    return qs.annotate(
        _closed=Case(
            When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
        _routine=Case(
            When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
    ).order_by("_closed", "_routine", "-identified_at", "-id")


def needs_for_client(client: Client, *, open_only: bool = False) -> QuerySet[Need]:
    """The client's needs for the chart (the caller has already loaded a client the user may see)."""
    qs = Need.objects.filter(client=client, archived_at__isnull=True).select_related("identified_by")
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    return _open_first(qs)


def needs_can_change(user: User, client: Client) -> bool:
    """Edits or closes this client's needs: the role changes needs and the user may change the client's
    record (a view-only place on the care team sees needs but changes none)."""
    return user.has_perm("clients.change_need") and access.client_can_access(user, client, access.CHANGE)


def need_list_for_user(user: User) -> QuerySet[Need]:
    """Needs of the clients the user may see (the role must hold ``clients.view_need``)."""
    if not user.is_authenticated or not user.has_perm("clients.view_need"):
        return Need.objects.none()
    return Need.objects.filter(
        client__in=access.clients_visible_to(user).values("pk"), archived_at__isnull=True
    ).select_related("client", "identified_by")


def need_get_for_user(user: User, pk, *, client_pk=None) -> Need:
    qs = need_list_for_user(user)
    if client_pk is not None:
        qs = qs.filter(client_id=client_pk)
    try:
        return qs.get(pk=pk)
    except (Need.DoesNotExist, ValueError, TypeError):
        raise Http404("No such need.") from None


def urgent_need_alerts(user: User, client: Client) -> list[ChartAlert]:
    """Chart header flags for open urgent needs ("Urgent need: housing"); one query."""
    if not user.has_perm("clients.view_need"):
        return []
    categories = (
        Need.objects.filter(
            client=client, urgency=Urgency.URGENT, status__in=OPEN_STATUSES, archived_at__isnull=True
        )
        .order_by("identified_at", "id")
        .values_list("pk", "category")
    )
    labels = dict(Need._meta.get_field("category").choices)
    seen: dict[str, int] = {}
    for pk, category in categories:
        seen.setdefault(category, pk)
    return [
        ChartAlert(
            "warning",
            f"Urgent need: {labels.get(category, category).lower()}",
            reverse("clients:needs:update", args=[client.pk, pk]),
        )
        for category, pk in seen.items()
    ]
