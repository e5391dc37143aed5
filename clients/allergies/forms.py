"""Forms for recording an allergy, editing it and changing its status."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from careteam.concurrency import ConcurrencyFormMixin
from careteam.forms import BootstrapFormMixin
from clients.models import Allergy, AllergyCategory, AllergyKind, AllergySeverity, AllergyStatus

from .services import REASON_MAX_LENGTH
from .states import ALLERGY_STATES


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AllergyForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.Form):
    """A new allergy, or (``version_of=allergy``) an edit that carries the version it started from."""

    concurrency_model = Allergy

    substance = forms.CharField(
        max_length=200, label=_("Substance"), help_text=_("e.g. penicillin, peanuts, latex")
    )
    category = forms.ChoiceField(
        choices=AllergyCategory.choices, initial=AllergyCategory.MEDICATION, label=_("Category")
    )
    kind = forms.ChoiceField(
        choices=AllergyKind.choices, initial=AllergyKind.ALLERGY, widget=forms.RadioSelect, label=_("Kind")
    )
    reaction = forms.CharField(
        max_length=300, required=False, label=_("Reaction"), help_text=_("e.g. hives, swelling")
    )
    severity = forms.ChoiceField(
        choices=AllergySeverity.choices, initial=AllergySeverity.UNKNOWN, label=_("Severity")
    )
    onset_date = forms.DateField(required=False, label=_("First noticed (optional)"), widget=DateInput())


class AllergyStatusForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(choices=(), widget=forms.RadioSelect, label=_("New status"))
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for an entry made in error; it stays on the chart, struck through."),
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {AllergyStatus.ACTIVE: _("Applies again")}
        self.fields["status"].choices = [
            (s, labels.get(s, AllergyStatus(s).label)) for s in ALLERGY_STATES.targets(current)
        ]
