"""State changes of the client record. Each validates, writes and audits in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from careteam.audit import audit_log, changed_field_names, snapshot
from careteam.concurrency import Expected, require_unchanged
from careteam.errors import DomainError
from careteam.models import DEFAULT_CASE_ROLE, AuditAction, User
from careteam.services import assignment_start

from .consents.services import consent_record
from .models import Client, ConsentKind, SupportivePerson

# The fields a person edits on the intake and edit forms (and the API).
CLIENT_EDITABLE_FIELDS = (
    "legal_first_name",
    "legal_last_name",
    "preferred_name",
    "pronouns",
    "date_of_birth",
    "sex_at_birth",
    "gender_identity",
    "preferred_language",
    "interpreter_needed",
    "phone",
    "email",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "preferred_channel",
    "may_leave_voicemail",
    "quiet_hours_start",
    "quiet_hours_end",
    "time_zone",
    "status",
    "referred_on",
    "admitted_on",
    "discharged_on",
    "discharge_reason",
    "asam_edition",
    "asam_level",
    "primary_team",
)

SUPPORTIVE_PERSON_FIELDS = ("name", "relationship", "phone", "may_be_contacted", "involved_in_care", "notes")


def _record_number(pk: int) -> str:
    return f"CT-{pk:07d}"


@transaction.atomic
def client_create(*, acting_user: User, data: dict) -> Client:
    """Open a new record. The person who opens it joins the care team in their usual case role.

    ``data["text_consent"]``: how the client agreed to texts at intake (a ``SignatureMethod``), or
    empty. When given, a text-messaging consent is recorded with the record, through the consent
    service — the consent is the only switch for texting (``Client.text_consent_on_file``).
    """
    text_consent = str(data.get("text_consent") or "")
    client = Client(**{k: v for k, v in data.items() if k in CLIENT_EDITABLE_FIELDS}, created_by=acting_user)
    client._text_consent_at_intake = bool(text_consent)
    client.full_clean(exclude=["record_number"])
    client.save()
    client.record_number = _record_number(client.pk)
    client.save(update_fields=["record_number"])
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=client,
        changed_fields=[k for k in data if k in CLIENT_EDITABLE_FIELDS],
    )
    if text_consent:
        consent_record(
            client=client,
            acting_user=acting_user,
            data={
                "kind": ConsentKind.TEXT_MESSAGING,
                "signed_on": timezone.localdate(),
                "signature_method": text_consent,
                "purpose": "Texts from the care team (given at intake)",
            },
        )
    client._text_consent_at_intake = False
    case_role = DEFAULT_CASE_ROLE.get(acting_user.primary_role)
    if case_role is not None:
        assignment_start(client=client, staff=acting_user, role=case_role, acting_user=acting_user)
    return client


@transaction.atomic
def client_update(
    *, client: Client, acting_user: User, data: dict, expected: Expected | None = None
) -> Client:
    """Change fields of the record; the audit row names the fields that changed (never their values).
    ``expected``: the version the editor started from; a stale one raises ``StaleEditError``."""
    # Re-read under a row lock: the caller's instance may already carry the new values
    # (a bound ModelForm writes onto it), and two editors must not silently overwrite each other.
    client = Client.objects.select_for_update().get(pk=client.pk)
    require_unchanged(client, expected)
    fields = [k for k in data if k in CLIENT_EDITABLE_FIELDS]
    before = snapshot(client, fields)
    for field in fields:
        setattr(client, field, data[field])
    client.full_clean(exclude=["record_number"])
    changed = changed_field_names(client, before, fields)
    if not changed:
        return client
    client.save(update_fields=[*changed, "updated_at"])
    audit_log(user=acting_user, action=AuditAction.CHANGE, client=client, obj=client, changed_fields=changed)
    return client


@transaction.atomic
def client_archive(*, client: Client, acting_user: User, reason: str) -> Client:
    """Hide a record entered in error. Nothing is deleted; admins can still read it."""
    if client.archived_at is not None:
        raise DomainError("This record is already archived.")
    if not reason.strip():
        raise DomainError("Say why the record is being archived.", field="reason")
    client.archived_at = timezone.now()
    client.archive_reason = reason.strip()
    client.save(update_fields=["archived_at", "archive_reason", "updated_at"])
    audit_log(
        user=acting_user,
        action=AuditAction.DELETE,
        client=client,
        obj=client,
        changed_fields=["archived_at", "archive_reason"],
        reason=reason,
    )
    return client


@transaction.atomic
def supportive_person_create(*, client: Client, acting_user: User, data: dict) -> SupportivePerson:
    person = SupportivePerson(
        client=client, **{k: v for k, v in data.items() if k in SUPPORTIVE_PERSON_FIELDS}
    )
    person.full_clean()
    person.save()
    audit_log(
        user=acting_user, action=AuditAction.CREATE, client=client, obj=person, changed_fields=list(data)
    )
    return person


@transaction.atomic
def supportive_person_update(
    *, person: SupportivePerson, acting_user: User, data: dict, expected: Expected | None = None
) -> SupportivePerson:
    person = SupportivePerson.objects.select_for_update().get(pk=person.pk)
    require_unchanged(person, expected)
    fields = [k for k in data if k in SUPPORTIVE_PERSON_FIELDS]
    before = snapshot(person, fields)
    for field in fields:
        setattr(person, field, data[field])
    person.full_clean()
    changed = changed_field_names(person, before, fields)
    if changed:
        person.save(update_fields=changed)
        audit_log(
            user=acting_user,
            action=AuditAction.CHANGE,
            client=person.client_id,
            obj=person,
            changed_fields=changed,
        )
    return person


@transaction.atomic
def supportive_person_archive(*, person: SupportivePerson, acting_user: User) -> SupportivePerson:
    if person.archived_at is None:
        person.archived_at = timezone.now()
        person.save(update_fields=["archived_at"])
        audit_log(
            user=acting_user,
            action=AuditAction.DELETE,
            client=person.client_id,
            obj=person,
            changed_fields=["archived_at"],
        )
    return person
