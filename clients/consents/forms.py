"""Forms to record a consent, revoke one, and pick the dates of the printed accounting of disclosures."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from careteam.forms import BootstrapFormMixin
from clients.models import Consent, ConsentKind, InformationCategory, SignatureMethod


def organization_model():
    """The directory's Organization, reached through the consent's foreign key (``clients`` never
    imports the referrals app)."""
    return Consent._meta.get_field("recipient_organization").related_model


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ConsentForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(choices=ConsentKind.choices, label="Kind of consent")
    recipient_organization = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Recipient organisation",
        empty_label="— not a directory organisation —",
        help_text="From the resource directory.",
    )
    recipient_name = forms.CharField(
        max_length=200,
        required=False,
        label="Or a named recipient",
        help_text="A person or class of recipients, e.g. 'Dr. Lee, Harbor Primary Care'.",
    )
    purpose = forms.CharField(
        max_length=300, required=False, label="Purpose", help_text="What the information may be used for."
    )
    categories = forms.MultipleChoiceField(
        choices=InformationCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Information covered",
    )
    signed_on = forms.DateField(label="Signed on", widget=DateInput())
    signature_method = forms.ChoiceField(choices=SignatureMethod.choices, label="How it was signed")
    expires_on = forms.DateField(required=False, label="Expires on", widget=DateInput())
    expires_on_event = forms.CharField(
        max_length=200,
        required=False,
        label="Or expires on an event",
        help_text="e.g. 'on discharge from the program'.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_organization"].queryset = organization_model().objects.order_by("name", "id")


class RevokeForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=300, label="Why is it revoked?", help_text="e.g. the client asked in writing."
    )
    on = forms.DateField(label="Revoked on", widget=DateInput(), help_text="The day the client revoked it.")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("on", timezone.localdate())
        super().__init__(*args, **kwargs)


class DisclosurePeriodForm(forms.Form):
    start = forms.DateField(required=False, label="From", widget=DateInput(attrs={"class": "form-control"}))
    end = forms.DateField(required=False, label="To", widget=DateInput(attrs={"class": "form-control"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", "The end of the period is before its start.")
        return cleaned
