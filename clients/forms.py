"""Forms for intake, editing the record, supportive people and the care team."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careteam.access import clients_can_see_all
from careteam.concurrency import ConcurrencyFormMixin
from careteam.forms import BootstrapFormMixin
from careteam.models import AuditAction, CaseRole, Team, User

from .models import ASAM_LEVELS, TIME_ZONE_CHOICES, AsamEdition, Client, SignatureMethod, SupportivePerson
from .services import CLIENT_EDITABLE_FIELDS, SUPPORTIVE_PERSON_FIELDS

EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def teams_for_user(user: User):
    """The teams a user may file a client under: their own and those they supervise (lazy, one query)."""
    teams = Team.objects.filter(is_active=True)
    if clients_can_see_all(user):
        return teams
    return teams.filter(Q(members=user) | Q(supervisors=user)).distinct()


class ClientForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.ModelForm):
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES, initial="America/New_York")

    class Meta:
        model = Client
        fields = CLIENT_EDITABLE_FIELDS
        widgets = {
            "date_of_birth": DateInput(),
            "referred_on": DateInput(),
            "admitted_on": DateInput(),
            "discharged_on": DateInput(),
            "quiet_hours_start": TimeInput(),
            "quiet_hours_end": TimeInput(),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["primary_team"].queryset = teams_for_user(user)
        self.fields["primary_team"].empty_label = None
        # Grouped by edition so a 3rd-edition level is not picked under the 4th (the model re-checks).
        self.fields["asam_level"].choices = [
            ("", "Not recorded"),
            *[(AsamEdition(ed).label, levels) for ed, levels in ASAM_LEVELS.items()],
        ]
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        self.fields["phone"].help_text = "A US number such as (555) 201-3344, or +country code."

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        if dob < EARLIEST_BIRTH_DATE:
            raise forms.ValidationError("Check the year: this date of birth is before 1900.")
        if dob > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        return dob

    def clean_legal_first_name(self):
        return self.cleaned_data["legal_first_name"].strip()

    def clean_legal_last_name(self):
        return self.cleaned_data["legal_last_name"].strip()


class IntakeForm(ClientForm):
    """A new record; warns about possible duplicates before creating one."""

    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="I have checked the possible matches above and this is a different person",
    )
    # Not a flag on the record: answering records a text-messaging consent (the one switch for texts)
    # through the consent service, with the record. Later changes happen on the Consents tab.
    text_consent = forms.ChoiceField(
        required=False,
        label=_("Agreed to text messages"),
        choices=[("", _("No, or not asked")), *SignatureMethod.choices],
        help_text=_("How the client agreed today. Recorded as their texting consent (Consents tab)."),
    )

    # Chosen, never assumed: the model's defaults (phone call, active) opened records on a guess, and
    # then refused a client with no phone for a contact method nobody picked. Editing keeps the record's.
    CHOSEN_AT_INTAKE = {
        "preferred_channel": _("Choose how the client prefers to be contacted."),
        "status": _("Choose the client's status in the program."),
    }

    def __init__(self, *args, duplicate_finder=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, required_message in self.CHOSEN_AT_INTAKE.items():
            field = self.fields[name]
            field.choices = [("", _("Choose…")), *[c for c in field.choices if c[0] != ""]]
            field.initial = None
            field.required = True
            field.error_messages["required"] = required_message
        self.duplicate_finder = duplicate_finder
        self.possible_duplicates: list[Client] = []
        self.hidden_duplicate_count = 0

    def clean(self):
        cleaned = super().clean()
        # The record is checked with the consent it will be opened with (preferred contact by text).
        self.instance._text_consent_at_intake = bool(cleaned.get("text_consent"))
        first, last = cleaned.get("legal_first_name"), cleaned.get("legal_last_name")
        dob = cleaned.get("date_of_birth")
        if self.duplicate_finder and first and last and dob:
            self.possible_duplicates, self.hidden_duplicate_count = self.duplicate_finder(
                first_name=first, last_name=last, date_of_birth=dob
            )
            found = self.possible_duplicates or self.hidden_duplicate_count
            if found and not cleaned.get("confirm_not_duplicate"):
                raise forms.ValidationError(
                    "This person may already have a record (same date of birth, similar name). "
                    "Open the match instead, or confirm this is someone else.",
                    code="possible_duplicate",
                )
        return cleaned


class SupportivePersonForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = SupportivePerson
        fields = SUPPORTIVE_PERSON_FIELDS


class AssignmentForm(BootstrapFormMixin, forms.Form):
    staff = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Staff member", empty_label="Choose a team member…"
    )
    role = forms.ChoiceField(choices=CaseRole.choices, label="Role on this case")

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            User.objects.filter(is_active=True)
            .filter(teams=client.primary_team)
            .distinct()
            .order_by("last_name", "first_name")
        )


class AssignmentEndForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=200, label="Why is this assignment ending?", help_text="e.g. caseload transfer, staff left"
    )


class ArchiveForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=200, label="Why is this record being archived?", help_text="e.g. duplicate of CT-0000123"
    )


class AccessReportFilterForm(forms.Form):
    """The access report's filters: one action and a range of days (both ends included, in the
    reader's time zone). Every field may be left empty: the whole history, newest first."""

    action = forms.ChoiceField(required=False, label=_("Action"))
    start = forms.DateField(
        required=False, label=_("From"), widget=DateInput(attrs={"class": "form-control"})
    )
    end = forms.DateField(required=False, label=_("To"), widget=DateInput(attrs={"class": "form-control"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Any action")), *AuditAction.choices]
        self.fields["action"].widget.attrs["class"] = "form-select"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", _("The end of the period is before its start."))
        return cleaned

    def period(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The chosen days as a half-open range of aware datetimes ``[start, end)`` in the current
        time zone (the reader's, set by ``UserTimeZoneMixin``); None for an open end."""
        tz = timezone.get_current_timezone()
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        return (
            dt.datetime.combine(start, dt.time.min, tzinfo=tz) if start else None,
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if end else None,
        )
