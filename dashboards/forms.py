"""The dashboard's filters (GET): date range, teams, program. Shared by the page, drill-downs, CSV and API."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from careteam.forms import BootstrapFormMixin
from careteam.models import User

from .scope import Scope, scope_for, teams_for

MAX_RANGE_DAYS = 366  # a year at most: the queries are sized for a quarter, a year is still quick
# The figures count back from the days chosen (the default start is 29 days before the end), so the
# days stay far inside what a date holds: 0001-01-01 as the last day overflowed (a 500, API fuzzing).
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2099, 12, 31)
DAY_LIMITS = [MinValueValidator(EARLIEST_DAY), MaxValueValidator(LATEST_DAY)]


class DashboardFilterForm(BootstrapFormMixin, forms.Form):
    start = forms.DateField(
        label="From",
        required=False,
        validators=DAY_LIMITS,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="First day.",
    )
    end = forms.DateField(
        label="To",
        required=False,
        validators=DAY_LIMITS,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Last day.",
    )
    team = forms.TypedMultipleChoiceField(
        label="Teams", required=False, coerce=int, help_text="None chosen: every team you supervise."
    )
    program = forms.ChoiceField(label="Program", required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        teams = list(teams_for(user).values_list("pk", "name", "program"))
        self.fields["team"].choices = [(pk, name) for pk, name, _ in teams]
        programs = sorted({program for _, _, program in teams if program})
        self.fields["program"].choices = [("", "Every program"), *[(p, p) for p in programs]]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                raise ValidationError({"end": "The last day cannot come before the first day."})
            if (end - start).days >= MAX_RANGE_DAYS:
                raise ValidationError({"start": f"Choose a range of at most {MAX_RANGE_DAYS} days."})
        return data

    def scope(self) -> Scope:
        """The scope these filters ask for, limited to the user's teams. Invalid filters give the default."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        end = data.get("end")
        start = data.get("start")
        if start and not end:
            end = min(start + dt.timedelta(days=29), timezone.localdate())
            end = max(end, start)
        return scope_for(
            self.user,
            team_ids=data.get("team") or None,
            program=data.get("program") or "",
            start=start,
            end=end,
        )


def scope_query(scope: Scope) -> str:
    """The filters of ``scope`` as a query string, for links that must carry them (drill-downs, CSV)."""
    from django.http import QueryDict

    q = QueryDict(mutable=True)
    q["start"] = scope.start.isoformat()
    q["end"] = scope.end.isoformat()
    q.setlist("team", [str(pk) for pk in scope.team_ids])
    if scope.program:
        q["program"] = scope.program
    return q.urlencode()
