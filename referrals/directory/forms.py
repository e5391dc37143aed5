"""Forms of the directory pages: the search form (GET) and a service's capacity."""

from django import forms

from careteam.forms import BootstrapFormMixin
from referrals.models import Capacity

from . import selectors


class DirectorySearchForm(BootstrapFormMixin, forms.Form):
    category = forms.ChoiceField(label="Need", required=False)
    text = forms.CharField(
        label="Words", required=False, max_length=200, help_text="Name, description or eligibility."
    )
    language = forms.ChoiceField(label="Language", required=False)
    open_now = forms.BooleanField(label="Open now", required=False)
    accepting = forms.BooleanField(label="Accepting electronic referrals (not full)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Any need"), *selectors.category_choices()]
        self.fields["language"].choices = [("", "Any language"), *selectors.language_choices()]

    def filters(self) -> dict:
        """The search arguments (an invalid value counts as not filtering on it)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        return {
            "category": data.get("category", ""),
            "text": data.get("text", ""),
            "language": data.get("language", ""),
            "open_now": bool(data.get("open_now")),
            "accepting": bool(data.get("accepting")),
        }


class CapacityForm(BootstrapFormMixin, forms.Form):
    capacity = forms.ChoiceField(
        label="Taking people now?", choices=Capacity.choices, help_text="What the service told you today."
    )
