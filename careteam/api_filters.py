"""Query-string filters the API shares: a row id, checked before the database sees it."""

from __future__ import annotations

import django_filters
from django import forms

# The largest id a 64-bit key holds: a larger number names no row, and the database cannot even
# compare it with a foreign key (SQLite: OverflowError; PostgreSQL: "out of range").
MAX_ROW_ID = 2**63 - 1


class RowIdFilter(django_filters.NumberFilter):
    """``?client=12``: a whole number from 1 to ``MAX_ROW_ID``, else a 400 naming the parameter.

    ``NumberFilter`` alone takes any decimal (``1.5``, ``-1.8e308``) and hands it to the lookup.
    """

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ROW_ID)
        super().__init__(*args, **kwargs)


def row_id(value: str | None) -> int | None:
    """A query-string value as a row id, or None when it is not one (``"12"`` → 12; ``"x"``, ``"²"``,
    ``"0"`` and 30 digits → None), for views that read ``request.query_params`` themselves."""
    if not value or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ROW_ID else None
