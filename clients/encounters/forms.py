"""Forms for booking, rescheduling and cancelling appointments, and for writing session notes.

Times are typed in the user's own time zone: the views activate ``User.time_zone`` while a form
is bound, so Django reads the naive ``datetime-local`` value in that zone and stores UTC.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from careteam.concurrency import ConcurrencyFormMixin
from careteam.fields import ADDENDUM_MAX_LENGTH, CLINICAL_NOTE_MAX_LENGTH
from careteam.forms import BootstrapFormMixin
from careteam.models import User
from clients.models import AppointmentKind, Client, NoteFormat

from .services import MAX_DURATION_MINUTES, NOTE_SECTIONS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def staff_for_client(client: Client, acting_user: User):
    """Who may be booked: active staff on the client's care team or primary team, and the booker."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(assignments__client=client, assignments__ended_on__isnull=True)
            | Q(teams=client.primary_team_id)
            | Q(pk=acting_user.pk)
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _starts_at_field(label="Starts") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text="In your time zone.",
    )


def _duration_field() -> forms.IntegerField:
    return forms.IntegerField(
        label="Length (minutes)", min_value=5, max_value=MAX_DURATION_MINUTES, initial=50
    )


BOOK_ANYWAY_HELP = "The staff member already has an appointment then. Tick to book the double booking."


class AppointmentForm(BootstrapFormMixin, forms.Form):
    staff = forms.ModelChoiceField(queryset=User.objects.none(), label="With")
    kind = forms.ChoiceField(choices=AppointmentKind.choices, label="Kind of appointment")
    starts_at = _starts_at_field()
    duration_minutes = _duration_field()
    location = forms.CharField(max_length=200, required=False, label="Place", help_text="Room or address.")
    telehealth_url = forms.URLField(
        required=False, max_length=200, label="Telehealth link", assume_scheme="https"
    )
    notes = forms.CharField(
        max_length=300, required=False, label="Logistics", help_text="Room, what to bring. Nothing clinical."
    )
    book_anyway = forms.BooleanField(required=False, label="Book anyway (double booking)")

    def __init__(self, *args, client: Client, acting_user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_for_client(client, acting_user)
        self.fields["staff"].initial = acting_user.pk

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("location") or cleaned.get("telehealth_url")) and "location" not in self.errors:
            self.add_error("location", "Say where it happens: a place or a telehealth link.")
        return cleaned


class RescheduleForm(BootstrapFormMixin, forms.Form):
    starts_at = _starts_at_field("New start")
    duration_minutes = _duration_field()
    reason = forms.CharField(max_length=200, required=False, label="Why (optional)")
    book_anyway = forms.BooleanField(required=False, label="Book anyway (double booking)")


class CancelForm(BootstrapFormMixin, forms.Form):
    by = forms.ChoiceField(
        choices=[("client", "The client cancelled"), ("program", "The program cancelled")],
        widget=forms.RadioSelect,
        label="Who cancelled?",
    )
    reason = forms.CharField(max_length=200, required=False, label="Reason (optional)")


class NoteForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.Form):
    """A new draft note, or (``version_of=note``) an edit of a draft that carries the version it
    started from."""

    format = forms.ChoiceField(choices=NoteFormat.choices, widget=forms.RadioSelect, initial=NoteFormat.DAP)
    data = forms.CharField(
        required=False,
        max_length=CLINICAL_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Data",
    )
    subjective = forms.CharField(
        required=False,
        max_length=CLINICAL_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Subjective",
    )
    objective = forms.CharField(
        required=False,
        max_length=CLINICAL_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Objective",
    )
    assessment = forms.CharField(
        required=False,
        max_length=CLINICAL_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Assessment",
    )
    plan = forms.CharField(
        required=False,
        max_length=CLINICAL_NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Plan",
    )
    minutes_spent = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_DURATION_MINUTES, label="Time spent (minutes)"
    )
    restricted = forms.BooleanField(
        required=False,
        label="Restricted psychotherapy note",
        help_text="Only you and your supervisor will be able to read it (HIPAA 45 CFR 164.501).",
    )

    def clean(self):
        cleaned = super().clean()
        note_format = cleaned.get("format")
        if note_format in NOTE_SECTIONS and not any(
            (cleaned.get(s) or "").strip() for s in NOTE_SECTIONS[note_format]
        ):
            self.add_error(NOTE_SECTIONS[note_format][0], "Write at least one section of the note.")
        return cleaned

    def sections(self, note_format: str):
        return [self[name] for name in NOTE_SECTIONS[note_format]]

    @property
    def dap_fields(self):
        return self.sections(NoteFormat.DAP)

    @property
    def soap_fields(self):
        return [self[name] for name in ("subjective", "objective")]


class AddendumForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Addendum", max_length=ADDENDUM_MAX_LENGTH
    )


class NoteReturnForm(BootstrapFormMixin, forms.Form):
    """The supervisor's comment when returning a note to its author (required: the author must know
    what to change)."""

    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Comment for the author"),
        max_length=ADDENDUM_MAX_LENGTH,
    )
