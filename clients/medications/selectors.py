"""Reads of medications and the prescriber's recommendations, scoped to what the user may see, and
their access predicates. Peer specialists see none of it (``careteam.minimum_necessary``)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from careteam import access
from careteam.minimum_necessary import Section, section_can_see
from careteam.models import Team, User
from clients.models import Client, Medication, MedicationStatus, PrescriberRecommendation


def medications_can_see(user: User) -> bool:
    """Medications and the prescriber's recommendations are for the clinical team: the role reads
    medications and is not a minimum-necessary role (peers; 45 CFR 164.502(b))."""
    return (
        user.is_authenticated
        and user.has_perm("clients.view_medication")
        and section_can_see(user, Section.MEDICATIONS)
    )


def medications_can_change(user: User, client: Client) -> bool:
    """Records, edits and stops this client's medications: the role changes medications and the user
    may change the client's record (a view-only place on the care team changes nothing)."""
    return (
        medications_can_see(user)
        and user.has_perm("clients.add_medication")
        and user.has_perm("clients.change_medication")
        and access.client_can_access(user, client, access.CHANGE)
    )


def recommendations_can_record(user: User, client: Client) -> bool:
    """Records (or marks in error) a recommendation from the prescriber for this client."""
    return (
        medications_can_see(user)
        and user.has_perm("clients.add_prescriberrecommendation")
        and access.client_can_access(user, client, access.CHANGE)
    )


def medication_reminders_can_add(user: User, client: Client) -> bool:
    """Offers "Add a reminder" beside a medication: the role adds client reminders (outreach's
    permission, named as a string so the record imports nothing of outreach) and the user may change the
    client's record."""
    return user.has_perm("outreach.add_clientreminder") and access.client_can_access(
        user, client, access.CHANGE
    )


def _moud_first(qs: QuerySet[Medication]) -> QuerySet[Medication]:
    return qs.annotate(
        _not_moud=Case(When(moud_type="", then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("_not_moud", "name", "id")


def current_medications(client: Client) -> QuerySet[Medication]:
    """The medications the client takes now, MOUD / MAUD first, then by name (one query)."""
    return _moud_first(
        Medication.objects.filter(client=client, status=MedicationStatus.ACTIVE).select_related("prescriber")
    )


def past_medications(client: Client) -> QuerySet[Medication]:
    """Stopped medications and rows entered in error, most recently stopped first."""
    return (
        Medication.objects.filter(client=client)
        .exclude(status=MedicationStatus.ACTIVE)
        .select_related("prescriber")
        .order_by("status", "-stop_date", "-updated_at", "-id")
    )


def with_active_reminders(qs: QuerySet[Medication]) -> QuerySet[Medication]:
    """Each medication's reminders that are still running, as ``m.active_reminders`` (one query for
    all). Read through the ``reminders`` relation the reminder model declares, so the record needs no
    import of the outreach app that owns it (DESIGN "Layout and layers")."""
    reminder_model = Medication._meta.get_field("reminders").related_model
    return qs.prefetch_related(
        Prefetch(
            "reminders",
            queryset=reminder_model.objects.filter(stopped_at__isnull=True).order_by("first_at", "id"),
            to_attr="active_reminders",
        )
    )


def recommendations_for_client(client: Client, *, include_errors: bool = False) -> QuerySet:
    """The prescriber's recommendations, newest first; those entered in error only when asked for."""
    qs = PrescriberRecommendation.objects.filter(client=client).select_related("medication", "recorded_by")
    if not include_errors:
        qs = qs.filter(entered_in_error_at__isnull=True)
    return qs


def recent_recommendations(client: Client, limit: int = 3) -> list[PrescriberRecommendation]:
    """The latest ``limit`` recommendations in force (not entered in error), for the chart summary."""
    return list(recommendations_for_client(client)[:limit])


def prescriber_candidates(client: Client, *, keep: int | None = None) -> QuerySet[User]:
    """Staff who may be named as the prescriber here: active members of the client's primary team or
    of another team of the same organisation. Other organisations' staff are never offered. ``keep``:
    the user already named on a medication being edited, who stays selectable after moving on."""
    team = client.primary_team
    teams = Q(pk=team.pk)
    if team.organization_id:
        teams |= Q(organization_id=team.organization_id)
    members = Team.members.through.objects.filter(team__in=Team.objects.filter(teams)).values("user_id")
    wanted = Q(is_active=True, pk__in=members)
    if keep:
        wanted |= Q(pk=keep)
    return User.objects.filter(wanted).order_by("last_name", "first_name", "username")


def medication_list_for_user(user: User) -> QuerySet[Medication]:
    """Medications of the clients the user may see; none for roles that may not see medications."""
    if not medications_can_see(user):
        return Medication.objects.none()
    return Medication.objects.filter(client__in=access.clients_visible_to(user).values("pk")).select_related(
        "client", "prescriber", "recorded_by"
    )


def medication_get_for_user(user: User, pk, *, client_pk=None) -> Medication:
    qs = medication_list_for_user(user)
    if client_pk is not None:
        qs = qs.filter(client_id=client_pk)
    try:
        return qs.get(pk=pk)
    except (Medication.DoesNotExist, ValueError, TypeError):
        raise Http404("No such medication.") from None


def recommendation_list_for_user(user: User) -> QuerySet[PrescriberRecommendation]:
    if not medications_can_see(user) or not user.has_perm("clients.view_prescriberrecommendation"):
        return PrescriberRecommendation.objects.none()
    return PrescriberRecommendation.objects.filter(
        client__in=access.clients_visible_to(user).values("pk")
    ).select_related("client", "medication", "recorded_by")


def recommendation_get_for_user(user: User, pk, *, client_pk=None) -> PrescriberRecommendation:
    qs = recommendation_list_for_user(user)
    if client_pk is not None:
        qs = qs.filter(client_id=client_pk)
    try:
        return qs.get(pk=pk)
    except (PrescriberRecommendation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such recommendation.") from None
