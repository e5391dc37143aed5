"""Forms of the referral pages and of the partner's response page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from careteam.concurrency import ConcurrencyFormMixin
from careteam.fields import COMMENT_MAX_LENGTH, DESCRIPTION_MAX_LENGTH
from careteam.forms import BootstrapFormMixin
from clients.models import InformationCategory, Urgency

from . import states
from .models import ReferralOutcome, ReferralStatus


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class ReferralForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.Form):
    """A new referral's details, or (``version_of=referral``) an edit of a draft that carries the
    version it started from."""

    reason = forms.CharField(
        label="Reason for referral",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=COMMENT_MAX_LENGTH,
        help_text="What you are asking the partner to do, in a sentence or two.",
    )
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.ROUTINE)
    shared_categories = forms.MultipleChoiceField(
        label="Information shared with the partner",
        choices=InformationCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=(
            "Substance use information needs the client's Part 2 consent naming this organisation; "
            "from a 42 CFR Part 2 program, so does every referral, whatever it shares."
        ),
    )
    shared_summary = forms.CharField(
        label="What the partner will read",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        help_text="Only what the partner needs. Leave out anything not ticked above.",
    )
    warm_handoff = forms.BooleanField(label="Warm hand-off", required=False)
    warm_handoff_how = forms.CharField(
        label="How the hand-off happens",
        required=False,
        max_length=200,
        help_text="e.g. three-way call, walk over together.",
    )
    appointment_at = forms.DateTimeField(
        label="Appointment at the partner (if known)", required=False, widget=DateTimeLocalInput()
    )


class TransitionForm(BootstrapFormMixin, forms.Form):
    to = forms.ChoiceField(choices=ReferralStatus.choices, widget=forms.HiddenInput)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)
    outcome = forms.ChoiceField(choices=[("", "—"), *ReferralOutcome.choices], required=False)
    outcome_note = forms.CharField(label="Outcome details", required=False, max_length=300)
    refer_elsewhere = forms.BooleanField(label="Refer elsewhere: put the need back to open", required=False)

    def __init__(self, *args, to: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if to in states.OUTCOMES_FOR:
            self.fields["outcome"].choices = [(o, ReferralOutcome(o).label) for o in states.OUTCOMES_FOR[to]]


class ScheduleForm(BootstrapFormMixin, forms.Form):
    appointment_at = forms.DateTimeField(label="Appointment date and time", widget=DateTimeLocalInput())
    note = forms.CharField(label="Note (optional)", required=False, max_length=500)


class NoteForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label="Add a note", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AttendanceForm(BootstrapFormMixin, forms.Form):
    attended = forms.TypedChoiceField(
        choices=[("yes", "Attended"), ("no", "Did not attend")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=500)


class PartnerDeclineForm(BootstrapFormMixin, forms.Form):
    # Starts unchosen: a preselected reason was sent unread and told the referrer the wrong thing.
    reason = forms.ChoiceField(
        label="Why are you declining?",
        choices=[
            ("", _("Choose…")),
            *[(o, ReferralOutcome(o).label) for o in states.OUTCOMES_FOR[ReferralStatus.REJECTED]],
        ],
        error_messages={"required": _("Choose why you are declining.")},
    )
    note = forms.CharField(label="Details", required=False, max_length=300)

    def clean(self):
        data = super().clean()
        if data.get("reason") == ReferralOutcome.OTHER and not data.get("note", "").strip():
            self.add_error("note", "Say why, so the referring program can find another service.")
        return data
