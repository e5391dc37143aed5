"""Reads of appointments and session notes, already scoped to what the user may see.

Notes follow three rules on top of the care team: the role must read notes
(peer specialists never do — minimum necessary, 45 CFR 164.502(b)); a
restricted note (psychotherapy note, 45 CFR 164.501 / 164.508(a)(2)) is seen
only by its author and the supervisors of a team the author belongs to; and
a restricted note is *hidden* from everybody else rather than shown as
"Restricted note by X" — the existence, date and author of a psychotherapy
session is itself sensitive, and a placeholder would invite requests for it.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from careteam import access
from careteam.minimum_necessary import Section, section_can_see
from careteam.models import Task, TaskKind, TaskStatus, Team, User
from careteam.timezones import user_time_zone, user_today
from clients.models import Appointment, AppointmentStatus, Client, EncounterNote, NoteAddendum, NoteStatus

from .states import appointment_moves_offered

NOTES_TO_SIGN_DAYS = 14
# The task a note returned to its author leaves them (``services.note_return_to_author``); the note
# itself stays signed (the note table has no "returned" status): the author answers with an addendum.
RETURNED_NOTE_TASK_KIND = TaskKind.NOTE_RETURNED
TODAY_LIMIT = 20


def appointments_can_read(user: User) -> bool:
    """The role reads appointments (every care-team role does, peers included: they accompany them)."""
    return user.is_authenticated and user.has_perm("clients.view_appointment")


def notes_can_read(user: User) -> bool:
    """The role reads session notes and may see note text (``careteam.minimum_necessary``: peer
    specialists never do)."""
    return (
        user.is_authenticated
        and user.has_perm("clients.view_encounternote")
        and section_can_see(user, Section.NOTE_TEXT)
    )


def appointments_can_change(user: User) -> bool:
    """The role reschedules, cancels and records attendance on the appointments it may read.

    Which clients follows the view: a view-only place on the care team is enough (peer specialists,
    on a client's team to accompany them, book and move appointments too), so the change pages ask
    this and ``ChartMixin``'s view access, and the tab shows the buttons on the same answer.
    """
    return user.is_authenticated and user.has_perm("clients.change_appointment")


def notes_can_write(user: User, client: Client | None = None) -> bool:
    """Writes session notes: the role reads and adds notes and, given a client, the user may change
    that client's record (a view-only place on the care team writes none). Without a client: the
    role alone (the Today page's "notes to sign")."""
    if not (notes_can_read(user) and user.has_perm("clients.add_encounternote")):
        return False
    return client is None or access.client_can_access(user, client, access.CHANGE)


def notes_can_change(user: User, client: Client) -> bool:
    """Edits a draft note of this client: the role reads and changes notes and the user may change the
    client's record (who may edit which draft — its author — is the service's rule)."""
    return (
        notes_can_read(user)
        and user.has_perm("clients.change_encounternote")
        and access.client_can_access(user, client, access.CHANGE)
    )


def addenda_can_add(user: User) -> bool:
    """The role adds addenda to signed notes it may read (the correction of a locked note)."""
    return user.is_authenticated and user.has_perm("clients.add_noteaddendum")


def notes_can_cosign(user: User) -> bool:
    """Holds the co-sign permission and supervises at least one team (the co-sign queue is theirs)."""
    return (
        user.is_authenticated
        and user.has_perm("clients.cosign_encounternote")
        and Team.supervisors.through.objects.filter(user=user).exists()
    )


def supervises_author(user: User, author: User) -> bool:
    """Whether ``user`` supervises a team ``author`` is a member of."""
    return Team.objects.filter(members=author, supervisors=user).exists()


def notes_can_cosign_for(user: User, author: User) -> bool:
    """Co-signs ``author``'s notes: holds the co-sign permission, supervises a team of the author's,
    and is not the author."""
    return (
        user.pk != author.pk
        and user.has_perm("clients.cosign_encounternote")
        and supervises_author(user, author)
    )


def restricted_visible_q(user: User) -> Q:
    """Unrestricted notes, or restricted ones the user wrote or supervises the author of."""
    supervised_author = Team.members.through.objects.filter(
        user_id=OuterRef("author_id"), team__supervisors=user
    )
    return Q(restricted=False) | Q(author=user) | Q(Exists(supervised_author))


def appointment_list_for_user(user: User) -> QuerySet[Appointment]:
    """Appointments of the clients the user may see (model permission from the role). A role that may
    not see other people's appointments (peer specialists: ``Section.OTHER_APPOINTMENTS``, minimum
    necessary, 45 CFR 164.514(d)) sees only those it accompanies — a list of the client's attended
    counselling sessions is treatment history."""
    if not appointments_can_read(user):
        return Appointment.objects.none()
    qs = Appointment.objects.filter(client__in=access.clients_visible_to(user).values("pk"))
    if not section_can_see(user, Section.OTHER_APPOINTMENTS):
        qs = qs.filter(staff=user)
    return qs.select_related("client", "staff")


def appointment_get_for_user(user: User, pk, *, client_pk=None) -> Appointment:
    qs = appointment_list_for_user(user)
    if client_pk is not None:
        qs = qs.filter(client_id=client_pk)
    try:
        return qs.get(pk=pk)
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such appointment.") from None


def note_list_for_user(user: User, *, all_restricted: bool = False) -> QuerySet[EncounterNote]:
    """Notes the user may read. ``all_restricted`` lifts the restricted-note rule (superusers in admin)."""
    if not notes_can_read(user):
        return EncounterNote.objects.none()
    qs = EncounterNote.objects.filter(client__in=access.clients_visible_to(user).values("pk"))
    if not all_restricted:
        qs = qs.filter(restricted_visible_q(user))
    return qs.select_related("client", "author", "signed_by", "cosigned_by", "appointment")


def note_get_for_user(user: User, pk, *, client_pk=None) -> EncounterNote:
    qs = note_list_for_user(user)
    if client_pk is not None:
        qs = qs.filter(client_id=client_pk)
    try:
        return qs.get(pk=pk)
    except (EncounterNote.DoesNotExist, ValueError, TypeError):
        raise Http404("No such note.") from None


def addenda_for_note(note: EncounterNote) -> QuerySet[NoteAddendum]:
    return note.addenda.select_related("author").order_by("created_at", "id")


def cosign_queue_for_user(user: User) -> QuerySet[EncounterNote]:
    """Signed notes waiting for this supervisor's co-signature: authors on teams they supervise."""
    if not notes_can_cosign(user):
        return EncounterNote.objects.none()
    supervised_members = Team.members.through.objects.filter(team__supervisors=user).values("user_id")
    return (
        note_list_for_user(user)
        .filter(
            status=NoteStatus.SIGNED,
            requires_cosign=True,
            cosigned_at__isnull=True,
            author_id__in=supervised_members,
        )
        .exclude(author=user)
        .order_by("signed_at", "id")
    )


def returned_note_tasks(notes) -> dict[int, list]:
    """The open "returned to author" tasks of ``notes`` (``services.note_return_to_author``), by note
    id, oldest first: one query for the whole list."""
    ids = {str(n.pk): n.pk for n in notes}
    if not ids:
        return {}
    found: dict[int, list] = {}
    tasks = Task.objects.filter(
        kind=RETURNED_NOTE_TASK_KIND,
        status=TaskStatus.OPEN,
        source_type=EncounterNote._meta.label_lower,
        source_id__in=list(ids),
    ).order_by("created_at", "id")
    for task in tasks:
        found.setdefault(ids[task.source_id], []).append(task)
    return found


def _with_note_flags(qs: QuerySet[Appointment], user: User) -> QuerySet[Appointment]:
    """Each appointment with ``has_note`` (any note) and ``visible_note_id`` (one the user may read)."""
    any_note = EncounterNote.objects.filter(appointment=OuterRef("pk"))
    qs = qs.annotate(has_note=Exists(any_note))
    if notes_can_read(user):
        readable = note_list_for_user(user).filter(appointment=OuterRef("pk")).values("pk")[:1]
        qs = qs.annotate(visible_note_id=Subquery(readable))
    return qs


def _with_moves(rows: list[Appointment], user: User) -> list[Appointment]:
    """Hang on each loaded row the moves its page offers (``states.appointment_moves_offered``: the
    status table less what the service would refuse), as ``can_mark_attended``, ``can_mark_no_show``,
    ``can_cancel`` and ``can_reschedule``; a scheduled row that has not started yet carries
    ``attendance_opens_at`` (its start: attendance is not recorded before it), so the page says when
    the buttons will come. Python over the rows already read: no query per row."""
    now = timezone.now()
    for a in rows:
        moves = appointment_moves_offered(a, user, now=now)
        a.can_mark_attended = AppointmentStatus.ATTENDED in moves
        a.can_mark_no_show = AppointmentStatus.NO_SHOW in moves
        not_started = a.status == AppointmentStatus.SCHEDULED and a.starts_at > now
        a.attendance_opens_at = a.starts_at if not_started else None
        a.can_cancel = bool(moves & {AppointmentStatus.CANCELLED_CLIENT, AppointmentStatus.CANCELLED_PROGRAM})
        a.can_reschedule = AppointmentStatus.RESCHEDULED in moves
    return rows


def appointment_row_for_user(user: User, pk) -> Appointment:
    """One appointment as its row on a page shows it (note flags and the moves offered), e.g. after an
    htmx click; 404 when not visible."""
    try:
        row = _with_note_flags(appointment_list_for_user(user), user).get(pk=pk)
    except (Appointment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such appointment.") from None
    return _with_moves([row], user)[0]


def client_appointments(user: User, client: Client, *, limit: int = 50) -> tuple[list, list]:
    """(upcoming scheduled, past or closed) appointments of one client, newest past first, bounded."""
    now = timezone.now()
    qs = _with_note_flags(appointment_list_for_user(user).filter(client=client), user)
    upcoming = list(
        qs.filter(status=AppointmentStatus.SCHEDULED, starts_at__gte=now).order_by("starts_at")[:limit]
    )
    past = list(
        qs.exclude(status=AppointmentStatus.SCHEDULED, starts_at__gte=now).order_by("-starts_at", "-id")[
            :limit
        ]
    )
    return _with_moves(upcoming, user), _with_moves(past, user)


def client_notes(user: User, client: Client, *, limit: int = 50) -> list[EncounterNote]:
    return list(note_list_for_user(user).filter(client=client).order_by("-created_at", "-id")[:limit])


def day_bounds(user: User, day: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """Midnight to midnight of ``day`` (default today) in the user's time zone."""
    tz = user_time_zone(user)
    day = day or user_today(user)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def todays_appointments_for_user(user: User) -> list[Appointment]:
    """The user's own appointments today in their time zone (bounded)."""
    start, end = day_bounds(user)
    rows = list(
        _with_note_flags(appointment_list_for_user(user), user)
        .filter(staff=user, starts_at__gte=start, starts_at__lt=end)
        .exclude(status=AppointmentStatus.RESCHEDULED)
        .order_by("starts_at", "id")[:TODAY_LIMIT]
    )
    return _with_moves(rows, user)


def notes_to_sign_for_user(user: User) -> tuple[list[EncounterNote], list[Appointment]]:
    """The user's draft notes, and their attended appointments of the last 14 days with no note."""
    if not notes_can_write(user):
        return [], []
    drafts = list(
        note_list_for_user(user)
        .filter(author=user, status=NoteStatus.DRAFT)
        .order_by("created_at")[:TODAY_LIMIT]
    )
    since, _ = day_bounds(user, user_today(user) - dt.timedelta(days=NOTES_TO_SIGN_DAYS))
    unwritten = list(
        appointment_list_for_user(user)
        .filter(staff=user, status=AppointmentStatus.ATTENDED, starts_at__gte=since)
        .exclude(Exists(EncounterNote.objects.filter(appointment=OuterRef("pk"))))
        .order_by("-starts_at")[:TODAY_LIMIT]
    )
    return drafts, unwritten
