"""Writes for measurement-based care: administering an instrument, loading licensed item text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from careteam import access
from careteam.audit import audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction, Task, TaskKind, TaskPriority, User
from careteam.services import task_create
from clients.models import AssessmentResponse, Client, Instrument

from . import scoring

# A risk screen after a positive PHQ-9 item 9 or a moderate/high C-SSRS screen is due the same day.
RISK_SCREEN_DUE = dt.timedelta(hours=24)


def _risk_screen_owner(client: Client, acting_user: User) -> User:
    return access.primary_counselor(client) or acting_user


@transaction.atomic
def assessment_administer(
    *,
    client: Client,
    instrument: Instrument,
    answers: Mapping,
    acting_user: User,
    administered_at: dt.datetime | None = None,
) -> AssessmentResponse:
    """Score ``answers`` with the instrument's rule, keep the response, and audit it.

    Raises ``ValidationError`` (one message per item key) for bad answers — nothing is saved.
    A suicide-risk flag (PHQ-9 item 9 >= 1, C-SSRS moderate or high) puts one urgent
    "complete a risk screen" task on the primary counselor's worklist (the person
    administering when there is none).
    """
    if not instrument.is_active:
        raise DomainError(f"{instrument} is retired and can no longer be administered.", field="instrument")
    now = timezone.now()
    administered_at = administered_at or now
    if administered_at > now + dt.timedelta(minutes=5):
        raise DomainError("An assessment cannot be dated in the future.", field="administered_at")
    result = scoring.score(instrument.scoring_rule, answers, sex_at_birth=client.sex_at_birth)
    response = AssessmentResponse.objects.create(
        client=client,
        instrument=instrument,
        instrument_version=instrument.version,
        answers={k: v for k, v in sorted(answers.items()) if v is not None and v != ""},
        total=result.total,
        band=result.band,
        flags=list(result.flags),
        scoring_note=result.note[:300],
        administered_by=acting_user,
        administered_at=administered_at,
    )
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=response,
        detail={"instrument": instrument.code},
    )
    if scoring.SUICIDE_RISK in result.flags:
        owner = _risk_screen_owner(client, acting_user)
        task_create(
            kind=TaskKind.RISK_SCREEN,
            title=f"Complete a risk screen with {client.display_name} ({instrument.name} flag)",
            detail=result.note
            or f"{instrument.name}: {scoring.band_label(instrument.scoring_rule, result.band)}.",
            acting_user=acting_user,
            assignee=owner,
            client=client,
            due_at=now + RISK_SCREEN_DUE,
            priority=TaskPriority.URGENT,
            source=response,
            dedupe_key=f"risk-screen:assessmentresponse:{response.pk}",
        )
    return response


def risk_screen_tasks_for(response: AssessmentResponse):
    """The risk-screen tasks a response raised (for tests and the response's page)."""
    return Task.objects.filter(
        kind=TaskKind.RISK_SCREEN, source_type="clients.assessmentresponse", source_id=str(response.pk)
    )


@transaction.atomic
def instrument_load_text(
    *, instrument: Instrument, texts: Mapping[str, str], acting_user: User | None, instructions: str = ""
) -> list[str]:
    """Put an organisation's licensed wording on a shipped instrument's items.

    Every item key must be given, and no other: a partial load would leave a
    form with unlabelled questions. Returns the keys whose text changed
    (empty when the same text was loaded before: loading is idempotent).
    """
    keys = [item["key"] for item in instrument.items]
    unknown = sorted(set(texts) - set(keys))
    missing = [k for k in keys if not str(texts.get(k) or "").strip()]
    if unknown:
        raise DomainError(
            f"{instrument.code} has no item(s) {', '.join(unknown)}; its items are {', '.join(keys)}."
        )
    if missing:
        raise DomainError(
            f"Text is missing for {instrument.code} item(s) {', '.join(missing)}; give every item's "
            f"text ({', '.join(keys)}) so the form is never partly worded."
        )
    changed = []
    items = []
    for item in instrument.items:
        text = str(texts[item["key"]]).strip()
        if item.get("text") != text:
            changed.append(item["key"])
        items.append({**item, "text": text})
    fields = []
    if changed:
        instrument.items = items
        fields.append("items")
    if instructions and instructions != instrument.instructions:
        instrument.instructions = instructions
        fields.append("instructions")
    if fields:
        instrument.save(update_fields=fields)
        audit_log(
            user=acting_user,
            action=AuditAction.CHANGE,
            obj=instrument,
            changed_fields=fields,
            detail={"items": changed},
        )
    return changed
