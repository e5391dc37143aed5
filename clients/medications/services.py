"""Recording, editing, stopping and correcting a client's medications, and the prescriber's
recommendations. Every write is one transaction with its audit row."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from careteam.audit import audit_log
from careteam.concurrency import Expected, require_unchanged
from careteam.errors import DomainError
from careteam.models import AuditAction, User
from clients.models import Client, Medication, MedicationStatus, PrescriberRecommendation

from .selectors import prescriber_candidates
from .states import MEDICATION_STATES

MEDICATION_FIELDS = (
    "name",
    "rxnorm_code",
    "dose",
    "route",
    "frequency",
    "moud_type",
    "prescriber",
    "prescriber_name",
    "prescriber_organization",
    "prescriber_phone",
    "start_date",
    "comment",
)
OUTSIDE_PRESCRIBER_FIELDS = ("prescriber_name", "prescriber_organization", "prescriber_phone")
RECOMMENDATION_FIELDS = ("recommended_on", "prescriber_name", "text", "medication")
REASON_MAX_LENGTH = 300


def _check_prescriber(client: Client, data: dict, *, previous: User | None = None) -> None:
    """A prescriber here or an outside one, never both (the ``medication_one_prescriber`` constraint,
    said first as a field error); a prescriber here is one of the client's organisation's staff."""
    prescriber = data.get("prescriber")
    outside = [f for f in OUTSIDE_PRESCRIBER_FIELDS if str(data.get(f) or "").strip()]
    if prescriber is not None and outside:
        raise ValidationError(
            {
                "prescriber_name": gettext(
                    "Name either a prescriber here or an outside prescriber, not both: clear one of them."
                )
            }
        )
    if outside and not str(data.get("prescriber_name") or "").strip():
        raise ValidationError(
            {
                "prescriber_name": gettext(
                    "Give the outside prescriber's name with their organisation or phone."
                )
            }
        )
    if (
        prescriber is not None
        and prescriber != previous
        and not prescriber_candidates(client).filter(pk=prescriber.pk).exists()
    ):
        raise ValidationError(
            {"prescriber": gettext("Pick a prescriber from the staff of the client's organisation.")}
        )


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(message, field="reason")
    return reason[:REASON_MAX_LENGTH]


@transaction.atomic
def medication_create(*, client: Client, acting_user: User, data: dict) -> Medication:
    """Record a medication the client takes (status "taking")."""
    values = {k: v for k, v in data.items() if k in MEDICATION_FIELDS}
    _check_prescriber(client, values)
    medication = Medication(client=client, recorded_by=acting_user, **values)
    medication.name = medication.name.strip()
    medication.full_clean()
    medication.save()
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=medication,
        detail={"moud_type": medication.moud_type} if medication.moud_type else None,
    )
    return medication


@transaction.atomic
def medication_update(
    *, medication: Medication, acting_user: User, data: dict, expected: Expected | None = None
) -> Medication:
    """Correct what the medication is (name, dose, prescriber …). ``expected``: the version the
    editor started from; a stale one raises ``StaleEditError``. A row entered in error is final."""
    medication = (
        Medication.objects.select_for_update().select_related("client__primary_team").get(pk=medication.pk)
    )
    require_unchanged(medication, expected)
    if medication.status == MedicationStatus.ENTERED_IN_ERROR:
        raise DomainError(gettext("A medication entered in error cannot be edited; record it again instead."))
    merged = {f: data.get(f, getattr(medication, f)) for f in MEDICATION_FIELDS}
    _check_prescriber(medication.client, merged, previous=medication.prescriber)
    changed = [f for f in MEDICATION_FIELDS if f in data and getattr(medication, f) != data[f]]
    for field in changed:
        setattr(medication, field, data[field])
    medication.full_clean()
    if changed:
        medication.save(update_fields=[*changed, "updated_at"])
        audit_log(
            user=acting_user,
            action=AuditAction.CHANGE,
            client=medication.client_id,
            obj=medication,
            changed_fields=changed,
        )
    return medication


@transaction.atomic
def medication_stop(
    *, medication: Medication, acting_user: User, reason: str, stop_date: dt.date | None = None
) -> Medication:
    """The client no longer takes it: a stop date (default today) and a reason, both kept."""
    reason = _reason(reason, gettext("Say why the medication was stopped."))
    stop_date = stop_date or timezone.localdate()
    if stop_date > timezone.localdate():
        raise DomainError(gettext("The stop date cannot be in the future."), field="stop_date")
    if medication.start_date and stop_date < medication.start_date:
        raise DomainError(gettext("The stop date cannot come before the start date."), field="stop_date")
    previous = medication.status
    MEDICATION_STATES.move(
        medication,
        MedicationStatus.STOPPED,
        also={"stop_date": stop_date, "status_reason": reason, "updated_at": timezone.now()},
    )
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=medication.client_id,
        obj=medication,
        changed_fields=["status", "stop_date", "status_reason"],
        detail={"from": previous, "status": MedicationStatus.STOPPED},
        reason=reason,
    )
    return medication


@transaction.atomic
def medication_mark_entered_in_error(*, medication: Medication, acting_user: User, reason: str) -> Medication:
    """The row was a mistake: it stays on the chart, struck through, with the reason."""
    reason = _reason(reason, gettext("Say what was wrong with this entry."))
    previous = medication.status
    MEDICATION_STATES.move(
        medication,
        MedicationStatus.ENTERED_IN_ERROR,
        also={"status_reason": reason, "updated_at": timezone.now()},
    )
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=medication.client_id,
        obj=medication,
        changed_fields=["status", "status_reason"],
        detail={"from": previous, "status": MedicationStatus.ENTERED_IN_ERROR},
        reason=reason,
    )
    return medication


@transaction.atomic
def recommendation_create(*, client: Client, acting_user: User, data: dict) -> PrescriberRecommendation:
    """A dated recommendation from the prescriber, optionally about one of the client's medications.
    Without a "from", it is the medication's prescriber."""
    values = {k: v for k, v in data.items() if k in RECOMMENDATION_FIELDS}
    medication = values.get("medication")
    if medication is not None and (
        medication.client_id != client.pk or medication.status == MedicationStatus.ENTERED_IN_ERROR
    ):
        raise ValidationError({"medication": gettext("Pick one of this client's medications.")})
    if not str(values.get("prescriber_name") or "").strip() and medication is not None:
        values["prescriber_name"] = medication.prescriber_display[
            : PrescriberRecommendation._meta.get_field("prescriber_name").max_length
        ]
    if not str(values.get("prescriber_name") or "").strip():
        raise ValidationError({"prescriber_name": gettext("Say who made the recommendation.")})
    if not str(values.get("text") or "").strip():
        raise ValidationError({"text": gettext("Write the recommendation.")})
    values.setdefault("recommended_on", timezone.localdate())
    recommendation = PrescriberRecommendation(client=client, recorded_by=acting_user, **values)
    recommendation.full_clean()
    recommendation.save()
    audit_log(user=acting_user, action=AuditAction.CREATE, client=client, obj=recommendation)
    return recommendation


@transaction.atomic
def recommendation_mark_entered_in_error(
    *, recommendation: PrescriberRecommendation, acting_user: User, reason: str
) -> PrescriberRecommendation:
    """Recommendations are never deleted: one entered in error leaves the default list and stays in
    the history, struck through, with the reason."""
    reason = _reason(reason, gettext("Say what was wrong with this entry."))
    now = timezone.now()
    won = PrescriberRecommendation.objects.filter(
        pk=recommendation.pk, entered_in_error_at__isnull=True
    ).update(entered_in_error_at=now, entered_in_error_reason=reason)
    if won != 1:
        raise DomainError(gettext("This recommendation is already marked entered in error."))
    recommendation.entered_in_error_at = now
    recommendation.entered_in_error_reason = reason
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=recommendation.client_id,
        obj=recommendation,
        changed_fields=["entered_in_error_at", "entered_in_error_reason"],
        reason=reason,
    )
    return recommendation
