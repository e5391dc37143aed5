"""CSV export of a drill-down list, safe to open in a spreadsheet.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a formula by
Excel, LibreOffice and Google Sheets (CSV/formula injection, OWASP); such cells get a leading ``'``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable

from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value) -> str:
    """The text of one cell, neutralised if a spreadsheet would run it as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)  # a number (even negative) is data, not a formula
    if isinstance(value, dt.datetime):
        text = (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
        )
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def render_csv(columns: list[tuple[str, str]], rows: Iterable[dict]) -> str:
    """The whole list as CSV text: a header row of column headings, then one line per row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([escape_cell(heading) for _, heading in columns])
    for row in rows:
        writer.writerow([escape_cell(row.get(key)) for key, _ in columns])
    return out.getvalue()
