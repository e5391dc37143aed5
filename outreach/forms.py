"""Forms of the Messages tab. Reminder times are typed in the client's own time zone."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from careteam.forms import BootstrapFormMixin

from .models import Channel, Recurrence, ReminderKind

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class MessageSendForm(BootstrapFormMixin, forms.Form):
    prefix = "send"

    channel = forms.ChoiceField(
        choices=[(Channel.SMS, "Text message"), (Channel.EMAIL, "Email")], label="Send as"
    )
    text = forms.CharField(
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Message",
        help_text="Sent as written, signed with your name only if you write it. Opt-outs, consent and "
        "quiet hours still apply.",
    )


class MessageCancelForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(max_length=200, label="Why cancel it?")


class ReminderForm(BootstrapFormMixin, forms.Form):
    """Bound inside ``timezone.override(client.time_zone)`` so ``first_at`` is read in the client's zone."""

    prefix = "reminder"

    kind = forms.ChoiceField(choices=ReminderKind.choices)
    label = forms.CharField(max_length=120, help_text="What it is for, in the client's words.")
    channel = forms.ChoiceField(choices=[(Channel.SMS, "Text message"), (Channel.EMAIL, "Email")])
    first_at = forms.DateTimeField(
        label="First reminder", widget=DateTimeLocalInput(), input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"]
    )
    recurrence = forms.ChoiceField(choices=Recurrence.choices, initial=Recurrence.ONCE, label="Repeat")
    until = forms.DateField(
        required=False, label="Last day (optional)", widget=forms.DateInput(attrs={"type": "date"})
    )
    medication = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("Medication (optional)"),
        help_text=_("For a medication reminder: the medication on the chart it is about."),
    )

    def __init__(self, *args, medications=None, **kwargs):
        """``medications``: the client's current medications (``clients.medications.selectors``), or
        ``None`` when the user may not see medications — then the field is not offered at all."""
        super().__init__(*args, **kwargs)
        if medications is None:
            del self.fields["medication"]
        else:
            self.fields["medication"].queryset = medications

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") != ReminderKind.MEDICATION and cleaned.get("medication") is not None:
            self.add_error("medication", _("Only a medication reminder names a medication."))
        return cleaned


class ReminderStopForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(max_length=200, required=False, label="Reason (optional)")
