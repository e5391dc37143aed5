"""State changes of appointments and session notes: schedule, move through the status table, write,
sign, co-sign and amend notes. Each validates, writes and audits in one transaction."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from careteam import access
from careteam.audit import audit_log, changed_field_names, snapshot
from careteam.concurrency import Expected, require_unchanged
from careteam.errors import DomainError
from careteam.models import AuditAction, Task, TaskKind, Team, User
from careteam.services import task_create, tasks_close_for_source
from careteam.timezones import user_time_zone
from clients.models import (
    Appointment,
    AppointmentStatus,
    Client,
    EncounterNote,
    NoteAddendum,
    NoteFormat,
    NoteStatus,
)

from .selectors import RETURNED_NOTE_TASK_KIND, notes_can_cosign_for
from .states import APPOINTMENT_STATES, CORRECTIONS, NOTE_STATES, appointment_move_refusal

S = AppointmentStatus

# Longest appointment we accept (a full-day intensive outpatient block); bounds the clash search.
MAX_DURATION_MINUTES = 12 * 60
APPOINTMENT_LOGISTICS_FIELDS = ("kind", "duration_minutes", "location", "telehealth_url", "notes")

# The sections each note format carries.
NOTE_SECTIONS: dict[str, tuple[str, ...]] = {
    NoteFormat.DAP: ("data", "assessment", "plan"),
    NoteFormat.SOAP: ("subjective", "objective", "assessment", "plan"),
}
ALL_SECTIONS = ("subjective", "objective", "data", "assessment", "plan")
NOTE_EDITABLE_FIELDS = ("format", *ALL_SECTIONS, "minutes_spent", "restricted")


class DoubleBookingError(DomainError):
    """The staff member already has a scheduled appointment at that time; the caller may override."""

    def __init__(self, clashes: list[Appointment], tz: zoneinfo.ZoneInfo):
        self.clashes = clashes
        described = "; ".join(
            f"{a.get_kind_display()} with {a.client.display_name} "
            f"{a.starts_at.astimezone(tz):%a %b %-d, %-I:%M %p} to {a.ends_at.astimezone(tz):%-I:%M %p}"
            for a in clashes
        )
        super().__init__(
            f"{clashes[0].staff} is already booked then: {described}. Tick “book anyway” to double-book.",
            field="book_anyway",
        )


def appointment_clashes(
    *, staff: User, starts_at: dt.datetime, duration_minutes: int, exclude_pk: int | None = None
) -> list[Appointment]:
    """Scheduled appointments of ``staff`` that overlap [starts_at, starts_at + duration).

    One query: candidates start within the longest possible appointment before the new end.
    """
    ends_at = starts_at + dt.timedelta(minutes=duration_minutes)
    candidates = Appointment.objects.filter(
        staff=staff,
        status=S.SCHEDULED,
        starts_at__lt=ends_at,
        starts_at__gt=starts_at - dt.timedelta(minutes=MAX_DURATION_MINUTES),
    ).select_related("client", "staff")
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    return [a for a in candidates if a.ends_at > starts_at]


def _check_staff(client: Client, staff: User) -> None:
    if not staff.is_active:
        raise DomainError(f"{staff} is not an active user.", field="staff")
    if not access.client_can_access(staff, client):
        raise DomainError(f"{staff} is not on {client.display_name}'s care team or team.", field="staff")


def _check_slot(
    *,
    staff: User,
    starts_at: dt.datetime,
    duration_minutes: int,
    allow_double_booking: bool,
    acting_user: User | None,
    exclude_pk: int | None = None,
) -> list[Appointment]:
    if not 5 <= duration_minutes <= MAX_DURATION_MINUTES:
        raise DomainError(
            f"An appointment lasts between 5 and {MAX_DURATION_MINUTES} minutes.", field="duration_minutes"
        )
    clashes = appointment_clashes(
        staff=staff, starts_at=starts_at, duration_minutes=duration_minutes, exclude_pk=exclude_pk
    )
    if clashes and not allow_double_booking:
        raise DoubleBookingError(clashes, user_time_zone(acting_user))
    return clashes


@transaction.atomic
def appointment_schedule(
    *,
    client: Client,
    staff: User,
    kind: str,
    starts_at: dt.datetime,
    duration_minutes: int,
    acting_user: User | None,
    location: str = "",
    telehealth_url: str = "",
    notes: str = "",
    allow_double_booking: bool = False,
) -> Appointment:
    """Book an appointment. A clash with the staff member's other scheduled appointments is refused
    (``DoubleBookingError``) unless the caller explicitly allows the double booking."""
    if timezone.is_naive(starts_at):
        raise DomainError("The start time needs a time zone.", field="starts_at")
    if not (location or telehealth_url):
        raise DomainError("Say where it happens: a place or a telehealth link.", field="location")
    _check_staff(client, staff)
    clashes = _check_slot(
        staff=staff,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        allow_double_booking=allow_double_booking,
        acting_user=acting_user,
    )
    appointment = Appointment(
        client=client,
        staff=staff,
        kind=kind,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location,
        telehealth_url=telehealth_url,
        notes=notes,
        created_by=acting_user,
    )
    appointment.full_clean(exclude=["rescheduled_to"])
    appointment.save()
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=appointment,
        detail={"double_booked_with": [a.pk for a in clashes]} if clashes else None,
    )
    return appointment


@transaction.atomic
def appointment_update(
    *, appointment: Appointment, acting_user: User | None, data: dict, expected: Expected | None = None
) -> Appointment:
    """Change the logistics of a scheduled appointment (kind, length, place, link, notes).
    A new time is a reschedule (``appointment_reschedule``), so the history keeps both.
    ``expected``: the version the editor started from; a stale one raises ``StaleEditError``."""
    appointment = (
        Appointment.objects.select_for_update().select_related("client", "staff").get(pk=appointment.pk)
    )
    if appointment.status != S.SCHEDULED:
        raise DomainError(
            f"This appointment is {appointment.get_status_display().lower()}; only scheduled ones change."
        )
    require_unchanged(appointment, expected)
    fields = [f for f in APPOINTMENT_LOGISTICS_FIELDS if f in data]
    before = snapshot(appointment, fields)
    for name in fields:
        setattr(appointment, name, data[name])
    if not (appointment.location or appointment.telehealth_url):
        raise DomainError("Say where it happens: a place or a telehealth link.", field="location")
    if "duration_minutes" in fields and before["duration_minutes"] != appointment.duration_minutes:
        _check_slot(
            staff=appointment.staff,
            starts_at=appointment.starts_at,
            duration_minutes=appointment.duration_minutes,
            allow_double_booking=bool(data.get("allow_double_booking")),
            acting_user=acting_user,
            exclude_pk=appointment.pk,
        )
    appointment.full_clean(exclude=["rescheduled_to"])
    changed = changed_field_names(appointment, before, fields)
    if changed:
        appointment.save(update_fields=changed)
        audit_log(
            user=acting_user,
            action=AuditAction.CHANGE,
            client=appointment.client,
            obj=appointment,
            changed_fields=changed,
        )
    return appointment


def _move(appointment: Appointment, to: str, acting_user: User | None) -> tuple[Appointment, str]:
    """Lock the row and check the move against ``APPOINTMENT_STATES`` and the service's own rules on
    top of it (same-day corrections, attendance not before the day); returns (row, previous status).
    The row is locked, so the table check is enough: no one can move it between check and write."""
    appointment = (
        Appointment.objects.select_for_update().select_related("client", "staff").get(pk=appointment.pk)
    )
    current = appointment.status
    APPOINTMENT_STATES.check(current, to)
    refusal = appointment_move_refusal(
        current=current,
        to=to,
        starts_at=appointment.starts_at,
        status_changed_at=appointment.status_changed_at,
        # Only a correction to no-show asks about a note: query for it then only.
        has_note=(current, to) in CORRECTIONS
        and to == S.NO_SHOW
        and EncounterNote.objects.filter(appointment=appointment).exists(),
        user=acting_user,
    )
    if refusal:
        raise DomainError(refusal, field="status")
    return appointment, current


def _save_status(appointment: Appointment, to: str, acting_user: User | None, previous: str, reason: str):
    also = {"status_changed_at": timezone.now(), "status_changed_by": acting_user}
    if to == S.RESCHEDULED:
        also["rescheduled_to"] = appointment.rescheduled_to
    APPOINTMENT_STATES.move(appointment, to, also=also)
    fields = ["status", *also]
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=appointment.client,
        obj=appointment,
        changed_fields=fields,
        reason=reason,
        detail={"from": previous, "to": to},
    )


@transaction.atomic
def appointment_set_status(
    *, appointment: Appointment, status: str, acting_user: User | None, reason: str = ""
) -> Appointment:
    """Move an appointment along the status table: attended, no-show or cancelled (one click).
    Rescheduling makes a new appointment, so it goes through ``appointment_reschedule``."""
    if status == S.RESCHEDULED:
        raise DomainError("Reschedule by choosing the new time.", field="status")
    if status not in S.values:
        raise DomainError(f"“{status}” is not an appointment status.", field="status")
    appointment, previous = _move(appointment, status, acting_user)
    _save_status(appointment, status, acting_user, previous, reason)
    return appointment


def appointment_mark_attended(*, appointment: Appointment, acting_user: User | None) -> Appointment:
    return appointment_set_status(appointment=appointment, status=S.ATTENDED, acting_user=acting_user)


def appointment_mark_no_show(*, appointment: Appointment, acting_user: User | None) -> Appointment:
    return appointment_set_status(appointment=appointment, status=S.NO_SHOW, acting_user=acting_user)


def appointment_cancel(
    *, appointment: Appointment, by_client: bool, acting_user: User | None, reason: str = ""
) -> Appointment:
    """Cancel a scheduled appointment, by the client or by the program."""
    status = S.CANCELLED_CLIENT if by_client else S.CANCELLED_PROGRAM
    return appointment_set_status(
        appointment=appointment, status=status, acting_user=acting_user, reason=reason
    )


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    starts_at: dt.datetime,
    acting_user: User | None,
    duration_minutes: int | None = None,
    staff: User | None = None,
    allow_double_booking: bool = False,
    reason: str = "",
) -> Appointment:
    """Book the new time and mark the old appointment ``rescheduled``, pointing at the new one."""
    appointment, previous = _move(appointment, S.RESCHEDULED, acting_user)
    new = appointment_schedule(
        client=appointment.client,
        staff=staff or appointment.staff,
        kind=appointment.kind,
        starts_at=starts_at,
        duration_minutes=duration_minutes or appointment.duration_minutes,
        location=appointment.location,
        telehealth_url=appointment.telehealth_url,
        notes=appointment.notes,
        acting_user=acting_user,
        allow_double_booking=allow_double_booking,
    )
    appointment.rescheduled_to = new
    _save_status(appointment, S.RESCHEDULED, acting_user, previous, reason)
    return new


# --- Encounter notes ------------------------------------------------------------------------------


def _clean_sections(data: dict, note_format: str) -> dict:
    """Keep only the sections of the chosen format (the others are blanked, not silently kept)."""
    if note_format not in NOTE_SECTIONS:
        raise DomainError(f"“{note_format}” is not a note format.", field="format")
    cleaned = {k: v for k, v in data.items() if k in NOTE_EDITABLE_FIELDS}
    for section in ALL_SECTIONS:
        if section not in NOTE_SECTIONS[note_format]:
            cleaned[section] = ""
    return cleaned


def _refuse_if_locked(note: EncounterNote) -> None:
    if note.is_locked:
        raise DomainError(
            "This note is signed and locked; it cannot be edited. Add an addendum to correct or add to it."
        )


@transaction.atomic
def note_create(
    *,
    client: Client,
    acting_user: User,
    data: dict,
    appointment: Appointment | None = None,
) -> EncounterNote:
    """Start a draft note, on an attended appointment or (crisis and other work) on none."""
    if appointment is not None:
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.client_id != client.pk:
            raise DomainError("That appointment is for another client.", field="appointment")
        if appointment.status != S.ATTENDED:
            raise DomainError("A note is written on an attended appointment.", field="appointment")
        if EncounterNote.objects.filter(appointment=appointment).exists():
            raise DomainError("This appointment already has a note.", field="appointment")
    note_format = data.get("format") or NoteFormat.DAP
    note = EncounterNote(
        client=client,
        appointment=appointment,
        author=acting_user,
        **{**_clean_sections(data, note_format), "format": note_format},
    )
    note.full_clean()
    try:
        with transaction.atomic():
            note.save()
    except IntegrityError as exc:  # a second note raced onto the same appointment
        raise DomainError("This appointment already has a note.", field="appointment") from exc
    audit_log(
        user=acting_user,
        action=AuditAction.CREATE,
        client=client,
        obj=note,
        detail={"restricted": note.restricted},
    )
    return note


@transaction.atomic
def note_update(
    *, note: EncounterNote, acting_user: User, data: dict, expected: Expected | None = None
) -> EncounterNote:
    """Change a draft. A signed note is never edited (corrections are addenda): DomainError.
    ``expected``: the version the author started from (another tab, the API); a stale one raises
    ``StaleEditError``."""
    note = EncounterNote.objects.select_for_update().get(pk=note.pk)
    _refuse_if_locked(note)
    if note.author_id != acting_user.pk:
        raise DomainError("Only the author edits a draft note.")
    require_unchanged(note, expected)
    note_format = data.get("format") or note.format
    cleaned = {**_clean_sections(data, note_format), "format": note_format}
    fields = list(cleaned)
    before = snapshot(note, fields)
    for name, value in cleaned.items():
        setattr(note, name, value)
    note.full_clean()
    changed = changed_field_names(note, before, fields)
    if changed:
        note.save(update_fields=[*changed, "updated_at"])
        audit_log(
            user=acting_user,
            action=AuditAction.CHANGE,
            client=note.client_id,
            obj=note,
            changed_fields=changed,
        )
    return note


def _cosign_owner(author: User) -> tuple[User | None, Team | None]:
    """Who gets the co-sign task: the supervisor, when the author's teams have exactly one;
    otherwise the first such team, so any of its supervisors picks it up."""
    teams = list(Team.objects.filter(members=author, supervisors__isnull=False).distinct().order_by("name"))
    supervisors = list(
        User.objects.filter(supervised_teams__in=teams, is_active=True).exclude(pk=author.pk).distinct()
    )
    if len(supervisors) == 1:
        return supervisors[0], None
    return None, (teams[0] if teams else None)


@transaction.atomic
def note_sign(*, note: EncounterNote, acting_user: User) -> EncounterNote:
    """The author signs: the note is locked for good. If the author's notes need a co-signature,
    a task goes to their supervisor (once per note)."""
    note = EncounterNote.objects.select_for_update().select_related("client", "author").get(pk=note.pk)
    _refuse_if_locked(note)
    if note.author_id != acting_user.pk:
        raise DomainError("Only the author signs a note.")
    missing = [s for s in NOTE_SECTIONS[note.format] if not getattr(note, s).strip()]
    if missing:
        raise DomainError(
            "Complete every section before signing: " + ", ".join(missing) + ".", field=missing[0]
        )
    now = timezone.now()
    NOTE_STATES.move(
        note,
        NoteStatus.SIGNED,
        also={
            "signed_at": now,
            "signed_by": acting_user,
            "requires_cosign": acting_user.notes_require_cosign,
            "updated_at": now,
        },
    )
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=note.client,
        obj=note,
        changed_fields=["status", "signed_at", "signed_by", "requires_cosign"],
        detail={"signed": True},
    )
    if note.requires_cosign:
        assignee, team = _cosign_owner(note.author)
        if assignee is None and team is None:
            raise DomainError(
                f"{note.author}'s notes need a co-signature but no supervisor is set for their team."
            )
        task_create(
            kind=TaskKind.COSIGN_NOTE,
            title=f"Co-sign {note.author}'s note for {note.client.display_name}",
            acting_user=acting_user,
            assignee=assignee,
            team=team,
            client=note.client,
            source=note,
            dedupe_key=f"cosign_note:{note.pk}",
        )
    return note


@transaction.atomic
def note_cosign(*, note: EncounterNote, acting_user: User) -> EncounterNote:
    """A supervisor of the author co-signs a signed note; the co-sign task closes."""
    note = EncounterNote.objects.select_for_update().select_related("author").get(pk=note.pk)
    if note.status != NoteStatus.SIGNED or not note.requires_cosign:
        raise DomainError("This note is not waiting for a co-signature.")
    if note.cosigned_at is not None:
        raise DomainError(f"This note was already co-signed by {note.cosigned_by}.")
    if not notes_can_cosign_for(acting_user, note.author):
        raise DomainError("Only a supervisor of the author's team co-signs this note.")
    note.cosigned_at = timezone.now()
    note.cosigned_by = acting_user
    note.save(update_fields=["cosigned_at", "cosigned_by", "updated_at"])
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=note.client_id,
        obj=note,
        changed_fields=["cosigned_at", "cosigned_by"],
    )
    tasks_close_for_source(source=note, acting_user=acting_user, kind=TaskKind.COSIGN_NOTE)
    return note


@transaction.atomic
def note_return_to_author(*, note: EncounterNote, acting_user: User, comment: str) -> Task:
    """A supervisor sends a note waiting for co-signature back to its author with a comment.

    A signed note never goes back to draft (``states.NOTE_STATES``: it is locked for good), and the
    note table has no "returned" status, so the return is a task for the author carrying the comment,
    plus an audit row (the comment as its reason). The author answers with an addendum, which closes
    the task (``note_addendum_add``); the note stays in the co-sign queue until it is co-signed."""
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(gettext("Say what the author should change."), field="comment")
    note = EncounterNote.objects.select_for_update().select_related("author", "client").get(pk=note.pk)
    if note.status != NoteStatus.SIGNED or not note.requires_cosign or note.cosigned_at is not None:
        raise DomainError(gettext("This note is not waiting for a co-signature."))
    if not notes_can_cosign_for(acting_user, note.author):
        raise DomainError(gettext("Only a supervisor of the author's team returns this note."))
    task = task_create(
        kind=RETURNED_NOTE_TASK_KIND,
        title=gettext("Note returned by %(supervisor)s: %(client)s")
        % {"supervisor": acting_user, "client": note.client.display_name},
        detail=comment,
        acting_user=acting_user,
        assignee=note.author,
        client=note.client,
        source=note,
    )
    audit_log(
        user=acting_user,
        action=AuditAction.CHANGE,
        client=note.client,
        obj=note,
        reason=comment,
        detail={"returned_to_author": note.author_id, "task": task.pk},
    )
    return task


@transaction.atomic
def note_addendum_add(*, note: EncounterNote, acting_user: User, text: str) -> NoteAddendum:
    """Add a correction or addition to a signed note; the note itself stays as signed."""
    text = (text or "").strip()
    if not text:
        raise DomainError("Write the addendum.", field="text")
    if not note.is_locked:
        raise DomainError("This note is still a draft: edit it instead of adding an addendum.")
    addendum = NoteAddendum(note=note, author=acting_user, text=text)
    addendum.full_clean()
    addendum.save()
    audit_log(user=acting_user, action=AuditAction.CREATE, client=note.client_id, obj=addendum)
    if acting_user.pk == note.author_id:
        # The author's answer to a supervisor's return (``note_return_to_author``).
        tasks_close_for_source(source=note, acting_user=acting_user, kind=RETURNED_NOTE_TASK_KIND)
    return addendum
