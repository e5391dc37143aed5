"""Forms for identifying a need, editing it and closing it."""

from __future__ import annotations

from django import forms

from careteam.forms import BootstrapFormMixin
from clients.models import NeedCategory, NeedStatus, Urgency

# Statuses staff set by hand here; "referred" is set by making a referral.
CLOSING_STATUSES = (NeedStatus.MET, NeedStatus.UNMET_CLOSED, NeedStatus.DECLINED)
NOTE_REQUIRED = (NeedStatus.UNMET_CLOSED, NeedStatus.DECLINED)


class NeedForm(BootstrapFormMixin, forms.Form):
    category = forms.ChoiceField(choices=NeedCategory.choices, label="Kind of need")
    description = forms.CharField(
        max_length=500,
        label="Description",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In the client's words where possible.",
    )
    urgency = forms.ChoiceField(
        choices=Urgency.choices, initial=Urgency.ROUTINE, widget=forms.RadioSelect, label="Urgency"
    )


class NeedStatusForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in CLOSING_STATUSES] + [(NeedStatus.OPEN.value, "Open again")],
        widget=forms.RadioSelect,
        label="New status",
    )
    note = forms.CharField(
        max_length=300,
        required=False,
        label="Note",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How it was met, or why it was closed or declined.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") in NOTE_REQUIRED and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why the need is closed without being met, or what the client said.")
        return cleaned
