"""Reads of diagnoses and of the ICD-10-CM code set, scoped to what the user may see."""

from __future__ import annotations

import re

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from careteam import access
from careteam.minimum_necessary import Section, section_can_see
from careteam.models import User
from clients.models import Client, Diagnosis, DiagnosisCode, DiagnosisStatus, DiagnosisType

from .icd10cm import with_dot

SEARCH_LIMIT_MAX = 50
# What a code typed into the search looks like: a letter, a digit, then code characters, with or
# without the dot ("F11.2", "F112", "t40.411a").
_CODE_LIKE = re.compile(r"^[A-Za-z][0-9][0-9A-Za-z]{0,5}$|^[A-Za-z][0-9][0-9A-Za-z]\.[0-9A-Za-z]{0,4}$")


def diagnoses_can_see(user: User) -> bool:
    """Diagnoses are not for minimum-necessary roles (peer specialists): ``careteam.minimum_necessary``,
    45 CFR 164.502(b)."""
    return (
        user.is_authenticated
        and user.has_perm("clients.view_diagnosis")
        and section_can_see(user, Section.DIAGNOSES)
    )


def diagnoses_can_record(user: User, client: Client) -> bool:
    """Adds a diagnosis to this client's problem list: the role may, and the user may change the record."""
    return (
        diagnoses_can_see(user)
        and user.has_perm("clients.add_diagnosis")
        and access.client_can_access(user, client, access.CHANGE)
    )


def diagnoses_can_change(user: User, client: Client) -> bool:
    """Edits, resolves, reactivates or marks in error this client's diagnoses."""
    return (
        diagnoses_can_see(user)
        and user.has_perm("clients.change_diagnosis")
        and access.client_can_access(user, client, access.CHANGE)
    )


def _primary_first(qs: QuerySet[Diagnosis]) -> QuerySet[Diagnosis]:
    """Active before resolved before entered in error; within each, the primary first, then by code."""
    return qs.annotate(
        _status_rank=Case(
            When(status=DiagnosisStatus.ACTIVE, then=Value(0)),
            When(status=DiagnosisStatus.RESOLVED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        _type_rank=Case(
            *(When(diagnosis_type=t, then=Value(i)) for i, t in enumerate(DiagnosisType.values)),
            default=Value(len(DiagnosisType.values)),
            output_field=IntegerField(),
        ),
    ).order_by("_status_rank", "_type_rank", "code__code", "id")


def active_diagnoses(client: Client) -> QuerySet[Diagnosis]:
    """The client's active diagnoses, primary first (the chart overview's summary; the caller has
    already loaded a client the user may see and checked ``diagnoses_can_see``)."""
    return _primary_first(
        Diagnosis.objects.filter(client=client, status=DiagnosisStatus.ACTIVE).select_related("code")
    )


def diagnoses_for_client(user: User, client: Client, *, include_inactive: bool = True) -> QuerySet[Diagnosis]:
    """The client's diagnoses for the chart tab: active first (primary first), then resolved, then
    entered in error. None for a user who may not see diagnoses."""
    if not diagnoses_can_see(user):
        return Diagnosis.objects.none()
    qs = Diagnosis.objects.filter(client=client).select_related("code", "recorded_by")
    if not include_inactive:
        qs = qs.filter(status=DiagnosisStatus.ACTIVE)
    return _primary_first(qs)


def diagnosis_list_for_user(user: User) -> QuerySet[Diagnosis]:
    """Diagnoses of the clients the user may see; none at all for minimum-necessary roles."""
    if not diagnoses_can_see(user):
        return Diagnosis.objects.none()
    return Diagnosis.objects.filter(client__in=access.clients_visible_to(user).values("pk")).select_related(
        "client", "code", "recorded_by"
    )


def diagnosis_get_for_user(user: User, pk, *, client_pk=None) -> Diagnosis:
    """One diagnosis the user may see, or 404 (missing and hidden look the same)."""
    qs = diagnosis_list_for_user(user)
    if client_pk is not None:
        qs = qs.filter(client_id=client_pk)
    try:
        return qs.get(pk=pk)
    except (Diagnosis.DoesNotExist, ValueError, TypeError):
        raise Http404("No such diagnosis.") from None


def diagnosis_codes_search(
    q: str, limit: int = 20, *, billable_only: bool = False
) -> QuerySet[DiagnosisCode]:
    """Active ICD-10-CM codes matching ``q``, at most ``limit``, in code order.

    A query that looks like a code (a letter, a digit, code characters) matches by prefix, with or
    without the dot: "F11.2" and "F112" both find F11.2 and F11.20 to F11.29, "F11" the whole family.
    Anything else is words, each of which must appear in the description: "opioid dependence" finds
    "Opioid dependence, uncomplicated", not "Opioid abuse".
    """
    q = " ".join((q or "").split())[:100]
    limit = max(1, min(int(limit), SEARCH_LIMIT_MAX))
    qs = DiagnosisCode.objects.filter(is_active=True)
    if billable_only:
        qs = qs.filter(billable=True)
    if not q:
        return qs.none()
    if _CODE_LIKE.match(q):
        stem = q.upper().replace(".", "")
        # "F112" and "F11.2" are the same prefix; a code of three characters has no dot.
        condition = Q(code__istartswith=with_dot(stem)) if len(stem) > 3 else Q(code__istartswith=stem)
    else:
        condition = Q()
        for word in q.split()[:8]:
            condition &= Q(description__icontains=word)
    return qs.filter(condition).order_by("code")[:limit]
