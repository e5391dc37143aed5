"""Form helpers shared by every app: Bootstrap classes and accessible error wiring."""

from django import forms


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
