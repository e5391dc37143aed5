"""Forms of crisis work: the one-screen quick open, disposition, safety plan, caring contacts."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careteam.concurrency import ConcurrencyFormMixin
from careteam.forms import BootstrapFormMixin
from careteam.models import User
from clients.models import Client

from .models import (
    CaringContactProtocol,
    Disposition,
    EpisodeSource,
    ImmediateAction,
    PresentingConcern,
    RiskLevel,
    SafetyPlanReason,
    SafetyPlanVersion,
)
from .services import SAFETY_PLAN_ENTRY_MAX_LENGTH, SAFETY_PLAN_SECTION_MAX_ENTRIES, SAFETY_PLAN_SECTIONS

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
HELP_ROWS = 5
LIST_SECTIONS = [
    (
        "warning_signs",
        "Warning signs",
        "Thoughts, feelings or situations that tell me a crisis may be coming.",
    ),
    (
        "coping_strategies",
        "Things I can do on my own",
        "Ways to take my mind off things without anyone else.",
    ),
    ("distractions", "People and places that take my mind off things", "Where I can go, who I can be with."),
    (
        "environment_safety",
        "Making my surroundings safer",
        "Steps to keep away things I could use to hurt myself.",
    ),
    ("reasons_for_living", "What matters most to me", "The reasons I have for living."),
]
LIFELINE = {"name": "988 Suicide & Crisis Lifeline (call or text)", "phone": "988"}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


def active_staff():
    return (
        User.objects.filter(is_active=True)
        .exclude(groups=None)
        .distinct()
        .order_by("last_name", "first_name")
    )


class QuickOpenForm(BootstrapFormMixin, forms.Form):
    client = forms.ModelChoiceField(
        queryset=Client.objects.none(), widget=forms.RadioSelect, label="Client", empty_label=None
    )
    source = forms.ChoiceField(choices=EpisodeSource.choices, label="How it came to us")
    concerns = forms.MultipleChoiceField(
        choices=PresentingConcern.choices, widget=forms.CheckboxSelectMultiple, label="Presenting concerns"
    )
    risk_level = forms.ChoiceField(
        choices=[("", "Use the C-SSRS screen of the last 24 hours"), *RiskLevel.choices],
        required=False,
        label="Risk level",
        help_text="Your clinical rating; the C-SSRS option needs a screen from the last 24 hours.",
    )
    immediate_actions = forms.MultipleChoiceField(
        choices=ImmediateAction.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Immediate actions",
    )
    responders = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Responders",
        help_text="Ctrl/Cmd-click for several.",
    )
    summary = forms.CharField(
        max_length=500,
        required=False,
        label="Summary",
        help_text="Logistics only; clinical detail goes in a note.",
    )
    caring_contacts = forms.ChoiceField(
        choices=[
            ("auto", "Start if the risk is moderate or higher"),
            ("yes", "Start caring contacts"),
            ("no", "Do not start them now"),
        ],
        widget=forms.RadioSelect,
        label="Caring contacts",
        help_text="Brief, personal messages on the default protocol, signed by you.",
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.filter(pk__in=[c.pk for c in candidates])
        self.fields["client"].choices = [
            (c.pk, f"{c.display_name} · {c.record_number} · DOB {c.date_of_birth:%b %-d, %Y}")
            for c in candidates
        ]
        self.fields["responders"].queryset = active_staff()


class DispositionForm(BootstrapFormMixin, forms.Form):
    disposition = forms.ChoiceField(choices=[("", "—"), *Disposition.choices], label="Disposition")
    disposition_at = forms.DateTimeField(
        label="When (discharge time for ED / inpatient)",
        widget=DateTimeLocalInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        required=False,
        help_text="Follow-up windows start here. Leave empty for now. In your time zone.",
    )
    note = forms.CharField(max_length=500, required=False, label="Note")


def validate_section_lines(value: str) -> None:
    """A list section is one entry per line: as many lines and as long as the API takes."""
    lines = [line for line in value.splitlines() if line.strip()]
    if len(lines) > SAFETY_PLAN_SECTION_MAX_ENTRIES:
        raise forms.ValidationError(
            _("At most %(count)d lines."),
            code="max_entries",
            params={"count": SAFETY_PLAN_SECTION_MAX_ENTRIES},
        )
    limit = SAFETY_PLAN_ENTRY_MAX_LENGTH
    too_long = [n for n, line in enumerate(lines, start=1) if len(line.strip()) > limit]
    if too_long:
        raise forms.ValidationError(
            _("Line %(line)d is longer than %(limit)d characters."),
            code="max_length",
            params={"line": too_long[0], "limit": limit},
        )


def _plan_fields() -> dict:
    fields: dict = {"reason": forms.ChoiceField(choices=SafetyPlanReason.choices, label="Why this version")}
    for name, label, help_text in LIST_SECTIONS:
        fields[name] = forms.CharField(
            label=label,
            required=False,
            # Every line at its longest, with its line break.
            max_length=SAFETY_PLAN_SECTION_MAX_ENTRIES * (SAFETY_PLAN_ENTRY_MAX_LENGTH + 1),
            validators=[validate_section_lines],
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=f"{help_text} One per line.",
        )
    for section, label in (("help", "Person to ask for help"), ("pro", "Professional or agency")):
        for i in range(HELP_ROWS):
            fields[f"{section}_name_{i}"] = forms.CharField(
                label=f"{label} {i + 1}: name", max_length=150, required=False
            )
            fields[f"{section}_phone_{i}"] = forms.CharField(
                label=f"{label} {i + 1}: phone", max_length=40, required=False
            )
    return fields


class SafetyPlanFormBase(ConcurrencyFormMixin, BootstrapFormMixin, forms.Form):
    """Seven sections as text lists, two of them as name + phone rows; pre-filled from the current version.

    Versioned by the latest version when the form was opened (``current``, or none yet): saving after
    someone else saved a newer one is refused, listing what they changed."""

    concurrency_fields = ("version", *SAFETY_PLAN_SECTIONS)
    concurrency_model = SafetyPlanVersion
    concurrency_labels = {
        "version": _("Version"),
        "help_contacts": _("People I can ask for help"),
        "professionals": _("Professionals and services I can call"),
    }

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, version_of=current, **kwargs)
        if not self.is_bound:
            self.initial.update(self.initial_from(current))

    @staticmethod
    def initial_from(current) -> dict:
        initial = {}
        pros = [LIFELINE]
        if current is not None:
            for name, _, _ in LIST_SECTIONS:
                initial[name] = "\n".join(getattr(current, name))
            helpers = current.help_contacts
            pros = current.professionals or pros
        else:
            helpers = []
        for i, row in enumerate(helpers[:HELP_ROWS]):
            initial[f"help_name_{i}"], initial[f"help_phone_{i}"] = row["name"], row["phone"]
        for i, row in enumerate(pros[:HELP_ROWS]):
            initial[f"pro_name_{i}"], initial[f"pro_phone_{i}"] = row["name"], row["phone"]
        return initial

    def rows(self, section: str):
        return [(self[f"{section}_name_{i}"], self[f"{section}_phone_{i}"]) for i in range(HELP_ROWS)]

    @property
    def help_rows(self):
        return self.rows("help")

    @property
    def pro_rows(self):
        return self.rows("pro")

    @property
    def list_fields(self):
        return [self[name] for name, _, _ in LIST_SECTIONS]

    def plan_data(self) -> dict:
        data = {name: self.cleaned_data[name].splitlines() for name, _, _ in LIST_SECTIONS}
        for section, key in (("help", "help_contacts"), ("pro", "professionals")):
            data[key] = [
                {
                    "name": self.cleaned_data[f"{section}_name_{i}"],
                    "phone": self.cleaned_data[f"{section}_phone_{i}"],
                }
                for i in range(HELP_ROWS)
            ]
        return data


class CaringContactsForm(BootstrapFormMixin, forms.Form):
    protocol = forms.ModelChoiceField(
        queryset=CaringContactProtocol.objects.none(), label="Protocol", empty_label=None
    )
    channel = forms.ChoiceField(choices=[("sms", "Text message"), ("email", "Email")], label="Send by")
    signer = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Signed by", help_text="A named person on the team."
    )
    start_date = forms.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, client, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["protocol"].queryset = CaringContactProtocol.objects.filter(is_active=True)
        self.fields["signer"].queryset = active_staff()
        if not self.is_bound:
            self.initial.setdefault("signer", acting_user.pk)
            self.initial.setdefault("start_date", timezone.localdate())
            textable = client.text_consent_on_file and client.phone
            self.initial.setdefault("channel", "sms" if textable else "email")
        if not client.text_consent_on_file:
            # Said on the page before anything is scheduled; choosing texts anyway is refused (field error).
            self.fields["channel"].help_text = _(
                "No texting consent on file: caring contacts can go by email, or record the client's "
                "texting consent on the Consents tab first."
            )
            default = self.fields["protocol"].queryset.first()
            if default:
                self.initial.setdefault("protocol", default.pk)


class StopForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(max_length=200, label="Why stop")


class SendPlanForm(BootstrapFormMixin, forms.Form):
    channel = forms.ChoiceField(choices=[("sms", "Text message"), ("email", "Email")], label="Send by")


SafetyPlanForm = type("SafetyPlanForm", (SafetyPlanFormBase,), {"__module__": __name__, **_plan_fields()})
