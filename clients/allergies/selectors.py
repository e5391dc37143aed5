"""Reads of allergies, scoped to what the user may see, and their access predicates. Peer specialists
see none of it (``careteam.minimum_necessary``)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404

from careteam import access
from careteam.minimum_necessary import Section, section_can_see
from careteam.models import User
from clients.models import Allergy, AllergyStatus, Client


def allergies_can_see(user: User) -> bool:
    """The role reads allergies and is not a minimum-necessary role (peers)."""
    return (
        user.is_authenticated
        and user.has_perm("clients.view_allergy")
        and section_can_see(user, Section.ALLERGIES)
    )


def allergies_can_change(user: User, client: Client) -> bool:
    """Records allergies (or "no known allergies") for this client and edits them: the role adds and
    changes allergies (crisis workers too) and the user may change the client's record."""
    return (
        allergies_can_see(user)
        and user.has_perm("clients.add_allergy")
        and user.has_perm("clients.change_allergy")
        and access.client_can_access(user, client, access.CHANGE)
    )


def active_allergies(client: Client) -> QuerySet[Allergy]:
    """The allergies that apply now, by substance."""
    return Allergy.objects.filter(client=client, status=AllergyStatus.ACTIVE).order_by("substance", "id")


def allergies_for_client(client: Client) -> QuerySet[Allergy]:
    """Every allergy row: active first, then those that no longer apply, then those entered in error."""
    rank = Case(
        When(status=AllergyStatus.ACTIVE, then=Value(0)),
        When(status=AllergyStatus.INACTIVE, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Allergy.objects.filter(client=client)
        .select_related("recorded_by")
        .annotate(_rank=rank)
        .order_by("_rank", "substance", "id")
    )


def allergy_list_for_user(user: User) -> QuerySet[Allergy]:
    if not allergies_can_see(user):
        return Allergy.objects.none()
    return Allergy.objects.filter(client__in=access.clients_visible_to(user).values("pk")).select_related(
        "client", "recorded_by"
    )


def allergy_get_for_user(user: User, pk, *, client_pk=None) -> Allergy:
    qs = allergy_list_for_user(user)
    if client_pk is not None:
        qs = qs.filter(client_id=client_pk)
    try:
        return qs.get(pk=pk)
    except (Allergy.DoesNotExist, ValueError, TypeError):
        raise Http404("No such allergy.") from None
