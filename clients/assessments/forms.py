"""The administer form: one radio group per item of an instrument, built from its definition."""

from __future__ import annotations

from django import forms

from clients.models import Instrument

from . import scoring


class AdministerForm(forms.Form):
    """Each item is a required choice of the instrument's option values; the scoring rule then checks
    the answers together (e.g. the C-SSRS follow-ups asked only after a "yes") and its per-item
    messages land on the same fields."""

    def __init__(self, *args, instrument: Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for number, item in enumerate(instrument.items, start=1):
            conditional = bool(item.get("asked_if"))
            self.fields[item["key"]] = forms.TypedChoiceField(
                label=f"{number}. {item.get('text', '')}",
                choices=[(str(o["value"]), o["label"]) for o in item["options"]],
                coerce=int,
                required=not conditional,
                empty_value=None,
                widget=forms.RadioSelect,
                help_text=_asked_if_text(item) if conditional else "",
                error_messages={
                    "required": "Answer this question.",
                    "invalid_choice": "Choose one of the options.",
                },
            )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        answers = {k: v for k, v in cleaned.items() if v is not None}
        try:
            scoring.score(self.instrument.scoring_rule, answers)
        except forms.ValidationError as exc:
            for key, messages in exc.message_dict.items():
                self.add_error(key if key in self.fields else None, messages)
        return cleaned

    @property
    def answers(self) -> dict[str, int]:
        return {k: v for k, v in self.cleaned_data.items() if v is not None}

    def item_fields(self):
        """The bound fields, each with ``aria-invalid`` set on its inputs when it has an error."""
        for name in self.fields:
            bound = self[name]
            if bound.errors:
                attrs = bound.field.widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{bound.auto_id}_error"
            yield bound


def _asked_if_text(item: dict) -> str:
    conditions = " and ".join(
        f"question {key.removeprefix('q')} is {'yes' if value == 1 else value}"
        for key, value in item["asked_if"].items()
    )
    return f"Ask only if {conditions}."
