"""Forms for treatment-plan pages: one per section of a draft, activation, review, completion."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from careteam.concurrency import ConcurrencyFormMixin
from careteam.fields import DESCRIPTION_MAX_LENGTH
from careteam.forms import BootstrapFormMixin
from careteam.models import User
from clients.models import Instrument

from .models import (
    ActionStep,
    ClientAgreement,
    Goal,
    Intervention,
    Problem,
    Progress,
    TreatmentPlan,
)
from .services import (
    MEASURE_FIELDS,
    PLAN_HEADER_FIELDS,
    RELAPSE_PREVENTION_FIELDS,
    goal_measure_problems,
    measure_instruments,
)

DateInput = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanHeaderForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = TreatmentPlan
        fields = PLAN_HEADER_FIELDS
        widgets = {
            "review_due_on": DateInput,
            "strengths": forms.Textarea(attrs={"rows": 3}),
            "preferences": forms.Textarea(attrs={"rows": 3}),
            "barriers": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "review_due_on": "Leave empty to review 90 days after the plan is signed.",
            "change_reason": "What this version changes, in a line (shown in the versions list).",
        }

    def clean_review_due_on(self):
        value = self.cleaned_data.get("review_due_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("The review date cannot be in the past.")
        return value


class RelapsePreventionForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = TreatmentPlan
        fields = RELAPSE_PREVENTION_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in RELAPSE_PREVENTION_FIELDS}


class ProblemForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Problem
        fields = ("domain", "description")
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class GoalForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.ModelForm):
    """A goal and, optionally, the instrument that measures it ("PHQ-9 below 10" by the target date):
    all three measure fields or none, the target within the instrument's score range."""

    class Meta:
        model = Goal
        fields = ("client_words", "measurable_target", "target_date", "status", *MEASURE_FIELDS)
        widgets = {"client_words": forms.Textarea(attrs={"rows": 2}), "target_date": DateInput}
        help_texts = {
            "client_words": "Write it as the client said it, e.g. “I want to get my kids back by summer.”",
            "measurable_target": "How you will both know, e.g. “unsupervised visits twice a month”.",
            "measure_instrument": _(
                "Optional: a score that shows progress, e.g. PHQ-9 below 10 by the target date. "
                "Leave the three measure fields empty for a goal without one."
            ),
            "measure_target": _("A total on the instrument's own scale (PHQ-9 runs from 0 to 27)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instruments = measure_instruments()
        current = self.instance.measure_instrument_id if self.instance else None
        if current:  # a retired instrument stays choosable on the goal that already uses it
            instruments = instruments | Instrument.objects.filter(pk=current)
        self.fields["measure_instrument"].queryset = instruments
        self.fields["measure_instrument"].empty_label = _("Not measured by an instrument")

    def clean(self):
        data = super().clean()
        if any(name in self.errors for name in MEASURE_FIELDS):
            return data
        problems = goal_measure_problems(
            instrument=data.get("measure_instrument"),
            comparator=data.get("measure_comparator"),
            target=data.get("measure_target"),
        )
        for name, message in problems.items():
            self.add_error(name, message)
        return data


class ActionStepForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ActionStep
        fields = ("description", "responsible", "frequency_count", "frequency_period", "due_on")
        widgets = {"due_on": DateInput}
        labels = {
            "frequency_count": "How many times",
            "frequency_period": "Per",
            "due_on": "Due (one-off step)",
        }
        help_texts = {
            "frequency_count": "For a recurring step, e.g. 2 per week. Leave both empty for a one-off.",
        }

    def clean(self):
        data = super().clean()
        count, period, due = data.get("frequency_count"), data.get("frequency_period"), data.get("due_on")
        if count is not None and not period:
            self.add_error("frequency_period", "Say per what period (day, week or month).")
        if period and count is None:
            self.add_error("frequency_count", "Say how many times per period.")
        if count is not None and count < 1:
            self.add_error("frequency_count", "At least once per period.")
        if count is not None and due:
            self.add_error("due_on", "A recurring step has no single due date; leave it empty.")
        return data


class InterventionForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Intervention
        fields = ("modality", "description", "frequency", "responsible_staff")

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = staff if staff is not None else User.objects.none()
        self.fields["responsible_staff"].queryset = qs
        self.fields["responsible_staff"].label_from_instance = str


class ActivationForm(BootstrapFormMixin, forms.Form):
    client_agreement = forms.ChoiceField(
        label="Client agreement", choices=ClientAgreement.choices, widget=forms.RadioSelect
    )
    client_agreement_on = forms.DateField(label="Date of agreement", widget=DateInput)

    def clean_client_agreement_on(self):
        value = self.cleaned_data["client_agreement_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The agreement date cannot be in the future.")
        if value < timezone.localdate() - dt.timedelta(days=365):
            raise forms.ValidationError("Check the year: that is more than a year ago.")
        return value


class ReviewForm(BootstrapFormMixin, forms.Form):
    """The review header plus one progress rating and note per goal (``progress_<id>`` / ``note_<id>``)."""

    reviewed_on = forms.DateField(label="Review date", widget=DateInput)
    note = forms.CharField(
        label="Review note",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
    )

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"progress_{goal.pk}"] = forms.ChoiceField(
                label="Progress", choices=Progress.choices, widget=forms.RadioSelect
            )
            self.fields[f"note_{goal.pk}"] = forms.CharField(
                label="Note on this goal", max_length=300, required=False
            )
        # BootstrapFormMixin styled the fields present at its __init__; style the added ones too.
        for goal in self.goals:
            field = self.fields[f"note_{goal.pk}"]
            field.widget.attrs["class"] = "form-control"
            field.widget.attrs["aria-describedby"] = f"id_note_{goal.pk}_error"

    def clean_reviewed_on(self):
        value = self.cleaned_data["reviewed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("A review cannot be dated in the future.")
        return value

    def goal_rows(self):
        return [(g, self[f"progress_{g.pk}"], self[f"note_{g.pk}"]) for g in self.goals]

    def goal_progress(self) -> dict[int, tuple[str, str]]:
        return {
            g.pk: (self.cleaned_data[f"progress_{g.pk}"], self.cleaned_data[f"note_{g.pk}"])
            for g in self.goals
        }


class CompletionForm(BootstrapFormMixin, forms.Form):
    completed_at = forms.DateTimeField(
        label="When", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    comment = forms.CharField(max_length=200, required=False)

    def clean_completed_at(self):
        value = self.cleaned_data.get("completed_at") or timezone.now()
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError("A completion cannot be in the future.")
        return value


class NoteGoalsForm(forms.Form):
    goals = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goal_objects = {str(g.pk): g for g in goals}
        self.fields["goals"].choices = [(str(g.pk), g.client_words) for g in goals]

    def selected(self) -> list[Goal]:
        return [self.goal_objects[pk] for pk in self.cleaned_data["goals"]]
