"""Pages for appointments and session notes: the chart tab, booking, attendance, notes, co-sign queue.

Every page loads the client through ``ChartMixin`` (404 when not visible), reads through the scoped
selectors and audits what it shows. Times are read and typed in the user's own time zone.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views import View
from django.views.generic import TemplateView

from careteam import access
from careteam.audit import audit_clients_listed, audit_log
from careteam.errors import DomainError
from careteam.models import AuditAction
from careteam.redirects import redirect_next_or
from careteam.timezones import user_time_zone, user_today
from clients.chart import note_panels_for
from clients.chart_views import ChartMixin, UserTimeZoneMixin, add_service_errors
from clients.models import AppointmentStatus, NoteFormat

from . import selectors, services
from .forms import AddendumForm, AppointmentForm, CancelForm, NoteForm, NoteReturnForm, RescheduleForm
from .services import NOTE_EDITABLE_FIELDS, DoubleBookingError


def _tab_url(client) -> str:
    return reverse("clients:encounters:tab", args=[client.pk])


def _note_url(note) -> str:
    return reverse("clients:encounters:note-detail", args=[note.client_id, note.pk])


def _show_clashes(form, exc: DoubleBookingError) -> None:
    form.add_error("book_anyway", exc.message)
    form.clashes = exc.clashes


class EncounterTabView(UserTimeZoneMixin, ChartMixin, TemplateView):
    """The chart's "Appointments & Notes" tab. Peer specialists see the appointments only."""

    audits_own_view = True  # audits its own VIEW/EXPORT row

    template_name = "clients/encounters/tab.html"
    tab = "encounters"

    def get(self, request, *args, **kwargs):
        user, client = request.user, self.client_record
        if not selectors.appointments_can_read(user):
            raise Http404("No such client.")
        upcoming, past = selectors.client_appointments(user, client)
        show_notes = selectors.notes_can_read(user)
        notes = selectors.client_notes(user, client) if show_notes else []
        audit_log(user=user, action=AuditAction.VIEW, client=client, obj=client, detail={"tab": "encounters"})
        ctx = self.chart_context(
            upcoming=upcoming,
            past=past,
            notes=notes,
            show_notes=show_notes,
            can_book=user.has_perm("clients.add_appointment"),
            can_change_appointments=selectors.appointments_can_change(user),
            can_write_notes=selectors.notes_can_write(user, client),
            today=user_today(user),
            user_tz=user_time_zone(user),
        )
        return self.render_to_response(ctx)


class AppointmentCreateView(UserTimeZoneMixin, ChartMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "clients.add_appointment"
    template_name = "clients/encounters/appointment_form.html"
    tab = "encounters"

    def form(self, data=None):
        return AppointmentForm(data, client=self.client_record, acting_user=self.request.user)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.chart_context(form=self.form(), title="Book an appointment"))

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appointment = services.appointment_schedule(
                    client=self.client_record,
                    staff=data["staff"],
                    kind=data["kind"],
                    starts_at=data["starts_at"],
                    duration_minutes=data["duration_minutes"],
                    location=data["location"],
                    telehealth_url=data["telehealth_url"],
                    notes=data["notes"],
                    acting_user=request.user,
                    allow_double_booking=data["book_anyway"],
                )
            except DoubleBookingError as exc:
                _show_clashes(form, exc)
            except (DomainError, ValidationError) as exc:
                add_service_errors(form, exc)
            else:
                local = timezone.localtime(appointment.starts_at)
                messages.success(request, f"Booked for {local:%a %b %-d at %-I:%M %p}.")
                return redirect(_tab_url(self.client_record))
        return self.render_to_response(self.chart_context(form=form, title="Book an appointment"), status=400)


class AppointmentMixin(UserTimeZoneMixin, ChartMixin):
    tab = "encounters"

    def get_appointment(self):
        return selectors.appointment_get_for_user(
            self.request.user, self.kwargs["appointment_pk"], client_pk=self.client_record.pk
        )


class AppointmentRescheduleView(AppointmentMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "clients.change_appointment"
    template_name = "clients/encounters/appointment_reschedule.html"

    def get(self, request, *args, **kwargs):
        appointment = self.get_appointment()
        form = RescheduleForm(
            initial={
                "starts_at": timezone.localtime(appointment.starts_at),
                "duration_minutes": appointment.duration_minutes,
            }
        )
        return self.render_to_response(self.chart_context(form=form, appointment=appointment))

    def post(self, request, *args, **kwargs):
        appointment = self.get_appointment()
        form = RescheduleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                new = services.appointment_reschedule(
                    appointment=appointment,
                    starts_at=data["starts_at"],
                    duration_minutes=data["duration_minutes"],
                    acting_user=request.user,
                    allow_double_booking=data["book_anyway"],
                    reason=data["reason"],
                )
            except DoubleBookingError as exc:
                _show_clashes(form, exc)
            except (DomainError, ValidationError) as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, f"Rescheduled to {timezone.localtime(new.starts_at):%a %b %-d at %-I:%M %p}."
                )
                return redirect(_tab_url(self.client_record))
        return self.render_to_response(self.chart_context(form=form, appointment=appointment), status=400)


class AppointmentCancelView(AppointmentMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "clients.change_appointment"
    template_name = "clients/encounters/appointment_cancel.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(
            self.chart_context(form=CancelForm(), appointment=self.get_appointment())
        )

    def post(self, request, *args, **kwargs):
        appointment = self.get_appointment()
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                services.appointment_cancel(
                    appointment=appointment,
                    by_client=form.cleaned_data["by"] == "client",
                    acting_user=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Appointment cancelled.")
                return redirect(_tab_url(self.client_record))
        return self.render_to_response(self.chart_context(form=form, appointment=appointment), status=400)


class AppointmentStatusView(AppointmentMixin, PermissionRequiredMixin, View):
    """One-click attendance (POST ``status`` = attended | no_show). htmx swaps the row; without
    JavaScript the form posts and the page redirects back with a message."""

    permission_required = "clients.change_appointment"
    ROWS = {"today": "clients/encounters/_today_row.html", "tab": "clients/encounters/_appointment_row.html"}

    def post(self, request, *args, **kwargs):
        appointment = self.get_appointment()
        status = request.POST.get("status", "")
        error = ""
        if status not in (AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW):
            error = gettext("Choose attended or no-show.")
        else:
            try:
                appointment = services.appointment_set_status(
                    appointment=appointment, status=status, acting_user=request.user
                )
            except DomainError as exc:
                error = exc.message
        if request.htmx:
            appointment = selectors.appointment_row_for_user(request.user, appointment.pk)
            row = self.ROWS.get(request.POST.get("row", ""), self.ROWS["tab"])
            ctx = {
                "a": appointment,
                "row_error": error,
                "client": self.client_record,
                "today": user_today(request.user),
                "can_change": True,
                "show_notes": selectors.notes_can_read(request.user),
                "can_write_notes": selectors.notes_can_write(request.user, self.client_record),
                "user_tz": user_time_zone(request.user),
                "next_url": request.POST.get("next", ""),
            }
            # htmx swaps only 2xx answers: a refused move comes back as the row with its message.
            return render(request, row, ctx)
        if error:
            messages.error(request, error)
        else:
            messages.success(
                request,
                gettext("Marked %(status)s. A mistake can be corrected from its row today.")
                % {"status": appointment.get_status_display().lower()},
            )
        return redirect_next_or(request, _tab_url(self.client_record))


# --- notes ------------------------------------------------------------------------------------


class NoteWriterMixin(UserTimeZoneMixin, ChartMixin, PermissionRequiredMixin):
    tab = "encounters"
    perm = access.CHANGE

    def has_permission(self):
        return super().has_permission() and selectors.notes_can_read(self.request.user)


class NoteCreateView(NoteWriterMixin, TemplateView):
    permission_required = "clients.add_encounternote"
    template_name = "clients/encounters/note_form.html"

    def get_appointment(self):
        pk = self.request.GET.get("appointment") or self.request.POST.get("appointment")
        if not pk:
            return None
        return selectors.appointment_get_for_user(self.request.user, pk, client_pk=self.client_record.pk)

    def get(self, request, *args, **kwargs):
        appointment = self.get_appointment()
        initial = {"format": request.GET.get("format", NoteFormat.DAP)}
        if appointment is not None:
            initial["minutes_spent"] = appointment.duration_minutes
        form = NoteForm(initial=initial)
        return self.render_to_response(self.chart_context(form=form, appointment=appointment))

    def post(self, request, *args, **kwargs):
        appointment = self.get_appointment()
        form = NoteForm(request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in NOTE_EDITABLE_FIELDS}
            try:
                note = services.note_create(
                    client=self.client_record, acting_user=request.user, data=data, appointment=appointment
                )
            except (DomainError, ValidationError) as exc:
                add_service_errors(form, exc)
            else:
                return _saved_then_maybe_signed(request, note)
        return self.render_to_response(self.chart_context(form=form, appointment=appointment), status=400)


def _saved_then_maybe_signed(request, note):
    """After a draft is saved: sign it too when the user pressed "Save and sign", then show the note."""
    if "sign" not in request.POST:
        messages.success(request, "Draft saved.")
    else:
        try:
            services.note_sign(note=note, acting_user=request.user)
        except DomainError as exc:
            messages.warning(request, f"The draft was saved but not signed: {exc.message}")
        else:
            messages.success(request, "Note signed and locked.")
    return redirect(_note_url(note))


class NoteUpdateView(NoteWriterMixin, TemplateView):
    """Edit a draft. A signed note is locked: the page sends you back with a message."""

    permission_required = "clients.change_encounternote"
    template_name = "clients/encounters/note_form.html"

    def get_note(self):
        note = selectors.note_get_for_user(
            self.request.user, self.kwargs["note_pk"], client_pk=self.client_record.pk
        )
        return note

    def refuse(self, note):
        if note.is_locked:
            messages.error(
                request=self.request, message="This note is signed and locked; add an addendum instead."
            )
        else:
            messages.error(self.request, "Only the author edits a draft note.")
        return redirect(_note_url(note))

    def get(self, request, *args, **kwargs):
        note = self.get_note()
        if note.is_locked or note.author_id != request.user.pk:
            return self.refuse(note)
        form = NoteForm(initial={f: getattr(note, f) for f in NOTE_EDITABLE_FIELDS}, version_of=note)
        return self.render_to_response(self.chart_context(form=form, note=note, appointment=note.appointment))

    def post(self, request, *args, **kwargs):
        note = self.get_note()
        if note.is_locked or note.author_id != request.user.pk:
            return self.refuse(note)
        form = NoteForm(request.POST, version_of=note)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in NOTE_EDITABLE_FIELDS}
            try:
                services.note_update(
                    note=note, acting_user=request.user, data=data, expected=form.expected_version()
                )
            except (DomainError, ValidationError) as exc:
                add_service_errors(form, exc)
            else:
                return _saved_then_maybe_signed(request, note)
        ctx = self.chart_context(form=form, note=note, appointment=note.appointment)
        return self.render_to_response(ctx, status=400)


class NoteDetailView(UserTimeZoneMixin, ChartMixin, TemplateView):
    """One note: its sections, signature block, addenda and the panels other apps add."""

    audits_own_view = True  # audits its own VIEW/EXPORT row

    template_name = "clients/encounters/note_detail.html"
    tab = "encounters"

    def render_note(self, note, addendum_form=None, status=200, return_form=None):
        user = self.request.user
        ctx = self.chart_context(
            note=note,
            sections=[
                (note._meta.get_field(s).verbose_name.capitalize(), getattr(note, s))
                for s in services.NOTE_SECTIONS[note.format]
            ],
            addenda=list(selectors.addenda_for_note(note)),
            addendum_form=addendum_form or AddendumForm(),
            can_add_addendum=note.is_locked and selectors.addenda_can_add(user),
            can_edit=not note.is_locked and note.author_id == user.pk,
            can_cosign=note.is_locked
            and note.requires_cosign
            and note.cosigned_at is None
            and selectors.notes_can_cosign_for(user, note.author),
            panels=note_panels_for(user, self.client_record, note),
            return_form=return_form or NoteReturnForm(),
            returns=selectors.returned_note_tasks([note]).get(note.pk, []) if note.is_locked else [],
        )
        return self.render_to_response(ctx, status=status)

    def get(self, request, *args, **kwargs):
        note = selectors.note_get_for_user(request.user, kwargs["note_pk"], client_pk=self.client_record.pk)
        audit_log(user=request.user, action=AuditAction.VIEW, client=self.client_record, obj=note)
        return self.render_note(note)


class NoteActionMixin(UserTimeZoneMixin, ChartMixin):
    tab = "encounters"

    def get_note(self):
        return selectors.note_get_for_user(
            self.request.user, self.kwargs["note_pk"], client_pk=self.client_record.pk
        )


class NoteSignView(NoteActionMixin, View):
    def post(self, request, *args, **kwargs):
        note = self.get_note()
        try:
            services.note_sign(note=note, acting_user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Note signed and locked.")
        return redirect(_note_url(note))


class NoteCosignView(NoteActionMixin, View):
    def post(self, request, *args, **kwargs):
        note = self.get_note()
        try:
            services.note_cosign(note=note, acting_user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Note co-signed.")
        return redirect_next_or(request, _note_url(note))


class NoteReturnView(NoteActionMixin, NoteDetailView):
    """A supervisor returns a note waiting for co-signature to its author, with a required comment
    (``services.note_return_to_author``: a task for the author, since a signed note stays locked)."""

    def get(self, request, *args, **kwargs):
        return redirect(_note_url(self.get_note()))

    def post(self, request, *args, **kwargs):
        note = self.get_note()
        form = NoteReturnForm(request.POST)
        if form.is_valid():
            try:
                services.note_return_to_author(
                    note=note, acting_user=request.user, comment=form.cleaned_data["comment"]
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    gettext("Returned to %(author)s with your comment; it stays in your co-sign queue.")
                    % {"author": note.author},
                )
                return redirect(_note_url(note))
        return self.render_note(note, return_form=form, status=400)


class NoteAddendumView(NoteActionMixin, NoteDetailView):
    def get(self, request, *args, **kwargs):
        return redirect(_note_url(self.get_note()))

    def post(self, request, *args, **kwargs):
        note = self.get_note()
        if not request.user.has_perm("clients.add_noteaddendum"):
            raise Http404("No such note.")
        form = AddendumForm(request.POST)
        if form.is_valid():
            try:
                services.note_addendum_add(
                    note=note, acting_user=request.user, text=form.cleaned_data["text"]
                )
            except DomainError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Addendum added.")
                return redirect(_note_url(note))
        return self.render_note(note, addendum_form=form, status=400)


class CosignQueueView(UserTimeZoneMixin, LoginRequiredMixin, TemplateView):
    """Signed notes waiting for the supervisor's co-signature, oldest first (bounded)."""

    template_name = "clients/encounters/cosign_queue.html"
    LIMIT = 100

    def get_context_data(self, **kwargs):
        user = self.request.user
        if not selectors.notes_can_cosign(user):
            raise Http404("No co-sign queue.")
        notes = list(selectors.cosign_queue_for_user(user)[: self.LIMIT])
        returned = selectors.returned_note_tasks(notes)
        for note in notes:
            note.returned_at = returned[note.pk][-1].created_at if note.pk in returned else None
        audit_clients_listed(user=user, clients={n.client for n in notes}, detail={"page": "cosign-queue"})
        return {**super().get_context_data(**kwargs), "notes": notes, "limit": self.LIMIT}
