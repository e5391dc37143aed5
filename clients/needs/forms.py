"""Forms for identifying a need, editing it and closing it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from careteam.concurrency import ConcurrencyFormMixin
from careteam.forms import BootstrapFormMixin
from clients.models import NeedCategory, NeedStatus, Urgency

from .states import NEED_STATES

# Statuses staff set by hand here; "referred" is set by making a referral. Which moves are legal and
# which need a note is the service's to say (``clients.needs.states``): its refusals land on the fields.
CLOSING_STATUSES = (NeedStatus.MET, NeedStatus.UNMET_CLOSED, NeedStatus.DECLINED)


class NeedForm(ConcurrencyFormMixin, BootstrapFormMixin, forms.Form):
    """A new need, or (``version_of=need``) an edit of one that carries the version it started from."""

    # Starts unchosen: a preselected kind was saved unread and filed needs under the wrong category.
    # A "?category=" link on the add page still prefills it (the view's ``initial``).
    category = forms.ChoiceField(
        choices=[("", _("Choose…")), *NeedCategory.choices],
        label="Kind of need",
        error_messages={"required": _("Choose the kind of need.")},
    )
    description = forms.CharField(
        max_length=500,
        label="Description",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="In the client's words where possible.",
    )
    urgency = forms.ChoiceField(
        choices=Urgency.choices, initial=Urgency.ROUTINE, widget=forms.RadioSelect, label="Urgency"
    )


class NeedStatusForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(choices=(), widget=forms.RadioSelect, label="New status")
    note = forms.CharField(
        max_length=300,
        required=False,
        label="Note",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How it was met, or why it was closed or declined.",
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the moves the need's table allows from where it stands: an open need is not
        # offered "Open again", a met one only that.
        offered = [s for s in NEED_STATES.targets(current) if s in (*CLOSING_STATUSES, NeedStatus.OPEN)]
        self.fields["status"].choices = [
            (s, "Open again" if s == NeedStatus.OPEN else NeedStatus(s).label) for s in offered
        ]
