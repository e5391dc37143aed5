"""Forms of the peer's pages: quick to fill on a phone, with sensible defaults."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from careteam.forms import BootstrapFormMixin
from careteam.timezones import user_time_zone
from clients.models import LANGUAGE_CHOICES

from .models import (
    AccompanimentTo,
    AttendanceSource,
    ContactKind,
    ContactMode,
    ExperienceArea,
    Fellowship,
    RecoveryDomain,
    SupportGroup,
)
from .services import MAX_DURATION, MIN_DURATION


class ContactForm(BootstrapFormMixin, forms.Form):
    """Log a contact: defaults are now, 30 minutes, in person, check-in."""

    occurred_at = forms.DateTimeField(
        label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    duration_minutes = forms.IntegerField(
        label="Minutes",
        initial=30,
        min_value=MIN_DURATION,
        max_value=MAX_DURATION,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    mode = forms.ChoiceField(label="How", choices=ContactMode.choices, initial=ContactMode.IN_PERSON)
    kind = forms.ChoiceField(label="What kind", choices=ContactKind.choices, initial=ContactKind.CHECK_IN)
    accompaniment_to = forms.ChoiceField(
        label="Went with them to",
        choices=[("", "—"), *AccompanimentTo.choices],
        required=False,
        help_text="For an accompaniment.",
    )
    place = forms.CharField(label="Where", max_length=200, required=False)
    summary = forms.CharField(
        label="What happened",
        max_length=500,
        help_text="Short and non-clinical.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    domains = forms.MultipleChoiceField(
        label="Areas touched",
        choices=RecoveryDomain.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    follow_up_needed = forms.BooleanField(label="Follow-up needed", required=False)
    follow_up_note = forms.CharField(label="Follow-up", max_length=300, required=False)
    needs_clinical_attention = forms.BooleanField(
        label="Needs clinical attention (goes to the counselor)", required=False
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        tz = user_time_zone(user)
        if not self.is_bound:
            self.initial.setdefault(
                "occurred_at", timezone.localtime(timezone.now(), tz).replace(second=0, microsecond=0)
            )

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        # Entered as the user's wall-clock time.
        tz = user_time_zone(self.user)
        return timezone.make_aware(timezone.make_naive(value), tz) if value else value


class AttendanceForm(BootstrapFormMixin, forms.Form):
    group = forms.ModelChoiceField(queryset=SupportGroup.objects.filter(is_active=True), label="Group")
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    attended = forms.BooleanField(label="Attended", required=False, initial=True)
    source = forms.ChoiceField(choices=AttendanceSource.choices, initial=AttendanceSource.PEER_VERIFIED)


def _rating(domain: RecoveryDomain) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=domain.label,
        choices=[(str(i), str(i)) for i in range(1, 7)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text="1 struggling, 6 strong",
    )


class CheckinForm(BootstrapFormMixin, forms.Form):
    """Recovery check-in: six taps (one per domain) and an optional note."""

    housing = _rating(RecoveryDomain.HOUSING)
    employment = _rating(RecoveryDomain.EMPLOYMENT)
    relationships = _rating(RecoveryDomain.RELATIONSHIPS)
    health = _rating(RecoveryDomain.HEALTH)
    community = _rating(RecoveryDomain.COMMUNITY)
    purpose = _rating(RecoveryDomain.PURPOSE)
    note = forms.CharField(max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def ratings(self) -> dict:
        return {d: self.cleaned_data[d] for d in RecoveryDomain.values}


class FirstFriendSearchForm(BootstrapFormMixin, forms.Form):
    text = forms.CharField(label="Name, area or note", required=False, max_length=100)
    language = forms.ChoiceField(choices=[("", "Any language"), *LANGUAGE_CHOICES], required=False)
    area = forms.ChoiceField(
        label="Experience", choices=[("", "Any"), *ExperienceArea.choices], required=False
    )
    fellowship = forms.ChoiceField(choices=[("", "Any"), *Fellowship.choices], required=False)
