"""Reads of client records, already scoped to what the user may see."""

from __future__ import annotations

import difflib
import re

from django.db.models import Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from careteam import access
from careteam.models import CareTeamAssignment, User

from .models import Client, SupportivePerson

# ?sort= values the caseload accepts, mapped to orderings (stable with the pk last).
CLIENT_SORTS = {
    "name": ("legal_last_name", "legal_first_name", "id"),
    "-name": ("-legal_last_name", "-legal_first_name", "-id"),
    "record": ("record_number",),
    "-record": ("-record_number",),
    "dob": ("date_of_birth", "id"),
    "-dob": ("-date_of_birth", "-id"),
    "status": ("status", "legal_last_name", "id"),
    "-status": ("-status", "legal_last_name", "id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}
_RECORD_NUMBER = re.compile(r"^\s*(CT-?)?\d{1,7}\s*$", re.IGNORECASE)


def with_care_team(qs: QuerySet[Client]) -> QuerySet[Client]:
    return qs.select_related("primary_team").prefetch_related(
        Prefetch(
            "assignments",
            queryset=CareTeamAssignment.objects.active().select_related("staff"),
            to_attr="active_assignments",
        )
    )


def client_list_for_user(
    user: User, *, q: str = "", status: str = "", team: int | None = None, sort: str = "name"
) -> QuerySet[Client]:
    """The clients ``user`` may see, searched by name or record number, filtered and sorted."""
    qs = access.clients_visible_to(user)
    q = q.strip()
    if q:
        if _RECORD_NUMBER.match(q):
            digits = re.sub(r"\D", "", q)
            qs = qs.filter(Q(record_number__iendswith=digits.zfill(7)) | Q(legal_last_name__istartswith=q))
        else:
            for term in q.split():
                qs = qs.filter(
                    Q(legal_first_name__istartswith=term)
                    | Q(legal_last_name__istartswith=term)
                    | Q(preferred_name__istartswith=term)
                )
    if status:
        qs = qs.filter(status=status)
    if team:
        qs = qs.filter(primary_team_id=team)
    return with_care_team(qs).order_by(*CLIENT_SORTS.get(sort, CLIENT_SORTS["name"]))


def client_can_change(user: User, client: Client) -> bool:
    """Edits the client's record itself: the user may change this client and the role changes clients."""
    return access.client_can_access(user, client, access.CHANGE) and user.has_perm("clients.change_client")


def client_can_archive(user: User) -> bool:
    """Archives a record entered in error, from any chart the user may open: the role archives clients
    and is not on the minimum-necessary view."""
    return user.has_perm("clients.archive_client") and not access.minimum_necessary_view(user)


def supportive_people_can_add(user: User, client: Client) -> bool:
    """Adds a supportive person to this client's record: the role adds them and the user edits the
    record itself (``client_can_change``)."""
    return user.has_perm("clients.add_supportiveperson") and client_can_change(user, client)


def client_get_for_user(user: User, pk: int, *, perm: str = access.VIEW) -> Client:
    """The one client-or-404 lookup: a client the user may see (or hold ``perm`` on), with their care
    team. Missing, archived, hidden and a malformed id are the same 404 with the same message, so
    the answer never confirms that a record exists."""
    qs = with_care_team(access.clients_visible_to(user, perm, emergency=True))
    if perm == access.VIEW and user.is_authenticated and not access.clients_can_see_all(user):
        # Seen under break-the-glass: the justification, for the audit rows the page writes (DESIGN
        # "Audit trail": why). In the same query, so a chart page costs nothing more.
        qs = qs.annotate(
            emergency_access_reason=Subquery(
                access.emergency_access_current_q(user).values("justification")[:1]
            )
        )
    try:
        return qs.get(pk=pk)
    except (Client.DoesNotExist, ValueError, TypeError):
        raise Http404("No such client.") from None


def access_reports_can_read(user: User) -> bool:
    """The role reads access reports (supervisors and administrators: ``careteam.view_auditevent``);
    whether this client's is theirs to read is ``access_report_can_view``. Decides the chart tab."""
    return user.has_perm("careteam.view_auditevent")


def access_report_can_view(user: User, client: Client) -> bool:
    """Reads this client's access report (who viewed, changed, exported, disclosed or was refused
    their record: HIPAA §164.312(b), §164.308(a)(1)(ii)(D)): administrators, and the supervisors of
    the client's team. The people who treat the client do not audit each other; to anyone else the
    page is a 404."""
    if access.clients_can_see_all(user):
        return True
    return access_reports_can_read(user) and client.primary_team.supervisors.filter(pk=user.pk).exists()


def supportive_people_for_client(client: Client) -> QuerySet[SupportivePerson]:
    return client.supportive_people.filter(archived_at__isnull=True)


def supportive_person_get_for_user(user: User, client_pk: int, pk: int) -> SupportivePerson:
    client = client_get_for_user(user, client_pk, perm=access.CHANGE)
    try:
        return supportive_people_for_client(client).get(pk=pk)
    except (SupportivePerson.DoesNotExist, ValueError):
        raise Http404("No such person.") from None


def care_team_history(client: Client) -> QuerySet[CareTeamAssignment]:
    return client.assignments.select_related("staff", "created_by").order_by("ended_on", "-started_on")


def _name_similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.casefold(), b.casefold()).ratio()


def client_possible_duplicates(
    user: User, *, first_name: str, last_name: str, date_of_birth, exclude_pk: int | None = None
) -> tuple[list[Client], int]:
    """Records with the same date of birth and a similar name.

    Returns (the matches the user may open, how many more exist that they may
    not). Only the count of hidden matches is revealed — enough to ask a
    supervisor before creating a duplicate chart, nothing that identifies anyone.
    """
    candidates = Client.objects.not_archived().filter(date_of_birth=date_of_birth)
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    wanted = f"{first_name} {last_name}"
    similar_ids = [
        pk
        for pk, first, last, preferred in candidates.values_list(
            "pk", "legal_first_name", "legal_last_name", "preferred_name"
        )[:200]
        if max(
            _name_similarity(wanted, f"{first} {last}"),
            _name_similarity(wanted, f"{preferred or first} {last}"),
            _name_similarity(last_name, last) if first[:1].casefold() == first_name[:1].casefold() else 0,
        )
        >= 0.75
    ]
    if not similar_ids:
        return [], 0
    visible = list(access.clients_visible_to(user).filter(pk__in=similar_ids))
    return visible, len(similar_ids) - len(visible)
