"""Recording allergies and keeping the client's allergy review state (``Client.allergy_review``).

The review state answers "has anyone asked?", which a list of allergies alone cannot: an empty list
may mean "none" or "nobody asked" (FHIR R4 AllergyIntolerance: "no known allergies" is a recorded
assertion, not an absence). The rules, all here:

- "No known allergies" is recorded only by someone saying so (``allergy_record_none_known``), and is
  refused while an active allergy is on the chart.
- Recording an allergy that applies (new, or one that applies again) sets "recorded".
- Marking an allergy "no longer applies" keeps "recorded" even when it was the last active one: the
  question was asked and answered; the chart then shows "No active allergies (reviewed <date>)".
  Nobody is assumed to have said "no known allergies" on the client's behalf.
- Marking an allergy entered in error when no other allergy (active or no longer applying) remains
  puts the state back to "not asked": the only answer on file was a mistake, so the chart asks the
  team to ask again instead of showing an answer nobody gave.

Every change of the state writes ``allergy_reviewed_at`` / ``allergy_reviewed_by`` and an audit row.
The client row is locked first, so a "no known allergies" and a new allergy cannot both win.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from careteam.audit import audit_log
from careteam.concurrency import Expected, require_unchanged
from careteam.errors import DomainError
from careteam.models import AuditAction, User
from clients.models import Allergy, AllergyReview, AllergyStatus, Client

from .states import ALLERGY_STATES, REASON_REQUIRED

ALLERGY_FIELDS = ("substance", "category", "kind", "reaction", "severity", "onset_date")
REASON_MAX_LENGTH = 300

REVIEW_FIELDS = ["allergy_review", "allergy_reviewed_at", "allergy_reviewed_by"]


def _lock_client(client: Client | int) -> Client:
    pk = getattr(client, "pk", client)
    return Client.objects.select_for_update().get(pk=pk)


def _set_review(client: Client, review: str, acting_user: User) -> None:
    previous = client.allergy_review
    client.allergy_review = review
    client.allergy_reviewed_at = timezone.now()
    client.allergy_reviewed_by = acting_user
    client.save(update_fields=REVIEW_FIELDS)
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=client,
        obj=client,
        changed_fields=REVIEW_FIELDS,
        detail={"from": previous, "allergy_review": review},
    )


@transaction.atomic
def allergy_create(*, client: Client, acting_user: User, data: dict) -> Allergy:
    """Record an allergy or adverse reaction; the review state becomes "recorded"."""
    locked = _lock_client(client)
    values = {k: v for k, v in data.items() if k in ALLERGY_FIELDS}
    allergy = Allergy(client=locked, recorded_by=acting_user, **values)
    allergy.substance = (allergy.substance or "").strip()
    if not allergy.substance:
        raise ValidationError({"substance": gettext("Name the substance.")})
    allergy.full_clean()
    allergy.save()
    audit_log(user=acting_user, action=AuditAction.CREATE, client=locked, obj=allergy)
    _set_review(locked, AllergyReview.RECORDED, acting_user)
    _copy_review(locked, client)
    return allergy


def _copy_review(source: Client, target: Client) -> None:
    """Keep the caller's client instance in step with the row just written."""
    if target is not source and isinstance(target, Client):
        for name in ("allergy_review", "allergy_reviewed_at", "allergy_reviewed_by_id"):
            setattr(target, name, getattr(source, name))


@transaction.atomic
def allergy_update(
    *, allergy: Allergy, acting_user: User, data: dict, expected: Expected | None = None
) -> Allergy:
    """Correct what the allergy is (substance, reaction, severity …); its status moves separately."""
    allergy = Allergy.objects.select_for_update().get(pk=allergy.pk)
    require_unchanged(allergy, expected)
    if allergy.status == AllergyStatus.ENTERED_IN_ERROR:
        raise DomainError(gettext("An allergy entered in error cannot be edited; record it again instead."))
    changed = [f for f in ALLERGY_FIELDS if f in data and getattr(allergy, f) != data[f]]
    for field in changed:
        setattr(allergy, field, data[field])
    if "substance" in changed:
        allergy.substance = allergy.substance.strip()
        if not allergy.substance:
            raise ValidationError({"substance": gettext("Name the substance.")})
    allergy.full_clean()
    if changed:
        allergy.save(update_fields=[*changed, "updated_at"])
        audit_log(
            user=acting_user,
            action=AuditAction.CHANGE,
            client=allergy.client_id,
            obj=allergy,
            changed_fields=changed,
        )
    return allergy


@transaction.atomic
def allergy_set_status(*, allergy: Allergy, status: str, acting_user: User, reason: str = "") -> Allergy:
    """No longer applies / applies again / entered in error (with a reason), along ``ALLERGY_STATES``;
    then the review state follows (module docstring)."""
    if status not in AllergyStatus.values:
        raise DomainError(
            gettext("'%(status)s' is not an allergy status.") % {"status": status}, field="status"
        )
    client = _lock_client(allergy.client_id)
    previous = allergy.status
    ALLERGY_STATES.check(previous, status)
    reason = (reason or "").strip()[:REASON_MAX_LENGTH]
    if status in REASON_REQUIRED and not reason:
        raise DomainError(gettext("Say what was wrong with this entry."), field="reason")
    ALLERGY_STATES.move(allergy, status, also={"status_reason": reason, "updated_at": timezone.now()})
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=client,
        obj=allergy,
        changed_fields=["status", "status_reason"],
        detail={"from": previous, "status": status},
        reason=reason,
    )
    if status == AllergyStatus.ACTIVE and client.allergy_review != AllergyReview.RECORDED:
        _set_review(client, AllergyReview.RECORDED, acting_user)
    elif status == AllergyStatus.ENTERED_IN_ERROR and client.allergy_review == AllergyReview.RECORDED:
        remaining = Allergy.objects.filter(client=client).exclude(status=AllergyStatus.ENTERED_IN_ERROR)
        if not remaining.exists():
            _set_review(client, AllergyReview.NOT_ASKED, acting_user)
    return allergy


@transaction.atomic
def allergy_record_none_known(*, client: Client, acting_user: User) -> Client:
    """The client says they have no known allergies (asked again, the date moves on). Refused while an
    active allergy is on the chart: mark it "no longer applies" or "entered in error" first."""
    locked = _lock_client(client)
    if Allergy.objects.filter(client=locked, status=AllergyStatus.ACTIVE).exists():
        raise DomainError(
            gettext(
                'An active allergy is on the chart, so "no known allergies" would contradict it. '
                'Mark that allergy "no longer applies" or "entered in error" first.'
            )
        )
    _set_review(locked, AllergyReview.NO_KNOWN_ALLERGIES, acting_user)
    _copy_review(locked, client)
    return locked
