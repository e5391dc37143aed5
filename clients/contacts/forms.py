"""The "Log a contact" form. Times are typed in the user's own time zone (the view activates it)."""

from __future__ import annotations

from django import forms

from careteam.forms import BootstrapFormMixin
from clients.encounters.forms import DATETIME_FORMAT, DateTimeLocalInput
from clients.models import ContactMode, ContactPurpose


class ContactForm(BootstrapFormMixin, forms.Form):
    contacted_at = forms.DateTimeField(
        label="When",
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text="In your time zone.",
    )
    mode = forms.ChoiceField(choices=ContactMode.choices, label="How")
    purpose = forms.ChoiceField(
        choices=ContactPurpose.choices, label="Purpose", initial=ContactPurpose.CHECK_IN
    )
    reached = forms.BooleanField(
        required=False, initial=True, label="Reached the client (not only left a message)"
    )
    summary = forms.CharField(
        max_length=500,
        required=False,
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Logistics and outcome; clinical content belongs in a session note.",
    )
