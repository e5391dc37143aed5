"""Recording a diagnosis, editing it, moving its status; loading an ICD-10-CM release.

Every write is one transaction with its audit row. A diagnosis is never deleted: a wrong one is
marked entered in error with a reason (``states.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from careteam.audit import audit_log
from careteam.concurrency import Expected, require_unchanged
from careteam.errors import DomainError
from careteam.models import AuditAction, User
from clients.models import Client, Diagnosis, DiagnosisCode, DiagnosisStatus, DiagnosisType

from .icd10cm import CodeRow
from .states import DIAGNOSIS_STATES, REASON_REQUIRED, REASON_REQUIRED_MESSAGE

# What an edit may change. Status, its date and reason move only through ``diagnosis_set_status``.
DIAGNOSIS_FIELDS = ("code", "diagnosis_type", "onset_date", "comment")

ONE_PRIMARY_MESSAGE = gettext_lazy(
    "This client already has an active primary diagnosis. Record this one as secondary, or resolve "
    "the primary one first."
)


def _require_usable_code(code: DiagnosisCode) -> None:
    if not code.is_active:
        raise DomainError(
            gettext("%(code)s is not in the current ICD-10-CM release.") % {"code": code.code}, field="code"
        )
    if not code.billable:
        raise DomainError(
            gettext("%(code)s is a category heading: choose one of the codes under it.")
            % {"code": code.code},
            field="code",
        )


def _require_one_primary(*, client_id: int, diagnosis_type: str, status: str, pk: int | None) -> None:
    """The clear refusal of the ``one_active_primary_diagnosis`` constraint, before the database's."""
    if status != DiagnosisStatus.ACTIVE or diagnosis_type != DiagnosisType.PRIMARY:
        return
    others = Diagnosis.objects.filter(
        client_id=client_id, status=DiagnosisStatus.ACTIVE, diagnosis_type=DiagnosisType.PRIMARY
    ).exclude(pk=pk)
    if others.exists():
        raise DomainError(str(ONE_PRIMARY_MESSAGE), field="diagnosis_type")


def _require_dates(onset: dt.date | None, resolved: dt.date | None) -> None:
    if onset and resolved and resolved < onset:
        raise DomainError(gettext("A diagnosis cannot resolve before its onset."), field="resolved_date")


def _save(diagnosis: Diagnosis, **kwargs) -> None:
    """Save, turning a lost race on the one-active-primary constraint into its clear message."""
    try:
        with transaction.atomic():
            diagnosis.save(**kwargs)
    except IntegrityError:
        raise DomainError(str(ONE_PRIMARY_MESSAGE), field="diagnosis_type") from None


def _lock_client(client_id: int) -> None:
    # Two staff recording a primary diagnosis for one client at once: the second waits here and
    # then sees the first's row in ``_require_one_primary`` (no lock on SQLite, which has one writer).
    Client.objects.select_for_update().filter(pk=client_id).values_list("pk", flat=True).first()


@transaction.atomic
def diagnosis_record(*, client: Client, acting_user: User, data: dict) -> Diagnosis:
    """Add a diagnosis to the client's problem list. ``data``: ``code`` (a ``DiagnosisCode``),
    ``diagnosis_type``, optional ``onset_date`` and ``comment``. The code's official description is
    copied so the row reads as it did when recorded, whatever a later release says."""
    code: DiagnosisCode = data["code"]
    _require_usable_code(code)
    diagnosis = Diagnosis(
        client=client,
        code=code,
        description=code.description,
        diagnosis_type=data.get("diagnosis_type") or DiagnosisType.SECONDARY,
        onset_date=data.get("onset_date"),
        comment=(data.get("comment") or "").strip(),
        recorded_by=acting_user,
    )
    diagnosis.full_clean(validate_constraints=False)
    _lock_client(client.pk)
    _require_one_primary(
        client_id=diagnosis.client_id,
        diagnosis_type=diagnosis.diagnosis_type,
        status=diagnosis.status,
        pk=diagnosis.pk,
    )
    _save(diagnosis)
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=diagnosis,
        detail={"code": code.code, "type": diagnosis.diagnosis_type},
    )
    return diagnosis


@transaction.atomic
def diagnosis_update(
    *, diagnosis: Diagnosis, acting_user: User, data: dict, expected: Expected | None = None
) -> Diagnosis:
    """Change the code, type, onset or comment. ``expected``: the version the editor started from; a
    stale one raises ``StaleEditError``. A diagnosis entered in error is not edited."""
    _lock_client(diagnosis.client_id)
    diagnosis = Diagnosis.objects.select_for_update().select_related("code").get(pk=diagnosis.pk)
    require_unchanged(diagnosis, expected)
    if diagnosis.status == DiagnosisStatus.ENTERED_IN_ERROR:
        raise DomainError(gettext("A diagnosis entered in error is not edited; record the right one."))
    if "comment" in data:
        data = {**data, "comment": (data["comment"] or "").strip()}
    changed = [f for f in DIAGNOSIS_FIELDS if f in data and getattr(diagnosis, f) != data[f]]
    if "code" in changed:
        _require_usable_code(data["code"])
    for name in changed:
        setattr(diagnosis, name, data[name])
    if "code" in changed:
        diagnosis.description = diagnosis.code.description
        changed.append("description")
    if not changed:
        return diagnosis
    diagnosis.full_clean(validate_constraints=False)
    _require_dates(diagnosis.onset_date, diagnosis.resolved_date)
    _require_one_primary(
        client_id=diagnosis.client_id,
        diagnosis_type=diagnosis.diagnosis_type,
        status=diagnosis.status,
        pk=diagnosis.pk,
    )
    _save(diagnosis, update_fields=[*changed, "updated_at"])
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=diagnosis.client_id,
        obj=diagnosis,
        changed_fields=changed,
        detail={"code": diagnosis.code.code},
    )
    return diagnosis


@transaction.atomic
def diagnosis_set_status(
    *,
    diagnosis: Diagnosis,
    status: str,
    acting_user: User,
    reason: str = "",
    resolved_date: dt.date | None = None,
) -> Diagnosis:
    """Move a diagnosis along ``DIAGNOSIS_STATES``.

    Resolving records ``resolved_date`` (default today; not in the future, not before the onset) and
    an optional reason. Entered in error needs a reason. Reactivating clears the resolution, and is
    refused if it would give the client a second active primary diagnosis. The move is a
    compare-and-set on the status ``diagnosis`` was read with (``StaleStateError`` if someone moved
    it meanwhile).
    """
    if status not in DiagnosisStatus.values:
        raise DomainError(
            gettext("'%(status)s' is not a diagnosis status.") % {"status": status}, field="status"
        )
    previous = diagnosis.status
    DIAGNOSIS_STATES.check(previous, status)
    reason = " ".join((reason or "").split())[:300]
    if status in REASON_REQUIRED and not reason:
        raise DomainError(str(REASON_REQUIRED_MESSAGE), field="reason")
    also: dict = {"status_reason": reason, "updated_at": timezone.now()}
    if status == DiagnosisStatus.RESOLVED:
        day = resolved_date or timezone.localdate()
        if day > timezone.localdate():
            raise DomainError(gettext("This date is in the future."), field="resolved_date")
        _require_dates(diagnosis.onset_date, day)
        also["resolved_date"] = day
    elif status == DiagnosisStatus.ACTIVE:
        also["resolved_date"] = None
        _lock_client(diagnosis.client_id)
        _require_one_primary(
            client_id=diagnosis.client_id,
            diagnosis_type=diagnosis.diagnosis_type,
            status=status,
            pk=diagnosis.pk,
        )
    try:
        with transaction.atomic():
            DIAGNOSIS_STATES.move(diagnosis, status, also=also)
    except IntegrityError:
        raise DomainError(str(ONE_PRIMARY_MESSAGE), field="status") from None
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=diagnosis.client_id,
        obj=diagnosis,
        changed_fields=["status", *(k for k in also if k not in ("updated_at",))],
        detail={"from": previous, "status": status},
    )
    return diagnosis


# --- the code set ---------------------------------------------------------------------------------


@dataclass
class CodeLoadResult:
    """What a load of a release file did, code by code."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    reactivated: int = 0
    deactivated: int = 0
    problems: list[str] = field(default_factory=list)


BATCH = 1000


@transaction.atomic
def diagnosis_codes_load(
    *, rows: Iterable[CodeRow], release: str, full: bool = True, headings_listed: bool = True
) -> CodeLoadResult:
    """Bring the code set in line with an official release: new codes added, descriptions and flags
    of known ones updated, and — for a ``full`` load — codes the release no longer lists marked
    inactive (never deleted: diagnoses reference them, and a retired code stays readable on them).
    ``headings_listed=False`` (the codes file lists only codes valid for coding): headings are then
    left as they are rather than retired."""
    result = CodeLoadResult()
    release = release[:16]
    seen: dict[str, CodeRow] = {}
    for row in rows:
        if len(row.code) > 8:
            result.problems.append(gettext("%(code)s: longer than a code can be.") % {"code": row.code})
            continue
        seen[row.code] = row
    existing = {
        c.code: c
        for c in DiagnosisCode.objects.all().only(
            "id", "code", "description", "billable", "release", "is_active"
        )
    }
    new, changed = [], []
    for code, row in seen.items():
        current = existing.get(code)
        if current is None:
            new.append(
                DiagnosisCode(
                    code=code,
                    description=row.description,
                    billable=row.billable,
                    release=release,
                    is_active=True,
                )
            )
            continue
        values = {
            "description": row.description,
            "billable": row.billable,
            "release": release,
            "is_active": True,
        }
        if not current.is_active:
            result.reactivated += 1
        if any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            changed.append(current)
        else:
            result.unchanged += 1
    DiagnosisCode.objects.bulk_create(new, batch_size=BATCH)
    DiagnosisCode.objects.bulk_update(
        changed, ["description", "billable", "release", "is_active"], batch_size=BATCH
    )
    result.added, result.updated = len(new), len(changed)
    if full:
        retired = [
            c.pk
            for code, c in existing.items()
            if code not in seen and c.is_active and (headings_listed or c.billable)
        ]
        for start in range(0, len(retired), BATCH):
            DiagnosisCode.objects.filter(pk__in=retired[start : start + BATCH]).update(is_active=False)
        result.deactivated = len(retired)
    audit_log(
        user=None,
        action=AuditAction.CHANGE,
        detail={
            "icd10cm_load": release,
            "added": result.added,
            "updated": result.updated,
            "deactivated": result.deactivated,
        },
        username="load_icd10cm",
    )
    return result
