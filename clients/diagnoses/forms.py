"""Forms for recording a diagnosis, editing it and moving its status."""

from __future__ import annotations

from dataclasses import replace

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from careteam.concurrency import ConcurrencyFormMixin
from careteam.fields import COMMENT_MAX_LENGTH
from careteam.forms import BootstrapFormMixin
from clients.models import DiagnosisCode, DiagnosisStatus, DiagnosisType

from .icd10cm import with_dot
from .states import DIAGNOSIS_STATES


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


STATUS_LABELS = {
    DiagnosisStatus.ACTIVE: _("Active again"),
    DiagnosisStatus.RESOLVED: _("Resolved"),
    DiagnosisStatus.ENTERED_IN_ERROR: _("Entered in error"),
}


class DiagnosisForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.Form):
    """A new diagnosis, or (``version_of=diagnosis``) an edit carrying the version it started from.

    The code is typed ("F11.20" or "F1120"), or picked from the search results, which post as
    ``code_choice`` — the same radio list whether htmx fetched it as the user typed or the page was
    reloaded with ``?q=`` (no JavaScript). A picked result wins over the typed code.
    """

    code = forms.CharField(
        label=_("ICD-10-CM code"),
        max_length=10,
        required=False,
        help_text=_("For example F11.20. Or search by code or words above and pick one."),
    )
    diagnosis_type = forms.ChoiceField(
        label=_("Type"), choices=DiagnosisType.choices, initial=DiagnosisType.SECONDARY
    )
    onset_date = forms.DateField(
        label=_("Onset"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When it began, if known."),
    )
    comment = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    concurrency_fields = ("code", "diagnosis_type", "onset_date", "comment")
    concurrency_labels = {"code": _("ICD-10-CM code")}

    def refuse_stale(self, exc):
        """As the mixin does, with the code shown as a code ("F11.20") rather than its row id."""
        super().refuse_stale(exc)
        ids = [v for c in self.concurrency_conflict if c.name == "code" for v in (c.started, c.now)]
        names = dict(
            DiagnosisCode.objects.filter(pk__in=[i for i in ids if i.isdigit()]).values_list("pk", "code")
        )
        self.concurrency_conflict = [
            replace(c, started=names.get(_int(c.started), c.started), now=names.get(_int(c.now), c.now))
            if c.name == "code"
            else c
            for c in self.concurrency_conflict
        ]

    def clean_onset_date(self):
        day = self.cleaned_data.get("onset_date")
        if day and day > timezone.localdate():
            raise forms.ValidationError(gettext("This date is in the future."))
        return day

    def clean(self):
        cleaned = super().clean()
        # A result picked from the search list (radios named ``code_choice``) wins over the typed code.
        picked = str(self.data.get(self.add_prefix("code_choice")) or "")[:10]
        typed = (picked or cleaned.get("code") or "").strip()
        if not typed:
            self.add_error("code", gettext("Give an ICD-10-CM code, or search and pick one."))
            return cleaned
        code = DiagnosisCode.objects.filter(code=with_dot(typed)).first()
        if code is None:
            self.add_error(
                "code",
                gettext("%(code)s is not an ICD-10-CM code we know. Search by code or words to find it.")
                % {"code": typed},
            )
            return cleaned
        cleaned["code"] = code
        return cleaned


class DiagnosisStatusForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=(), widget=forms.RadioSelect)
    resolved_date = forms.DateField(
        label=_("Resolved on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For a resolved diagnosis; today if left empty."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for entered in error: say what was wrong."),
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the moves the table allows from where the diagnosis stands (``states.py``).
        self.fields["status"].choices = [(s, STATUS_LABELS[s]) for s in DIAGNOSIS_STATES.targets(current)]
