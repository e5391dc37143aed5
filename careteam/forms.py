"""Form helpers shared by every app (Bootstrap classes and accessible error wiring), and the core's forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import COMMENT_MAX_LENGTH
from .models import EmergencyAccessReason
from .services import EMERGENCY_JUSTIFICATION_MIN_LENGTH


class BootstrapFormMixin:
    """Bootstrap classes, ``aria-describedby`` for help and errors, ``aria-invalid`` after validation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            elif isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                css = ""
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            auto_id = self.auto_id % self.add_prefix(name) if self.auto_id else name
            widget.attrs["aria-describedby"] = f"{auto_id}_help {auto_id}_error"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class EmergencyAccessForm(BootstrapFormMixin, forms.Form):
    """Break the glass: why (one of the emergencies the rules allow) and what is happening, in words."""

    reason = forms.ChoiceField(
        label=_("Reason"), choices=EmergencyAccessReason.choices, widget=forms.RadioSelect
    )
    justification = forms.CharField(
        label=_("Justification"),
        min_length=EMERGENCY_JUSTIFICATION_MIN_LENGTH,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What is happening and why you cannot wait for the care team. The client's supervisors "
            "read this, and it is recorded with every page you open."
        ),
        error_messages={
            "min_length": _("Say why in at least %(limit_value)d characters (you wrote %(show_value)d).")
        },
    )


class EmergencyAccessReviewForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=_("Review note"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Was the access justified? What, if anything, follows?"),
    )
