"""Forms for recording, editing, stopping and correcting medications, and for the prescriber's
recommendations."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from careteam.concurrency import ConcurrencyFormMixin
from careteam.fields import COMMENT_MAX_LENGTH
from careteam.forms import BootstrapFormMixin
from clients.models import Medication, MedicationRoute, MoudType

from .selectors import prescriber_candidates
from .services import REASON_MAX_LENGTH


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PrescriberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class MedicationForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.Form):
    """A new medication, or (``version_of=medication``) an edit that carries the version it started
    from. ``client`` decides which staff may be named as the prescriber here."""

    concurrency_model = Medication

    name = forms.CharField(
        max_length=200,
        label=_("Medication"),
        help_text=_("Name and strength, e.g. buprenorphine/naloxone 8 mg/2 mg film."),
    )
    rxnorm_code = forms.RegexField(
        regex=r"^[0-9]{1,12}$",
        required=False,
        max_length=12,
        label=_("RxNorm code (optional)"),
        error_messages={"invalid": _("An RxNorm code (RxCUI) is digits only.")},
    )
    dose = forms.CharField(max_length=100, required=False, label=_("Dose"), help_text=_("e.g. 16 mg"))
    route = forms.ChoiceField(choices=[("", "—"), *MedicationRoute.choices], required=False, label=_("Route"))
    frequency = forms.CharField(
        max_length=100, required=False, label=_("How often"), help_text=_("e.g. once a day")
    )
    moud_type = forms.ChoiceField(
        choices=[("", _("Not a medication for opioid or alcohol use disorder")), *MoudType.choices],
        required=False,
        label=_("MOUD / MAUD"),
        help_text=_("Medication for opioid or alcohol use disorder: pick its type."),
    )
    prescriber = PrescriberChoiceField(
        queryset=None,
        required=False,
        label=_("Prescriber here"),
        help_text=_("A prescriber on the staff of the client's organisation."),
    )
    prescriber_name = forms.CharField(
        max_length=150,
        required=False,
        label=_("Outside prescriber"),
        help_text=_("Leave empty when the prescriber is here."),
    )
    prescriber_organization = forms.CharField(
        max_length=200, required=False, label=_("Outside prescriber's organisation")
    )
    prescriber_phone = PhoneNumberField(required=False, max_length=30, label=_("Outside prescriber's phone"))
    start_date = forms.DateField(required=False, label=_("Started"), widget=DateInput())
    comment = forms.CharField(
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, **kwargs)
        current = getattr(self.initial.get("prescriber"), "pk", self.initial.get("prescriber"))
        # A prescriber who has since moved on stays selectable on their own medication.
        self.fields["prescriber"].queryset = prescriber_candidates(client, keep=current)

    def clean(self):
        cleaned = super().clean()
        outside = any(
            cleaned.get(f) for f in ("prescriber_name", "prescriber_organization", "prescriber_phone")
        )
        if cleaned.get("prescriber") and outside:
            self.add_error(
                "prescriber_name",
                _("Name either a prescriber here or an outside prescriber, not both: clear one of them."),
            )
        elif outside and not cleaned.get("prescriber_name"):
            self.add_error(
                "prescriber_name", _("Give the outside prescriber's name with their organisation or phone.")
            )
        return cleaned


class MedicationStopForm(BootstrapFormMixin, forms.Form):
    stop_date = forms.DateField(label=_("Stopped on"), widget=DateInput())
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        label=_("Why was it stopped?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("e.g. side effects, completed the course, the prescriber changed it."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("stop_date", timezone.localdate())
        super().__init__(*args, **kwargs)


class EnteredInErrorForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        label=_("What was wrong with this entry?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The entry stays on the chart, struck through, with this reason."),
    )


class RecommendationForm(BootstrapFormMixin, forms.Form):
    recommended_on = forms.DateField(label=_("Date"), widget=DateInput())
    medication = forms.ModelChoiceField(
        queryset=None, required=False, label=_("About the medication (optional)"), empty_label="—"
    )
    prescriber_name = forms.CharField(
        max_length=150,
        required=False,
        label=_("From"),
        help_text=_("Who made the recommendation. Left empty: the medication's prescriber."),
    )
    text = forms.CharField(
        max_length=COMMENT_MAX_LENGTH, label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, medications, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("recommended_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["medication"].queryset = medications

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("prescriber_name")
            and not cleaned.get("medication")
            and "prescriber_name" not in self.errors
        ):
            self.add_error("prescriber_name", _("Say who made the recommendation."))
        return cleaned
