"""Forms for peer matching, peer assignments and the peer's own profile."""

from __future__ import annotations

from django import forms

from careteam.concurrency import ConcurrencyFormMixin
from careteam.fields import COMMENT_MAX_LENGTH
from careteam.forms import BootstrapFormMixin
from clients.models import LANGUAGE_CHOICES

from ..models import AgeBracket, ExperienceArea, Pathway, PeerGender, PeerMatchPreferences, PeerProfile

Checkboxes = forms.CheckboxSelectMultiple


class MatchPreferencesForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.Form):
    """The client's matching preferences; carries the version it was opened with (``version_of``)."""

    concurrency_model = PeerMatchPreferences

    wants_peer = forms.BooleanField(label="Wants a peer", required=False)
    language_match = forms.BooleanField(label="Match on preferred language", required=False)
    shared_experience = forms.MultipleChoiceField(
        label="Shared lived experience to match on",
        choices=ExperienceArea.choices,
        widget=Checkboxes,
        required=False,
    )
    gender_preference = forms.ChoiceField(
        label="Peer's gender", choices=[("", "No preference"), *PeerGender.choices[:-1]], required=False
    )
    pathway_preference = forms.MultipleChoiceField(
        label="Recovery pathways wanted", choices=Pathway.choices, widget=Checkboxes, required=False
    )
    pathways_not_wanted = forms.MultipleChoiceField(
        label="Recovery pathways not wanted", choices=Pathway.choices, widget=Checkboxes, required=False
    )
    notes = forms.CharField(label="Anything else, in the client's words", max_length=300, required=False)

    def clean(self):
        data = super().clean()
        both = set(data.get("pathway_preference") or ()) & set(data.get("pathways_not_wanted") or ())
        if both:
            self.add_error("pathways_not_wanted", "A pathway cannot be both wanted and not wanted.")
        return data


class AssignmentStartForm(BootstrapFormMixin, forms.Form):
    peer = forms.TypedChoiceField(label="Peer specialist", coerce=int, widget=forms.RadioSelect)
    goals = forms.CharField(
        label="Goals for peer work, in the client's words",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=COMMENT_MAX_LENGTH,
    )

    def __init__(self, *args, peer_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["peer"].choices = list(peer_choices)


class AssignmentEndForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label="Why the peer work ends", max_length=200)


class PeerProfileForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.Form):
    """A peer's own profile; carries the version it was opened with (``version_of``)."""

    concurrency_model = PeerProfile

    experience_areas = forms.MultipleChoiceField(
        label="Lived experience I choose to share",
        choices=ExperienceArea.choices,
        widget=Checkboxes,
        required=False,
        help_text="Each one is optional; share only what you are comfortable with.",
    )
    languages = forms.MultipleChoiceField(
        label="Languages I speak", choices=LANGUAGE_CHOICES, widget=Checkboxes, required=False
    )
    age_bracket = forms.ChoiceField(
        label="Age bracket", choices=[("", "Not disclosed"), *AgeBracket.choices], required=False
    )
    gender = forms.ChoiceField(label="Gender", choices=PeerGender.choices, required=False)
    pathways = forms.MultipleChoiceField(
        label="Recovery pathways I can speak to", choices=Pathway.choices, widget=Checkboxes, required=False
    )
    availability = forms.CharField(label="Availability", max_length=200, required=False)
    bio = forms.CharField(
        label="A few words a client may read",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
    )
    accepting_new = forms.BooleanField(label="Accepting new clients", required=False)
